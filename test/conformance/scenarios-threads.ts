// Threads with a checkpointer: state snapshots, history, updateState and continuing a thread.
import type { Engine } from "./engines.js";
import {
  checkpointId,
  counterState,
  history,
  outcome,
  says,
  scenario,
  thread,
  type Scenario,
} from "./harness.js";

/** START -> a -> b with a checkpointer; each node adds 1 to x and logs its name. */
function chain(engine: Engine) {
  const step = (name: string) => (s: { x: number }) => ({ x: s.x + 1, log: [name] });
  return engine
    .graph(counterState(engine))
    .addNode("a", step("a"))
    .addNode("b", step("b"))
    .addEdge(engine.START, "a")
    .addEdge("a", "b")
    .addEdge("b", engine.END)
    .compile({ checkpointer: engine.checkpointer() });
}

interface HistoryEntry {
  step: number | undefined;
  source: string | undefined;
  next: readonly string[];
  values: unknown;
  ran: Array<{ name: string; result: unknown }>;
}

/** A history entry as the history scenario observes it; `ran` maps each task to its result. */
function entry(
  step: number,
  source: string,
  next: string[],
  values: unknown,
  ran: Record<string, unknown> = {},
): HistoryEntry {
  const tasks = Object.entries(ran).map(([name, result]) => ({ name, result }));
  return { step, source, next, values, ran: tasks };
}

export const threadScenarios: Scenario[] = [
  scenario({
    name: "getState after a run: LangGraph's StateSnapshot shape",
    run: async (engine) => {
      const graph = chain(engine);
      const config = thread();
      await graph.invoke({ x: 0, log: ["in"] }, config);
      const snapshot = await graph.getState(config);
      const [, previous] = await history(graph.getStateHistory(config));
      const unknown = await graph.getState(thread());
      const unknownValues: unknown = unknown.values; // {} for a thread with no checkpoint
      return {
        keys: Object.keys(snapshot).sort(),
        values: snapshot.values,
        next: snapshot.next,
        tasks: snapshot.tasks,
        source: snapshot.metadata?.source,
        threadId: snapshot.config.configurable?.thread_id === config.configurable.thread_id,
        checkpointId: typeof checkpointId(snapshot.config),
        createdAt: typeof snapshot.createdAt,
        parentIsPrevious: checkpointId(snapshot.parentConfig) === checkpointId(previous?.config),
        unknownThread: {
          values: unknownValues,
          next: unknown.next,
          tasks: unknown.tasks,
        },
      };
    },
    expected: {
      keys: ["config", "createdAt", "metadata", "next", "parentConfig", "tasks", "values"],
      values: { x: 2, log: ["in", "a", "b"] },
      next: [],
      tasks: [],
      source: "loop",
      threadId: true,
      checkpointId: "string",
      createdAt: "string",
      parentIsPrevious: true,
      unknownThread: { values: {}, next: [], tasks: [] },
    },
  }),

  scenario({
    name: "getStateHistory: newest first, each checkpoint's parent is the next one",
    run: async (engine) => {
      const graph = chain(engine);
      const config = thread();
      await graph.invoke({ x: 0, log: ["in"] }, config);
      const list = await history(graph.getStateHistory(config));
      const ids = list.map((snapshot) => checkpointId(snapshot.config) ?? "");
      return {
        checkpoints: list.map(({ metadata, next, values, tasks }): HistoryEntry => ({
          step: metadata?.step,
          source: metadata?.source,
          next,
          values,
          ran: tasks.map(({ name, result }) => ({ name, result })),
        })),
        idsDescending: ids.every((id, index) => index === 0 || id < (ids[index - 1] ?? "")),
        parentIsNextOlder: list.every(
          (snapshot, index) => checkpointId(snapshot.parentConfig) === ids[index + 1],
        ),
      };
    },
    differs: {
      switchyard: {
        checkpoints: [
          entry(1, "loop", [], { x: 2, log: ["in", "a", "b"] }),
          entry(0, "loop", ["b"], { x: 1, log: ["in", "a"] }, { b: undefined }),
          entry(-1, "input", ["a"], { x: 0, log: ["in"] }, { a: undefined }),
        ],
        idsDescending: true,
        parentIsNextOlder: true,
      },
      langgraph: {
        checkpoints: [
          entry(2, "loop", [], { x: 2, log: ["in", "a", "b"] }),
          entry(1, "loop", ["b"], { x: 1, log: ["in", "a"] }, { b: { x: 2, log: ["b"] } }),
          entry(0, "loop", ["a"], { x: 0, log: ["in"] }, { a: { x: 1, log: ["a"] } }),
          entry(-1, "input", ["__start__"], { log: [] }, { __start__: { x: 0, log: ["in"] } }),
        ],
        idsDescending: true,
        parentIsNextOlder: true,
      },
      why:
        "Switchyard writes one input checkpoint (step -1) holding the applied input, so the first node runs at step 0; " +
        "LangGraph writes an empty input checkpoint (-1, next __start__) and then one with the input applied (0). " +
        "Switchyard also drops a superstep's pending writes once it commits (they live on in the channel versions), " +
        "so history shows a task's result only for a superstep that has not committed.",
    },
  }),

  scenario({
    name: "updateState(config, values, asNode) then invoke(null) runs what follows asNode",
    run: async (engine) => {
      const graph = chain(engine);
      const config = thread();
      await graph.invoke({ x: 0, log: ["in"] }, config);
      const updated = await graph.updateState(config, { x: 5 }, "a");
      const snapshot = await graph.getState(config);
      const final = await graph.invoke(null, config);
      return {
        returnsHead: checkpointId(updated) === checkpointId(snapshot.config),
        values: snapshot.values,
        next: snapshot.next,
        source: snapshot.metadata?.source,
        final,
      };
    },
    expected: {
      returnsHead: true,
      values: { x: 5, log: ["in", "a", "b"] },
      next: ["b"],
      source: "update",
      final: { x: 6, log: ["in", "a", "b", "b"] },
    },
  }),

  scenario({
    name: "updateState without asNode after a parallel step, or with an unknown node, rejects",
    run: async (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("p", says("p"))
        .addNode("q", says("q"))
        .addEdge(engine.START, "p")
        .addEdge(engine.START, "q")
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      await graph.invoke({ x: 0, log: [] }, config);
      return {
        ambiguous: await outcome(() => graph.updateState(config, { log: ["u"] })),
        unknownNode: await outcome(() => graph.updateState(config, { log: ["u"] }, "zzz")),
      };
    },
    differs: {
      switchyard: {
        ambiguous: { name: "AmbiguousUpdateError", code: "AMBIGUOUS_UPDATE" },
        unknownNode: { name: "UnknownNodeError", code: "UNKNOWN_NODE" },
      },
      langgraph: {
        ambiguous: { name: "InvalidUpdateError" },
        unknownNode: { name: "InvalidUpdateError" },
      },
      why: "Both reject; Switchyard has one error class per cause (AMBIGUOUS_UPDATE, UNKNOWN_NODE) where LangGraph throws InvalidUpdateError for both.",
    },
  }),

  scenario({
    name: "new input on a finished thread is applied on top of its state",
    run: async (engine) => {
      const graph = chain(engine);
      const config = thread();
      await graph.invoke({ x: 0, log: ["in1"] }, config);
      return graph.invoke({ log: ["in2"] }, config);
    },
    expected: { x: 4, log: ["in1", "a", "b", "in2", "a", "b"] },
  }),

  scenario({
    name: "invoke(null) on a thread with no checkpoint rejects with EmptyInputError",
    run: async (engine) => {
      const error = await outcome(() => chain(engine).invoke(null, thread()));
      return "name" in error ? error.name : error;
    },
    expected: "EmptyInputError",
  }),
];

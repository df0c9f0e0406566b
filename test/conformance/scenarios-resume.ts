// Pausing and resuming a thread: breakpoints, new input while paused, resuming after a failed
// step, and continuing from an older checkpoint (a fork).
import type { CompileOptions, Engine } from "./engines.js";
import {
  Calls,
  checkpointId,
  collect,
  history,
  logKey,
  says,
  scenario,
  sleep,
  thread,
  type Scenario,
} from "./harness.js";

/** START -> a -> b -> c with a checkpointer; each node logs its name. */
function abc(engine: Engine, options: CompileOptions = {}) {
  return engine
    .graph({ log: logKey(engine) })
    .addNode("a", says("a"))
    .addNode("b", says("b"))
    .addNode("c", says("c"))
    .addEdge(engine.START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .compile({ checkpointer: engine.checkpointer(), ...options });
}

/**
 * START -> ok, START -> bad (fails after 20 ms until `fixed()`), join [ok, bad] -> after.
 * Runs it once on a new thread; the run rejects, and `ok` has finished.
 */
async function failOnce(engine: Engine) {
  const calls = new Calls();
  let fail = true;
  const graph = engine
    .graph({ log: logKey(engine) })
    .addNode("ok", () => {
      calls.hit("ok");
      return { log: ["ok"] };
    })
    .addNode("bad", async () => {
      calls.hit("bad");
      await sleep(20);
      if (fail) throw new Error("boom");
      return { log: ["bad"] };
    })
    .addNode("after", () => {
      calls.hit("after");
      return { log: ["after"] };
    })
    .addEdge(engine.START, "ok")
    .addEdge(engine.START, "bad")
    .addEdge(["ok", "bad"], "after")
    .compile({ checkpointer: engine.checkpointer() });
  const config = thread();
  const rejected = await graph.invoke({ log: [] }, config).then(
    () => false,
    () => true,
  );
  if (!rejected) throw new Error("failOnce: the first run should have rejected");
  return { graph, calls, config, fixed: () => (fail = false) };
}

export const resumeScenarios: Scenario[] = [
  scenario({
    name: "interruptBefore pauses before the node; invoke(null) continues",
    run: async (engine) => {
      const graph = abc(engine, { interruptBefore: ["b"] });
      const config = thread();
      const paused = await graph.invoke({ log: [] }, config);
      const pausedNext = (await graph.getState(config)).next;
      const resumed = await graph.invoke(null, config);
      return { paused, pausedNext, resumed, next: (await graph.getState(config)).next };
    },
    expected: {
      paused: { log: ["a"], __interrupt__: [] },
      pausedNext: ["b"],
      resumed: { log: ["a", "b", "c"] },
      next: [],
    },
  }),

  scenario({
    name: "interruptAfter pauses after the node; invoke(null) continues",
    run: async (engine) => {
      const graph = abc(engine, { interruptAfter: ["b"] });
      const config = thread();
      const paused = await graph.invoke({ log: [] }, config);
      const pausedNext = (await graph.getState(config)).next;
      const resumed = await graph.invoke(null, config);
      return { paused, pausedNext, resumed };
    },
    expected: {
      paused: { log: ["a", "b"], __interrupt__: [] },
      pausedNext: ["c"],
      resumed: { log: ["a", "b", "c"] },
    },
  }),

  scenario({
    name: "interruptBefore fires every time the node is about to run (loop b -> b)",
    run: async (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addConditionalEdges("b", (s) => (s.log.length < 4 ? "b" : engine.END))
        .compile({ checkpointer: engine.checkpointer(), interruptBefore: ["b"] });
      const config = thread();
      const runs = [(await graph.invoke({ log: [] }, config)).log];
      for (let resume = 0; resume < 3; resume += 1) {
        runs.push((await graph.invoke(null, config)).log);
      }
      return { runs, next: (await graph.getState(config)).next };
    },
    expected: {
      runs: [["a"], ["a", "b"], ["a", "b", "b"], ["a", "b", "b", "b"]],
      next: [],
    },
  }),

  scenario({
    name: "resume after a failed step re-runs only the failed node, not its finished sibling",
    run: async (engine) => {
      const { graph, calls, config, fixed } = await failOnce(engine);
      fixed();
      const resumed = await graph.invoke(null, config);
      return { resumed, calls: calls.counts };
    },
    expected: {
      resumed: { log: ["bad", "ok", "after"] },
      calls: { ok: 1, bad: 2, after: 1 },
    },
  }),

  scenario({
    name: "getState after a failed step: the finished sibling's writes show, the failed task is next",
    run: async (engine) => {
      const { graph, config } = await failOnce(engine);
      const snapshot = await graph.getState(config);
      const tasks = snapshot.tasks.map(({ name, result, error }) => ({
        name,
        result,
        errorMentionsCause: error?.message?.includes("boom") ?? false,
      }));
      return {
        values: snapshot.values,
        next: snapshot.next,
        // LangGraph lists tasks in node declaration order, Switchyard in plan order: not compared.
        tasks: tasks.sort((a, b) => a.name.localeCompare(b.name)),
      };
    },
    expected: {
      values: { log: ["ok"] },
      next: ["bad"],
      tasks: [
        { name: "bad", result: undefined, errorMentionsCause: true },
        { name: "ok", result: { log: ["ok"] }, errorMentionsCause: false },
      ],
    },
  }),

  scenario({
    name: "new input while paused drops the pending node and starts again from START",
    run: async (engine) => {
      const graph = abc(engine, { interruptBefore: ["b"] });
      const config = thread();
      await graph.invoke({ log: ["first"] }, config);
      const paused = await graph.invoke({ log: ["second"] }, config);
      return { paused, next: (await graph.getState(config)).next };
    },
    expected: {
      paused: { log: ["first", "a", "second", "a"], __interrupt__: [] },
      next: ["b"],
    },
  }),

  scenario({
    name: "invoke(null) from an older checkpoint forks: a fork checkpoint, then the rest re-runs",
    run: async (engine) => {
      const graph = abc(engine);
      const config = thread();
      await graph.invoke({ log: [] }, config);
      const before = await history(graph.getStateHistory(config));
      const afterA = before.find((snapshot) => snapshot.values.log.join() === "a");
      const ran = await collect(
        graph.stream(null, {
          configurable: { ...config.configurable, checkpoint_id: checkpointId(afterA?.config) },
          streamMode: "updates",
        }),
      );
      const after = await history(graph.getStateHistory(config));
      const fork = after.find((snapshot) => snapshot.metadata?.source === "fork");
      return {
        ran,
        final: (await graph.getState(config)).values,
        added: after.length - before.length,
        newestSources: after.slice(0, 3).map((snapshot) => snapshot.metadata?.source),
        forkParentIsOlderCheckpoint:
          checkpointId(fork?.parentConfig) === checkpointId(afterA?.config),
        forkValues: fork?.values,
      };
    },
    expected: {
      ran: [{ b: { log: ["b"] } }, { c: { log: ["c"] } }],
      final: { log: ["a", "b", "c"] },
      added: 3,
      newestSources: ["loop", "loop", "fork"],
      forkParentIsOlderCheckpoint: true,
      forkValues: { log: ["a"] },
    },
  }),
];

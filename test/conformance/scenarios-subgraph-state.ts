// Subgraphs and the parent thread's state: getState nesting a waiting child (a compiled graph as
// a node, or a graph invoked from inside a node), and history and forks with a child in flight.
import { z } from "zod";
import type { CompiledLike, Engine, GraphBuilder, NodeFn, Snapshot } from "./engines.js";
import {
  Calls,
  checkpointId,
  history,
  logKey,
  scenario,
  thread,
  type Scenario,
} from "./harness.js";
import { writer } from "./scenarios-subgraphs.js";

/** START -> plan -> writer (the child as a node) -> END. */
function supervisor(engine: Engine, child: CompiledLike<unknown>) {
  const builder = engine
    .graph({ topic: z.string(), log: logKey(engine) })
    .addNode("plan", () => ({ log: ["plan"] }));
  return (builder as GraphBuilder<{ topic: string; log: string[] }>)
    .addNode("writer", child as unknown as NodeFn<unknown, { topic: string; log: string[] }>)
    .addEdge(engine.START, "plan")
    .addEdge("plan", "writer")
    .addEdge("writer", engine.END)
    .compile({ checkpointer: engine.checkpointer() });
}

/** What a nested child snapshot shows, engine-neutral (its namespace's node names, not ids). */
function childView(snapshot: Snapshot<unknown> | undefined) {
  if (!snapshot) return null;
  const namespace = snapshot.config.configurable?.checkpoint_ns ?? "";
  return {
    namespace: namespace.split("|").map((entry) => entry.split(":")[0]),
    values: snapshot.values,
    next: snapshot.next,
    waiting: snapshot.tasks.map((task) => task.interrupts?.map((entry) => entry.value)),
  };
}

export const subgraphStateScenarios: Scenario[] = [
  scenario({
    name: "subgraph: getState with subgraphs nests the waiting child's state",
    run: async (engine) => {
      const graph = supervisor(engine, writer(engine, new Calls()));
      const config = thread();
      await graph.invoke({ topic: "otters", log: [] }, config);
      const flat = await graph.getState(config);
      const nested = await graph.getState(config, { subgraphs: true });
      return {
        // Without subgraphs no child state (LangGraph leaves the child's config there).
        flat: flat.tasks.map((task) => task.state?.values === undefined),
        child: childView(nested.tasks[0]?.state),
      };
    },
    expected: {
      flat: [true],
      child: {
        namespace: ["writer"],
        values: { topic: "otters", log: ["plan", "research"], draft: "notes on otters" },
        next: ["approve"],
        waiting: [["ok?"]],
      },
    },
  }),
  scenario({
    name: "subgraph: getState with subgraphs nests a child invoked from inside a node",
    run: async (engine) => {
      const inner = engine
        .graph({ question: z.string(), answer: z.string().optional() })
        .addNode("prepare", (s) => ({ question: `${s.question} (please)` }))
        .addNode("ask", (s) => ({ answer: String(engine.interrupt(s.question)) }))
        .addEdge(engine.START, "prepare")
        .addEdge("prepare", "ask")
        .addEdge("ask", engine.END)
        .compile();
      const graph = engine
        .graph({ q: z.string(), a: z.string().optional() })
        .addNode("call", async (s, ctx) => {
          const out = (await inner.invoke({ question: s.q }, ctx.runnableConfig ?? ctx)) as {
            answer?: string;
          };
          return { a: out.answer };
        })
        .addEdge(engine.START, "call")
        .addEdge("call", engine.END)
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      await graph.invoke({ q: "name?" }, config);
      const nested = await graph.getState(config, { subgraphs: true });
      const done = await graph.invoke(new engine.Command({ resume: "Ada" }) as never, config);
      return { child: childView(nested.tasks[0]?.state), done };
    },
    differs: {
      switchyard: {
        child: {
          namespace: ["call"],
          values: { question: "name? (please)" },
          next: ["ask"],
          waiting: [["name? (please)"]],
        },
        done: { q: "name?", a: "Ada" },
      },
      langgraph: { child: null, done: { q: "name?", a: "Ada" } },
      why:
        "LangGraph nests only the children its graph's structure names (a compiled graph as a node, " +
        "or one declared in the node's `subgraphs` option); a graph invoked from inside a node function " +
        "is left out. Switchyard finds the child from the namespace the waiting task recorded.",
    },
  }),
  scenario({
    name: "subgraph: history with a child in flight shows the parent's checkpoints; resume after",
    run: async (engine) => {
      const calls = new Calls();
      const graph = supervisor(engine, writer(engine, calls));
      const config = thread();
      await graph.invoke({ topic: "otters", log: [] }, config);
      const snapshots = await history(graph.getStateHistory(config));
      const done = await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      // LangGraph's extra input checkpoint (next: START) is a difference asserted elsewhere.
      const parents = snapshots.filter((snapshot) => !snapshot.next.includes(engine.START));
      return {
        next: parents.map((snapshot) => snapshot.next),
        namespaces: parents.map((snapshot) => snapshot.config.configurable?.checkpoint_ns ?? ""),
        log: done.log,
        calls: calls.counts,
      };
    },
    expected: {
      // The child's own checkpoints are not in the parent's history.
      next: [["writer"], ["plan"]],
      namespaces: ["", ""],
      log: ["plan", "plan", "research", "approve:yes", "publish"],
      calls: { research: 1, approve: 2, publish: 1 },
    },
  }),
  scenario({
    name: "subgraph: a fork from the checkpoint the child waited at, after it finished",
    run: async (engine) => {
      const calls = new Calls();
      const graph = supervisor(engine, writer(engine, calls));
      const config = thread();
      await graph.invoke({ topic: "otters", log: [] }, config);
      const waitedAt = checkpointId((await graph.getState(config)).config);
      await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      const forked = await graph.invoke(null, {
        configurable: { ...config.configurable, checkpoint_id: waitedAt },
      });
      const asked =
        (forked as { __interrupt__?: Array<{ value: unknown }> }).__interrupt__?.[0]?.value ?? null;
      const done = await graph.invoke(new engine.Command({ resume: "no" }) as never, config);
      return { asked, log: done.log, calls: calls.counts };
    },
    // The fork runs the child anew on its branch (it asks again); the answer finishes the fork.
    expected: {
      asked: "ok?",
      log: ["plan", "plan", "research", "approve:no", "publish"],
      calls: { research: 2, approve: 4, publish: 2 },
    },
  }),
];

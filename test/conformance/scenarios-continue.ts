// What a stream shows when a run continues a thread (after an interrupt or a breakpoint), and the
// input checkpoint in the debug stream.
import { z } from "zod";
import type { Engine } from "./engines.js";
import { collect, logKey, says, scenario, thread, type Scenario } from "./harness.js";

/** START -> ask (interrupts, logs the answer) -> done. */
function askThenDone(engine: Engine) {
  return engine
    .graph({ log: logKey(engine) })
    .addNode("ask", () => ({ log: [String(engine.interrupt("ok?"))] }))
    .addNode("done", says("done"))
    .addEdge(engine.START, "ask")
    .addEdge("ask", "done")
    .compile({ checkpointer: engine.checkpointer() });
}

/** START -> a (interrupts; records the x it saw) -> b (records the x it saw). */
function askWithX(engine: Engine, seen: unknown[]) {
  return engine
    .graph({ x: z.number(), log: logKey(engine) })
    .addNode("a", (s) => {
      seen.push(`a${s.x}`);
      return { log: [`a:${String(engine.interrupt("q"))}`] };
    })
    .addNode("b", (s) => {
      seen.push(`b${s.x}`);
      return { log: ["b"] };
    })
    .addEdge(engine.START, "a")
    .addEdge("a", "b")
    .compile({ checkpointer: engine.checkpointer() });
}

export const continueScenarios: Scenario[] = [
  scenario({
    name: "Command({ resume, update }) applies the update before the interrupted node re-runs",
    run: async (engine) => {
      const seen: unknown[] = [];
      const graph = askWithX(engine, seen);
      const config = thread();
      await graph.invoke({ x: 1 }, config);
      const command = new engine.Command({ resume: "yes", update: { x: 5, log: ["upd"] } });
      const chunks = await collect(
        graph.stream(command as never, { ...config, streamMode: "values" }),
      );
      return { chunks, seen, next: (await graph.getState(config)).next };
    },
    expected: {
      chunks: [
        { x: 5, log: ["upd"] },
        { x: 5, log: ["upd", "a:yes"] },
        { x: 5, log: ["upd", "a:yes", "b"] },
      ],
      seen: ["a1", "a5", "b5"],
      next: [],
    },
  }),
  scenario({
    name: "Command({ resume, goto }) runs the goto target beside the resumed node",
    run: async (engine) => {
      const seen: unknown[] = [];
      const graph = askWithX(engine, seen);
      const config = thread();
      await graph.invoke({ x: 1 }, config);
      const command = new engine.Command({ resume: "ok", goto: "b" });
      const final = await graph.invoke(command as never, config);
      return { final, seen };
    },
    expected: { final: { x: 1, log: ["a:ok", "b", "b"] }, seen: ["a1", "a1", "b1", "b1"] },
  }),

  scenario({
    name: "streaming a resumed run yields the state it continues from first",
    run: async (engine) => {
      const graph = askThenDone(engine);
      const config = thread();
      await graph.invoke({ log: ["in"] }, config);
      const resume = new engine.Command({ resume: "yes" });
      return collect(
        graph.stream(resume as never, { ...config, streamMode: ["values", "updates"] }),
      );
    },
    expected: [
      ["values", { log: ["in"] }],
      ["updates", { ask: { log: ["yes"] } }],
      ["values", { log: ["in", "yes"] }],
      ["updates", { done: { log: ["done"] } }],
      ["values", { log: ["in", "yes", "done"] }],
    ],
  }),
  scenario({
    name: "streaming a run that continues after a breakpoint yields the current state first",
    run: async (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .compile({ checkpointer: engine.checkpointer(), interruptBefore: ["b"] });
      const config = thread();
      await graph.invoke({ log: ["in"] }, config);
      return collect(graph.stream(null, { ...config, streamMode: "values" }));
    },
    expected: [{ log: ["in", "a"] }, { log: ["in", "a", "b"] }],
  }),
  scenario({
    name: "the debug stream starts with the input checkpoint",
    run: async (engine) => {
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", () => ({ x: 2 }))
        .addEdge(engine.START, "a")
        .compile({ checkpointer: engine.checkpointer() });
      const events = await collect(graph.stream({ x: 1 }, { ...thread(), streamMode: "debug" }));
      const first = events[0] as {
        type: string;
        step: number;
        payload: { values: unknown; metadata: { source: string; step: number } };
      };
      return {
        type: first.type,
        step: first.step,
        source: first.payload.metadata.source,
        metadataStep: first.payload.metadata.step,
      };
    },
    expected: { type: "checkpoint", step: -1, source: "input", metadataStep: -1 },
  }),
];

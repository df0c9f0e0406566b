// Send (map-reduce) and Command (goto + update), and the order their writes are applied in:
// edge-triggered tasks by node name first, then Send tasks by Send index, whatever the timing.
import { z } from "zod";
import type { Engine } from "./engines.js";
import {
  counterState,
  logKey,
  observeRun,
  outcome,
  says,
  scenario,
  sleep,
  type Scenario,
} from "./harness.js";

/** A Send target: appends `name + i` to `log` after `ms(i)` milliseconds. */
const worker =
  (name: string, ms: (i: number) => number = () => 0) =>
  async ({ i }: { i: number }): Promise<{ log: string[] }> => {
    await sleep(ms(i));
    return { log: [`${name}${i}`] };
  };

const logState = (engine: Engine) => ({ log: logKey(engine) });

export const sendScenarios: Scenario[] = [
  scenario({
    name: "Send map-reduce: 100 workers, results in Send order, the reducer node runs once",
    run: async (engine) => {
      const graph = engine
        .graph({
          results: engine.reducer(
            z.array(z.number()),
            (a, b) => a.concat(b),
            () => [],
          ),
          total: z.number().optional(),
        })
        .addNode("split", () => ({ total: 0 }))
        .addNode<{ i: number }>("work", async ({ i }) => {
          await sleep((100 - i) % 7); // finish out of order
          return { results: [i] };
        })
        .addNode("sum", (s) => ({ total: s.results.reduce((a, b) => a + b, 0) }))
        .addEdge(engine.START, "split")
        .addConditionalEdges("split", () =>
          Array.from({ length: 100 }, (_, i) => new engine.Send("work", { i })),
        )
        .addEdge("work", "sum")
        .addEdge("sum", engine.END)
        .compile();
      const { final, steps } = await observeRun(graph, { results: [] });
      return { final, tasksPerStep: steps.map((step) => step.length) };
    },
    expected: {
      final: { results: Array.from({ length: 100 }, (_, i) => i), total: 4950 },
      tasksPerStep: [0, 1, 100, 1],
    },
  }),

  scenario({
    name: "Send from START: the Send node gets only its argument",
    run: (engine) => {
      const graph = engine
        .graph(logState(engine))
        .addNode(
          "w",
          worker("w", (i) => (i === 2 ? 20 : 0)),
        )
        .addConditionalEdges(engine.START, () => [
          new engine.Send("w", { i: 2 }),
          new engine.Send("w", { i: 1 }),
        ])
        .compile();
      return observeRun(graph, { log: ["in"] });
    },
    expected: {
      final: { log: ["in", "w2", "w1"] },
      steps: [[], [{ w: { log: ["w1"] } }, { w: { log: ["w2"] } }]],
    },
  }),

  scenario({
    name: "Sends to several nodes apply in Send index order, not by node name",
    run: async (engine) => {
      const graph = engine
        .graph(logState(engine))
        .addNode(
          "zz",
          worker("zz", (i) => (i === 1 ? 20 : 0)),
        )
        .addNode("aa", worker("aa"))
        .addConditionalEdges(engine.START, () => [
          new engine.Send("zz", { i: 1 }),
          new engine.Send("aa", { i: 2 }),
          new engine.Send("zz", { i: 3 }),
        ])
        .compile();
      return (await graph.invoke({ log: [] })).log;
    },
    expected: ["zz1", "aa2", "zz3"],
  }),

  scenario({
    name: "edge-triggered tasks apply before Send tasks, whichever finishes first",
    run: async (engine) => {
      const fromNode = async (zMs: number, aMs: number): Promise<string[]> => {
        const graph = engine
          .graph(logState(engine))
          .addNode("r", says("r"))
          .addNode("z", says("z", zMs))
          .addNode(
            "a",
            worker("a", () => aMs),
          )
          .addEdge(engine.START, "r")
          .addEdge("r", "z")
          .addConditionalEdges("r", () => [new engine.Send("a", { i: 9 })])
          .compile();
        return (await graph.invoke({ log: [] })).log;
      };
      const fromStart = engine
        .graph(logState(engine))
        .addNode("z", says("z"))
        .addNode("a", worker("a"))
        .addEdge(engine.START, "z")
        .addConditionalEdges(engine.START, () => [new engine.Send("a", { i: 1 })]);
      return {
        zSlow: await fromNode(20, 0),
        aSlow: await fromNode(0, 20),
        fromStart: (await fromStart.compile().invoke({ log: [] })).log,
      };
    },
    expected: {
      zSlow: ["r", "z", "a9"],
      aSlow: ["r", "z", "a9"],
      fromStart: ["z", "a1"],
    },
  }),

  scenario({
    name: "Command goto + update: the update is the node's write, goto picks the next node",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", () => new engine.Command({ goto: "c", update: { x: 1, log: ["a"] } }), {
          ends: ["b", "c"],
        })
        .addNode("b", says("b"))
        .addNode("c", says("c"))
        .addEdge(engine.START, "a")
        .compile();
      return observeRun(graph, { x: 0 });
    },
    expected: {
      final: { x: 1, log: ["a", "c"] },
      steps: [[], [{ a: { x: 1, log: ["a"] } }], [{ c: { log: ["c"] } }]],
    },
  }),

  scenario({
    name: "Command goto plus a static edge: both targets run in the same step",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", () => new engine.Command({ goto: "c", update: { x: 1, log: ["a"] } }), {
          ends: ["c"],
        })
        .addNode("b", says("b"))
        .addNode("c", says("c"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .compile();
      return observeRun(graph, { x: 0 });
    },
    expected: {
      final: { x: 1, log: ["a", "b", "c"] },
      steps: [[], [{ a: { x: 1, log: ["a"] } }], [{ b: { log: ["b"] } }, { c: { log: ["c"] } }]],
    },
  }),

  scenario({
    name: "Command goto END ends the branch, but does not cancel a static edge",
    run: async (engine) => {
      const build = (withEdge: boolean) => {
        const graph = engine
          .graph(logState(engine))
          .addNode("a", () => new engine.Command({ goto: engine.END, update: { log: ["a"] } }))
          .addEdge(engine.START, "a");
        if (withEdge) graph.addNode("b", says("b")).addEdge("a", "b");
        return graph.compile();
      };
      return {
        alone: (await build(false).invoke({ log: [] })).log,
        withEdge: (await build(true).invoke({ log: [] })).log,
      };
    },
    expected: { alone: ["a"], withEdge: ["a", "b"] },
  }),

  scenario({
    name: "Command goto [Send, node] plus a static edge: pulled nodes by name, then Sends",
    run: async (engine) => {
      const graph = engine
        .graph(logState(engine))
        .addNode(
          "r",
          () =>
            new engine.Command({
              update: { log: ["r"] },
              goto: [new engine.Send("a", { i: 5 }), "b"],
            }),
          { ends: ["a", "b"] },
        )
        .addNode("z", says("z"))
        .addNode("b", says("b", 20))
        .addNode("a", worker("a"))
        .addEdge(engine.START, "r")
        .addEdge("r", "z")
        .compile();
      return (await graph.invoke({ log: [] })).log;
    },
    expected: ["r", "b", "z", "a5"],
  }),

  scenario({
    name: "a Command target that only goto reaches must be declared in ends",
    run: async (engine) => {
      const graph = engine
        .graph(logState(engine))
        .addNode("a", () => new engine.Command({ goto: "c" }))
        .addNode("c", says("c"))
        .addEdge(engine.START, "a");
      const error = await outcome(() => graph.compile());
      return "name" in error ? error.name : error;
    },
    expected: "UnreachableNodeError",
  }),
];

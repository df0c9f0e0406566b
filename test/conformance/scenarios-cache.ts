// The node cache (`cachePolicy` + `compile({ cache })`): which tasks are served from the cache, how
// the stream marks them, keys, expiry, and what a thread's state looks like after a cached task.
import { z } from "zod";
import type { Engine, NodeOptions } from "./engines.js";
import { Calls, collect, logKey, scenario, sleep, type Scenario } from "./harness.js";

/** START -> double (cached) -> END over { x, y, log }. */
function doubler(engine: Engine, calls: Calls, cachePolicy: NodeOptions["cachePolicy"] = {}) {
  return engine
    .graph({
      x: z.number(),
      y: z.number().optional(),
      note: z.string().optional(),
      log: logKey(engine),
    })
    .addNode(
      "double",
      (state: { x: number }) => {
        calls.hit("double");
        return { y: state.x * 2, log: [`double ${state.x}`] };
      },
      { cachePolicy },
    )
    .addEdge(engine.START, "double")
    .addEdge("double", engine.END)
    .compile({ cache: engine.cache() });
}

export const cacheScenarios: Scenario[] = [
  scenario({
    name: "cache: the same input is served from the cache, and its update chunk is marked cached",
    run: async (engine) => {
      const calls = new Calls();
      const graph = doubler(engine, calls);
      const first = await collect(graph.stream({ x: 3 }, { streamMode: "updates" }));
      const second = await collect(graph.stream({ x: 3 }, { streamMode: "updates" }));
      const state = await graph.invoke({ x: 3 });
      return { calls: calls.counts, first, second, state };
    },
    expected: {
      calls: { double: 1 },
      first: [{ double: { y: 6, log: ["double 3"] } }],
      second: [{ double: { y: 6, log: ["double 3"] }, __metadata__: { cached: true } }],
      state: { x: 3, y: 6, log: ["double 3"] },
    },
  }),

  scenario({
    name: "cache: another input runs the node; the first input is still cached",
    run: async (engine) => {
      const calls = new Calls();
      const graph = doubler(engine, calls);
      const results = [];
      for (const x of [1, 2, 1, 2]) results.push((await graph.invoke({ x })).y);
      return { calls: calls.counts, results };
    },
    expected: { calls: { double: 2 }, results: [2, 4, 2, 4] },
  }),

  scenario({
    name: "cache: keyFunc receives [input] and decides which inputs are the same",
    run: async (engine) => {
      const calls = new Calls();
      const graph = doubler(engine, calls, {
        keyFunc: (args) => String((args[0] as { x: number }).x),
      });
      const a = await graph.invoke({ x: 5, note: "first" });
      const b = await graph.invoke({ x: 5, note: "second" });
      return { calls: calls.counts, notes: [a.note, b.note], ys: [a.y, b.y] };
    },
    expected: { calls: { double: 1 }, notes: ["first", "second"], ys: [10, 10] },
  }),

  scenario({
    name: "cache: an entry older than ttl seconds is not used",
    run: async (engine) => {
      const calls = new Calls();
      const graph = doubler(engine, calls, { ttl: 1 });
      await graph.invoke({ x: 7 });
      await graph.invoke({ x: 7 });
      await sleep(1200);
      await graph.invoke({ x: 7 });
      return calls.counts;
    },
    expected: { double: 2 },
  }),

  scenario({
    name: "cache: a cached node's routing and state on a thread are as if it ran",
    run: async (engine) => {
      const calls = new Calls();
      const graph = engine
        .graph({ x: z.number(), log: logKey(engine) })
        .addNode(
          "classify",
          (state: { x: number }) => {
            calls.hit("classify");
            return { log: [state.x > 0 ? "positive" : "other"] };
          },
          { cachePolicy: {} },
        )
        .addNode("after", () => ({ log: ["after"] }))
        .addEdge(engine.START, "classify")
        .addConditionalEdges("classify", (state: { log: string[] }) =>
          state.log.includes("positive") ? "after" : engine.END,
        )
        .addEdge("after", engine.END)
        .compile({ checkpointer: engine.checkpointer(), cache: engine.cache() });
      const one = await graph.invoke({ x: 1 }, { configurable: { thread_id: "c1" } });
      const two = await graph.invoke({ x: 1 }, { configurable: { thread_id: "c2" } });
      const snapshot = await graph.getState({ configurable: { thread_id: "c2" } });
      return {
        calls: calls.counts,
        one: one.log,
        two: two.log,
        next: snapshot.next,
      };
    },
    expected: {
      calls: { classify: 1 },
      one: ["positive", "after"],
      two: ["positive", "after"],
      next: [],
    },
  }),

  scenario({
    name: "cache: a node without cachePolicy runs every time even with a cache",
    run: async (engine) => {
      const calls = new Calls();
      const graph = engine
        .graph({ x: z.number() })
        .addNode("plain", (state: { x: number }) => {
          calls.hit("plain");
          return { x: state.x };
        })
        .addEdge(engine.START, "plain")
        .compile({ cache: engine.cache() });
      await graph.invoke({ x: 1 });
      await graph.invoke({ x: 1 });
      return calls.counts;
    },
    expected: { plain: 2 },
  }),
];

// Streaming modes, and what a run does with failures: node errors, conflicting writes, the
// recursion limit and updates the schema does not accept.
import { z } from "zod";
import type { Engine, NodeContext } from "./engines.js";
import {
  collect,
  counterState,
  logKey,
  outcome,
  says,
  scenario,
  sleep,
  type Scenario,
} from "./harness.js";

/** START -> a (x = 1) -> b (x = 2). */
function twoSteps(engine: Engine, x: z.ZodType<number | undefined> = z.number()) {
  return engine
    .graph({ x })
    .addNode("a", () => ({ x: 1 }))
    .addNode("b", () => ({ x: 2 }))
    .addEdge(engine.START, "a")
    .addEdge("a", "b")
    .compile();
}

/** START -> u (returns nothing) -> k (logs "k"). */
function nothingThenK(engine: Engine) {
  return engine
    .graph({ log: logKey(engine) })
    .addNode("u", () => undefined)
    .addNode("k", says("k"))
    .addEdge(engine.START, "u")
    .addEdge("u", "k")
    .compile();
}

class MyError extends Error {
  override name = "MyError";
}

export const streamScenarios: Scenario[] = [
  scenario({
    name: "stream() without streamMode streams updates",
    run: (engine) => collect(twoSteps(engine).stream({ x: 0 })),
    expected: [{ a: { x: 1 } }, { b: { x: 2 } }],
  }),

  scenario({
    name: "updates chunks are emitted as each task completes",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b", 40))
        .addNode("c", says("c"))
        .addNode("d", says("d"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("a", "c")
        .addEdge(["b", "c"], "d")
        .compile();
      return collect(graph.stream({ log: [] }, { streamMode: "updates" }));
    },
    expected: [
      { a: { log: ["a"] } },
      { c: { log: ["c"] } },
      { b: { log: ["b"] } },
      { d: { log: ["d"] } },
    ],
  }),

  scenario({
    name: "values stream: the input state first (only if the input writes), then each step",
    run: async (engine) => ({
      withInput: await collect(twoSteps(engine).stream({ x: 0 }, { streamMode: "values" })),
      // x is optional here: a required key missing from a first input is refused (see below).
      emptyInput: await collect(
        twoSteps(engine, z.number().optional()).stream({}, { streamMode: "values" }),
      ),
    }),
    expected: {
      withInput: [{ x: 0 }, { x: 1 }, { x: 2 }],
      emptyInput: [{ x: 1 }, { x: 2 }],
    },
  }),

  scenario({
    name: "a first input without a key the schema requires",
    run: async (engine) => {
      const seen: unknown[] = [];
      const graph = engine
        .graph({ x: z.number(), y: z.number().optional() })
        .addNode("a", (state: { x?: number }) => {
          seen.push(state.x);
          return { y: 1 };
        })
        .addEdge(engine.START, "a")
        .compile();
      const result: unknown = await outcome(() => graph.invoke({}));
      return { result, seen };
    },
    differs: {
      switchyard: { result: { name: "MissingInputError", code: "MISSING_INPUT" }, seen: [] },
      langgraph: { result: { y: 1 }, seen: [undefined] },
      why: "Switchyard refuses a thread's first input that lacks a key the schema requires (no default, no reducer, not optional) before anything is stored; LangGraph runs the nodes on a state without it.",
    },
  }),

  scenario({
    name: "a node returning nothing streams { node: {} } and changes nothing",
    run: async (engine) => {
      const graph = nothingThenK(engine);
      return {
        final: await graph.invoke({ log: ["in"] }),
        updates: await collect(graph.stream({ log: ["in"] }, { streamMode: "updates" })),
      };
    },
    expected: {
      final: { log: ["in", "k"] },
      updates: [{ u: {} }, { k: { log: ["k"] } }],
    },
  }),

  scenario({
    name: "values stream: no chunk for a superstep that wrote nothing",
    run: (engine) =>
      collect(nothingThenK(engine).stream({ log: ["in"] }, { streamMode: ["updates", "values"] })),
    expected: [
      ["values", { log: ["in"] }],
      ["updates", { u: {} }],
      ["updates", { k: { log: ["k"] } }],
      ["values", { log: ["in", "k"] }],
    ],
  }),

  scenario({
    name: "a list of modes yields [mode, payload] tuples, also for a one-element list",
    run: async (engine) => ({
      two: await collect(twoSteps(engine).stream({ x: 0 }, { streamMode: ["updates", "values"] })),
      one: await collect(twoSteps(engine).stream({ x: 0 }, { streamMode: ["updates"] })),
    }),
    expected: {
      two: [
        ["values", { x: 0 }],
        ["updates", { a: { x: 1 } }],
        ["values", { x: 1 }],
        ["updates", { b: { x: 2 } }],
        ["values", { x: 2 }],
      ],
      one: [
        ["updates", { a: { x: 1 } }],
        ["updates", { b: { x: 2 } }],
      ],
    },
  }),

  scenario({
    name: "custom stream: what a node passes to writer, before that node's update",
    run: async (engine) => {
      const writerTypes: string[] = [];
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", (_, ctx: NodeContext) => {
          writerTypes.push(typeof ctx.writer);
          ctx.writer?.({ hello: 1 });
          ctx.writer?.("str");
          return { x: 1 };
        })
        .addNode("b", async (_, ctx: NodeContext) => {
          await sleep(5);
          ctx.writer?.({ fromB: true });
        })
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .compile();
      return {
        mixed: await collect(graph.stream({ x: 0 }, { streamMode: ["custom", "updates"] })),
        customOnly: await collect(graph.stream({ x: 0 }, { streamMode: "custom" })),
        // Not streamed: the writer still exists and its chunks go nowhere.
        invoked: await graph.invoke({ x: 0 }),
        writerTypes,
      };
    },
    expected: {
      mixed: [
        ["custom", { hello: 1 }],
        ["custom", "str"],
        ["updates", { a: { x: 1 } }],
        ["custom", { fromB: true }],
        ["updates", { b: {} }],
      ],
      customOnly: [{ hello: 1 }, "str", { fromB: true }],
      invoked: { x: 1 },
      writerTypes: ["function", "function", "function"],
    },
  }),

  scenario({
    name: "a node fails while its sibling finishes: the run rejects",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("ok", says("ok"))
        .addNode("bad", async () => {
          await sleep(20);
          throw new MyError("boom");
        })
        .addEdge(engine.START, "ok")
        .addEdge(engine.START, "bad")
        .compile();
      return outcome(() => graph.invoke({ log: [] }));
    },
    differs: {
      switchyard: { name: "NodeFailedError", code: "NODE_FAILED", cause: { name: "MyError" } },
      langgraph: { name: "MyError" },
      why: "Switchyard wraps a node's error in NodeFailedError (code NODE_FAILED, naming node, step and thread) with the original as `cause`; LangGraph rethrows the original error object.",
    },
  }),

  scenario({
    name: "two nodes write one last-value key in the same step: the run rejects",
    run: (engine) => {
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", () => ({ x: 1 }))
        .addNode("b", () => ({ x: 2 }))
        .addEdge(engine.START, "a")
        .addEdge(engine.START, "b")
        .compile();
      return outcome(() => graph.invoke({ x: 0 }));
    },
    differs: {
      switchyard: { name: "ConcurrentUpdateError", code: "CONCURRENT_UPDATE" },
      langgraph: { name: "InvalidUpdateError", code: "INVALID_CONCURRENT_GRAPH_UPDATE" },
      why: "Both reject; Switchyard has its own error class with code CONCURRENT_UPDATE, whose message names both nodes.",
    },
  }),

  scenario({
    name: "recursion limit 5 on a loop a -> a: a runs 5 times, then the run rejects",
    run: async (engine) => {
      let runs = 0;
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", (s) => {
          runs += 1;
          return { x: s.x + 1 };
        })
        .addEdge(engine.START, "a")
        .addEdge("a", "a")
        .compile();
      const error = await outcome(() => graph.invoke({ x: 0 }, { recursionLimit: 5 }));
      return { runs, error };
    },
    differs: {
      switchyard: { runs: 5, error: { name: "RecursionLimitError", code: "RECURSION_LIMIT" } },
      langgraph: { runs: 5, error: { name: "GraphRecursionError", code: "GRAPH_RECURSION_LIMIT" } },
      why: "Same number of runs; only the error class and code differ.",
    },
  }),

  scenario({
    name: "a chain of 3 nodes with recursionLimit 3 and 4",
    run: async (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addNode("c", says("c"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("b", "c")
        .compile();
      const limit = (recursionLimit: number) =>
        outcome(async () => (await graph.invoke({ x: 0, log: [] }, { recursionLimit })).log);
      return { limit3: await limit(3), limit4: await limit(4) };
    },
    differs: {
      switchyard: { limit3: ["a", "b", "c"], limit4: ["a", "b", "c"] },
      langgraph: {
        limit3: { name: "GraphRecursionError", code: "GRAPH_RECURSION_LIMIT" },
        limit4: ["a", "b", "c"],
      },
      why: "Switchyard counts only node supersteps against the limit, so N nodes in a row fit in a limit of N; LangGraph counts its input step too and needs N + 1.",
    },
  }),

  scenario({
    name: "an update or input with a key the schema does not have",
    run: async (engine) => {
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", () => ({ x: 1, nope: 1 }) as { x: number })
        .addEdge(engine.START, "a")
        .compile();
      const input = { x: 0, nope: 1 } as { x: number };
      return {
        fromNode: await outcome(() => graph.invoke({ x: 0 })),
        fromInput: await outcome(() => graph.invoke(input)),
      };
    },
    differs: {
      switchyard: {
        fromNode: { name: "InvalidUpdateError", code: "INVALID_UPDATE" },
        fromInput: { name: "InvalidUpdateError", code: "INVALID_UPDATE" },
      },
      langgraph: { fromNode: { x: 1 }, fromInput: { x: 1 } },
      why: "LangGraph silently drops keys that are not in the state schema (a typo loses data); Switchyard rejects the update with INVALID_UPDATE naming the node and the key.",
    },
  }),

  scenario({
    name: "an update or input whose value the schema rejects: the run rejects",
    run: async (engine) => {
      const graph = engine
        .graph({ x: z.number() })
        .addNode("a", () => ({ x: "str" }) as unknown as { x: number })
        .addEdge(engine.START, "a")
        .compile();
      const input = { x: "str" } as unknown as { x: number };
      return {
        fromNode: await outcome(() => graph.invoke({ x: 0 })),
        fromInput: await outcome(() => graph.invoke(input)),
      };
    },
    differs: {
      switchyard: {
        fromNode: { name: "InvalidUpdateError", code: "INVALID_UPDATE" },
        fromInput: { name: "InvalidUpdateError", code: "INVALID_UPDATE" },
      },
      langgraph: { fromNode: { name: "$ZodError" }, fromInput: { name: "$ZodError" } },
      why: "Both reject; LangGraph throws zod's own error, Switchyard an InvalidUpdateError (code INVALID_UPDATE) naming node and key.",
    },
  }),
];

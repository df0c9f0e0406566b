// Graph shapes and write application: chains, branches, loops, fan-out/fan-in, joins, routers,
// reducers and the messages reducer.
import { AIMessage, HumanMessage, RemoveMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import {
  counterState,
  logKey,
  observeRun,
  says,
  scenario,
  sleep,
  type Scenario,
} from "./harness.js";

const branches: Scenario[] = [1, -1].map((x) =>
  scenario({
    name: `conditional edge takes the ${x > 0 ? "first" : "second"} branch (x = ${x})`,
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("check", says("check"))
        .addNode("pos", says("pos"))
        .addNode("neg", says("neg"))
        .addEdge(engine.START, "check")
        .addConditionalEdges("check", (s) => (s.x > 0 ? "pos" : "neg"))
        .addEdge("pos", engine.END)
        .addEdge("neg", engine.END)
        .compile();
      return observeRun(graph, { x });
    },
    expected: {
      final: { x, log: ["check", x > 0 ? "pos" : "neg"] },
      steps: [
        [],
        [{ check: { log: ["check"] } }],
        [{ [x > 0 ? "pos" : "neg"]: { log: [x > 0 ? "pos" : "neg"] } }],
      ],
    },
  }),
);

const pathMapBranches: Scenario[] = [1, -1].map((x) =>
  scenario({
    name: `conditional edge with a path map object routes "${x > 0 ? "yes" : "no"}"`,
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addEdge(engine.START, "a")
        .addConditionalEdges("a", (s) => (s.x > 0 ? "yes" : "no"), { yes: "b", no: engine.END })
        .addEdge("b", engine.END)
        .compile();
      return observeRun(graph, { x });
    },
    expected: {
      final: { x, log: x > 0 ? ["a", "b"] : ["a"] },
      steps:
        x > 0
          ? [[], [{ a: { log: ["a"] } }], [{ b: { log: ["b"] } }]]
          : [[], [{ a: { log: ["a"] } }]],
    },
  }),
);

export const flowScenarios: Scenario[] = [
  scenario({
    name: "linear chain START -> a -> b -> c",
    run: (engine) => {
      const step = (name: string) => (s: { x: number }) => ({ x: s.x + 1, log: [name] });
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", step("a"))
        .addNode("b", step("b"))
        .addNode("c", step("c"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("b", "c")
        .addEdge("c", engine.END)
        .compile();
      return observeRun(graph, { x: 0, log: ["in"] });
    },
    expected: {
      final: { x: 3, log: ["in", "a", "b", "c"] },
      steps: [
        [],
        [{ a: { x: 1, log: ["a"] } }],
        [{ b: { x: 2, log: ["b"] } }],
        [{ c: { x: 3, log: ["c"] } }],
      ],
    },
  }),

  scenario({
    name: "chain with a reducer counter folds the input and every update",
    run: (engine) => {
      const graph = engine
        .graph({
          count: engine.reducer(
            z.number(),
            (a, b) => a + b,
            () => 0,
          ),
        })
        .addNode("a", () => ({ count: 1 }))
        .addNode("b", () => ({ count: 2 }))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("b", engine.END)
        .compile();
      return observeRun(graph, { count: 10 });
    },
    expected: {
      final: { count: 13 },
      steps: [[], [{ a: { count: 1 } }], [{ b: { count: 2 } }]],
    },
  }),

  ...branches,
  ...pathMapBranches,

  scenario({
    name: "loop a -> a until a condition holds",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode("a", (s) => ({ x: s.x + 1, log: ["a"] }))
        .addEdge(engine.START, "a")
        .addConditionalEdges("a", (s) => (s.x < 3 ? "a" : engine.END))
        .compile();
      return observeRun(graph, { x: 0 });
    },
    expected: {
      final: { x: 3, log: ["a", "a", "a"] },
      steps: [
        [],
        [{ a: { x: 1, log: ["a"] } }],
        [{ a: { x: 2, log: ["a"] } }],
        [{ a: { x: 3, log: ["a"] } }],
      ],
    },
  }),

  scenario({
    name: "fan-out to b and c, fan-in: d triggered twice in one step runs once",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b", 20))
        .addNode("c", says("c"))
        .addNode("d", says("d"))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("a", "c")
        .addEdge("b", "d")
        .addEdge("c", "d")
        .addEdge("d", engine.END)
        .compile();
      return observeRun(graph, { log: ["in"] });
    },
    expected: {
      final: { log: ["in", "a", "b", "c", "d"] },
      steps: [
        [],
        [{ a: { log: ["a"] } }],
        [{ b: { log: ["b"] } }, { c: { log: ["c"] } }],
        [{ d: { log: ["d"] } }],
      ],
    },
  }),

  scenario({
    name: "a node triggered in two different steps runs twice",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addNode("i", says("i"))
        .addNode("c", says("c"))
        .addEdge(engine.START, "a")
        .addEdge(engine.START, "b")
        .addEdge("a", "c")
        .addEdge("b", "i")
        .addEdge("i", "c")
        .compile();
      return observeRun(graph, { log: [] });
    },
    expected: {
      final: { log: ["a", "b", "c", "i", "c"] },
      steps: [
        [],
        [{ a: { log: ["a"] } }, { b: { log: ["b"] } }],
        [{ c: { log: ["c"] } }, { i: { log: ["i"] } }],
        [{ c: { log: ["c"] } }],
      ],
    },
  }),

  scenario({
    name: "join addEdge([b, c], d) waits for sources that finish in different steps",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("b", says("b"))
        .addNode("i", says("i"))
        .addNode("c", says("c"))
        .addNode("d", says("d"))
        .addEdge(engine.START, "b")
        .addEdge(engine.START, "i")
        .addEdge("i", "c")
        .addEdge(["b", "c"], "d")
        .addEdge("d", engine.END)
        .compile();
      return observeRun(graph, { log: ["in"] });
    },
    expected: {
      final: { log: ["in", "b", "i", "c", "d"] },
      steps: [
        [],
        [{ b: { log: ["b"] } }, { i: { log: ["i"] } }],
        [{ c: { log: ["c"] } }],
        [{ d: { log: ["d"] } }],
      ],
    },
  }),

  scenario({
    name: "join whose second source never runs never fires (and is no error)",
    run: (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("b", says("b"))
        .addNode("x", says("x"))
        .addNode("c", says("c"))
        .addNode("d", says("d"))
        .addEdge(engine.START, "b")
        .addEdge(engine.START, "x")
        .addConditionalEdges("x", () => engine.END, ["c", engine.END])
        .addEdge(["b", "c"], "d")
        .compile();
      return observeRun(graph, { log: [] });
    },
    expected: {
      final: { log: ["b", "x"] },
      steps: [[], [{ b: { log: ["b"] } }, { x: { log: ["x"] } }]],
    },
  }),

  scenario({
    name: "router sees only its own node's writes, not its siblings'",
    run: async (engine) => {
      const seen: Record<string, unknown> = {};
      const graph = engine
        .graph({ x: z.number().default(0), y: z.number().default(0), log: logKey(engine) })
        .addNode("a", async () => {
          await sleep(20);
          return { x: 1, log: ["a"] };
        })
        .addNode("b", () => ({ y: 1, log: ["b"] }))
        .addEdge(engine.START, "a")
        .addEdge(engine.START, "b")
        .addConditionalEdges("a", (s) => {
          seen.a = structuredClone(s);
          return engine.END;
        })
        .addConditionalEdges("b", (s) => {
          seen.b = structuredClone(s);
          return engine.END;
        })
        .compile();
      const final = await graph.invoke({ log: ["in"] });
      return { final, seen };
    },
    expected: {
      final: { x: 1, y: 1, log: ["in", "a", "b"] },
      seen: { a: { x: 1, y: 0, log: ["in", "a"] }, b: { x: 0, y: 1, log: ["in", "b"] } },
    },
  }),

  scenario({
    name: "reducer folds the input onto its initial value, then writes in node-name order",
    run: (engine) => {
      const graph = engine
        .graph({
          log: engine.reducer(
            z.array(z.string()),
            (a, b) => a.concat(b),
            () => ["init"],
          ),
        })
        .addNode("b", () => ({ log: ["b1", "b2"] }))
        .addNode("a", says("a1", 20))
        .addEdge(engine.START, "b")
        .addEdge(engine.START, "a")
        .compile();
      return observeRun(graph, { log: ["in"] });
    },
    expected: {
      final: { log: ["init", "in", "a1", "b1", "b2"] },
      steps: [[], [{ a: { log: ["a1"] } }, { b: { log: ["b1", "b2"] } }]],
    },
  }),

  scenario({
    name: "zod default on a last-value key; an unset optional key stays absent",
    run: async (engine) => {
      let keysSeen: string[] = [];
      const graph = engine
        .graph({ x: z.number().default(7), y: z.number().optional(), note: z.string().optional() })
        .addNode("a", (s) => {
          keysSeen = Object.keys(s).sort();
          return { y: s.x * 2 };
        })
        .addEdge(engine.START, "a")
        .compile();
      const final = await graph.invoke({});
      return { final, keys: Object.keys(final).sort(), keysSeen };
    },
    expected: { final: { x: 7, y: 14 }, keys: ["x", "y"], keysSeen: ["x"] },
  }),

  scenario({
    name: "messages reducer merges by id: replace, append (with a new id), remove",
    run: async (engine) => {
      const graph = engine
        .graph({ messages: engine.messages() })
        .addNode("a", () => ({ messages: [new AIMessage({ content: "draft", id: "ai1" })] }))
        .addNode("b", () => ({
          messages: [new AIMessage({ content: "final", id: "ai1" }), new HumanMessage("thanks")],
        }))
        .addNode("c", () => ({ messages: [new RemoveMessage({ id: "h1" })] }))
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("b", "c")
        .compile();
      const final = await graph.invoke({
        messages: [new HumanMessage({ content: "hi", id: "h1" })],
      });
      return final.messages.map((message: BaseMessage) => ({
        type: message.getType(),
        content: message.content,
        id: message.id === "ai1" || message.id === "h1" ? message.id : typeof message.id,
      }));
    },
    expected: [
      { type: "ai", content: "final", id: "ai1" },
      { type: "human", content: "thanks", id: "string" },
    ],
  }),
];

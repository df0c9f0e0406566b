// The builder forms LangGraph.js users write besides addNode(name, fn): several nodes at once,
// addSequence, the object form of addConditionalEdges, and a Runnable as router.
import { RunnableLambda } from "@langchain/core/runnables";
import { counterState, observeRun, says, scenario, type Scenario } from "./harness.js";

const chainOfThree = {
  final: { x: 1, log: ["a", "b", "c"] },
  steps: [[], [{ a: { log: ["a"] } }], [{ b: { log: ["b"] } }], [{ c: { log: ["c"] } }]],
};

export const builderScenarios: Scenario[] = [
  scenario({
    name: "addNode({ a, b, c }) adds every node of the object",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode({ a: says("a"), b: says("b"), c: says("c") })
        .addEdge(engine.START, "a")
        .addEdge("a", "b")
        .addEdge("b", "c")
        .addEdge("c", engine.END)
        .compile();
      return observeRun(graph, { x: 1 });
    },
    expected: chainOfThree,
  }),
  scenario({
    name: "addNode([[name, fn, options]]) adds every listed node with its options",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addNode([
          ["a", () => new engine.Command({ goto: "c", update: { log: ["a"] } }), { ends: ["c"] }],
          ["c", says("c")],
        ])
        .addEdge(engine.START, "a")
        .addEdge("c", engine.END)
        .compile();
      return observeRun(graph, { x: 1 });
    },
    expected: {
      final: { x: 1, log: ["a", "c"] },
      steps: [[], [{ a: { log: ["a"] } }], [{ c: { log: ["c"] } }]],
    },
  }),
  scenario({
    name: "addSequence chains its nodes in order; the first still needs an edge in",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addSequence([
          ["a", says("a")],
          ["b", says("b")],
          ["c", says("c")],
        ])
        .addEdge(engine.START, "a")
        .addEdge("c", engine.END)
        .compile();
      return observeRun(graph, { x: 1 });
    },
    expected: chainOfThree,
  }),
  scenario({
    name: "addSequence takes an object of nodes too",
    run: (engine) => {
      const graph = engine
        .graph(counterState(engine))
        .addSequence({ a: says("a"), b: says("b"), c: says("c") })
        .addEdge(engine.START, "a")
        .addEdge("c", engine.END)
        .compile();
      return observeRun(graph, { x: 1 });
    },
    expected: chainOfThree,
  }),
  ...[1, -1].map((x) =>
    scenario({
      name: `addConditionalEdges({ source, path, pathMap }) routes like the positional form (x = ${x})`,
      run: (engine) => {
        const graph = engine
          .graph(counterState(engine))
          .addNode("a", says("a"))
          .addNode("b", says("b"))
          .addEdge(engine.START, "a")
          .addConditionalEdges({
            source: "a",
            path: (s) => (s.x > 0 ? "yes" : "no"),
            pathMap: { yes: "b", no: engine.END },
          })
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
  ),
  scenario({
    name: "a Runnable works as a router",
    run: (engine) => {
      const router = RunnableLambda.from((s: { x: number }) => (s.x > 0 ? "pos" : "neg"));
      const graph = engine
        .graph(counterState(engine))
        .addNode("check", says("check"))
        .addNode("pos", says("pos"))
        .addNode("neg", says("neg"))
        .addEdge(engine.START, "check")
        .addConditionalEdges("check", router, ["pos", "neg"])
        .addEdge("pos", engine.END)
        .addEdge("neg", engine.END)
        .compile();
      return observeRun(graph, { x: 2 });
    },
    expected: {
      final: { x: 2, log: ["check", "pos"] },
      steps: [[], [{ check: { log: ["check"] } }], [{ pos: { log: ["pos"] } }]],
    },
  }),
];

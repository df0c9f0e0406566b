// Deliberate differences from LangGraph.js that are not covered elsewhere, each asserted for both
// engines so a change on either side shows up here. docs/semantics.md explains each one.
import { z } from "zod";
import { logKey, outcome, says, scenario, thread, type Scenario } from "./harness.js";

export const differenceScenarios: Scenario[] = [
  scenario({
    name: "a zod default on a last-value key is the thread's starting value, not re-applied per input",
    run: async (engine) => {
      const graph = engine
        .graph({ x: z.number().default(7), log: logKey(engine) })
        .addNode("inc", (s) => ({ x: s.x + 1, log: [`saw ${s.x}`] }))
        .addEdge(engine.START, "inc")
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      const first = await graph.invoke({}, config);
      const second = await graph.invoke({ log: ["again"] }, config);
      return { first: first.x, second: second.x, log: second.log };
    },
    differs: {
      switchyard: { first: 8, second: 9, log: ["saw 7", "again", "saw 8"] },
      langgraph: { first: 8, second: 8, log: ["saw 7", "again", "saw 7"] },
      why:
        "LangGraph parses every input with the schema, so a key's .default() overwrites the thread's " +
        "value on each new input that omits it; Switchyard treats the default as the starting value " +
        "of a new thread, so input only changes the keys it names.",
    },
  }),
  scenario({
    name: "a router without a path map returning an unknown node",
    run: async (engine) => {
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("a", says("a"))
        .addNode("b", says("b"))
        .addEdge(engine.START, "a")
        .addConditionalEdges("a", () => ["b", "nowhere"])
        .addEdge("b", engine.END)
        .compile();
      const result = await outcome(() => graph.invoke({ log: [] }));
      return "name" in result ? { error: result.code ?? result.name } : { log: result.log };
    },
    differs: {
      switchyard: { error: "UNKNOWN_NODE" },
      langgraph: { log: ["a", "b"] },
      why:
        "LangGraph drops a branch to a node that does not exist and runs the rest; Switchyard fails " +
        "the run with UNKNOWN_NODE naming the router, since a misspelt route is a bug to fix.",
    },
  }),
];

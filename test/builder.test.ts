// The builder forms beyond addNode(name, fn): what they refuse, and that they type-check as
// LangGraph users write them. Their behaviour on both engines is in test/conformance.
import { RunnableLambda } from "@langchain/core/runnables";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  append,
  DuplicateNodeError,
  END,
  InvalidEdgeError,
  InvalidNodeError,
  START,
  StateGraph,
} from "../src/index.js";

const State = z.object({ count: z.number(), log: append(z.string()) });
const graph = () => new StateGraph(State);

describe("several nodes at once", () => {
  it("addNode and addSequence refuse what is neither an object of nodes nor a list of entries", () => {
    expect(() => graph().addNode([["a"] as never])).toThrow(InvalidNodeError);
    expect(() => graph().addNode([[42, () => ({})] as never])).toThrow(
      /each entry must be \[name, fn\]/,
    );
    expect(() => graph().addNode(7 as never)).toThrow(InvalidNodeError);
    expect(() => graph().addSequence([])).toThrow(/addSequence\(\) needs at least one node/);
  });

  it("names every node of the batch as a single addNode would, duplicates included", () => {
    const twice = () =>
      graph()
        .addNode({ a: () => ({}) })
        .addNode([["a", () => ({})]]);
    expect(twice).toThrow(DuplicateNodeError);
    const batch = graph().addNode({ a: () => ({ count: 1 }), b: () => ({ log: "b" }) });
    const compiled = batch.addEdge(START, "a").addEdge("a", "b").addEdge("b", END).compile();
    return expect(compiled.invoke({ count: 0 })).resolves.toEqual({ count: 1, log: ["b"] });
  });

  it("addSequence links only its own nodes: the first has no edge from START", () => {
    const compile = () =>
      graph()
        .addSequence({ a: () => ({}), b: () => ({}) })
        .compile();
    expect(compile).toThrow(/START/);
  });

  it("node functions in a batch see the typed state", () => {
    graph().addNode({
      a: (state) => {
        expectTypeOf(state.count).toEqualTypeOf<number>();
        expectTypeOf(state.log).toEqualTypeOf<string[]>();
        return { count: state.count + 1 };
      },
    });
  });
});

describe("conditional edges", () => {
  it("refuse a router that is neither a function nor a Runnable, naming the source", () => {
    const define = () => graph().addConditionalEdges("a", "b" as never);
    expect(define).toThrow(InvalidEdgeError);
    expect(define).toThrow(/addConditionalEdges\("a", router\).*got string/);
  });

  it("the object form and a Runnable router route the same as a function", async () => {
    const router = RunnableLambda.from((state: { count: number }) =>
      state.count > 0 ? "up" : END,
    );
    const compiled = graph()
      .addNode("start", () => ({}))
      .addNode("up", () => ({ log: "up" }))
      .addEdge(START, "start")
      .addConditionalEdges({ source: "start", path: router, pathMap: ["up", END] })
      .addEdge("up", END)
      .compile();
    expect(await compiled.invoke({ count: 1 })).toEqual({ count: 1, log: ["up"] });
    expect(await compiled.invoke({ count: 0 })).toEqual({ count: 0, log: [] });
  });
});

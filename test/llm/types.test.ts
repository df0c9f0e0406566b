// The LLM helpers fit StateGraph without casts, and a wrong messages key is a type error.
// `npx tsc --noEmit -p .` is the real check; the @ts-expect-error lines prove it rejects mistakes.
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  chatNode,
  END,
  messages,
  START,
  StateGraph,
  toolNode,
  toolsCondition,
  type TokenUsage,
  type ThreadUsage,
} from "../../src/index.js";
import { adder } from "./fixtures.js";

const model = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "test" });

describe("LLM helper types", () => {
  it("chatNode, toolNode and toolsCondition plug into a graph over any state with messages", () => {
    const { add } = adder();
    const graph = new StateGraph(z.object({ messages: messages(), topic: z.string() }))
      .addNode("agent", chatNode(model, { tools: [add] }))
      .addNode("tools", toolNode([add]))
      .addEdge(START, "agent")
      .addConditionalEdges("agent", toolsCondition, ["tools", END])
      .addEdge("tools", "agent")
      .compile();
    expect(graph.nodeNames).toEqual(["agent", "tools"]);
    expectTypeOf<Awaited<ReturnType<typeof graph.getUsage>>>().toEqualTypeOf<ThreadUsage>();
    expectTypeOf<ThreadUsage["total"]>().toEqualTypeOf<TokenUsage>();
  });

  it("rejects a messages key the state does not have", () => {
    const graph = new StateGraph(z.object({ messages: messages(), topic: z.string() }));
    // @ts-expect-error -- the state has no "history" key
    graph.addNode("agent", chatNode(model, { messagesKey: "history" }));
    // @ts-expect-error -- nor here
    graph.addNode("tools", toolNode([], { messagesKey: "history" }));
    expect(graph).toBeDefined();
  });
});

// Stream mode "messages" (issue 5): a model's tokens as they arrive, tagged with node and step, in
// order and before the node's update; and @langchain/core Runnables as nodes.
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MemoryCheckpointer, START, StateGraph } from "../../src/index.js";
import { collect } from "../support.js";
import { adder, agentGraph, State, thread, useFakeOpenAI } from "./fixtures.js";

const server = useFakeOpenAI();

interface TokenMetadata {
  node: string;
  superstep: number;
  langgraph_node: string;
  langgraph_step: number;
}
type Event = ["messages", [AIMessageChunk, TokenMetadata]] | ["updates", Record<string, unknown>];

/** "messages:agent@0" per token, "updates:agent" per update; repeats of one label collapsed. */
function outline(events: readonly Event[]): string[] {
  const labels = events.map(([mode, payload]) =>
    mode === "messages"
      ? `messages:${payload[1].node}@${payload[1].superstep}`
      : `updates:${Object.keys(payload).join(",")}`,
  );
  return labels.filter((label, index) => label !== labels[index - 1]);
}

function tokensOf(events: readonly Event[], superstep: number): AIMessageChunk[] {
  return events.flatMap(([mode, payload]) =>
    mode === "messages" && payload[1].superstep === superstep ? [payload[0]] : [],
  );
}

describe('stream mode "messages"', () => {
  it("yields each token as it arrives, tagged with node and step, before the node's update", async () => {
    const { add } = adder();
    server().script(
      { toolCalls: [{ name: "add", args: { a: 2, b: 3 }, id: "call_add" }] },
      { content: "The sum is 5", tokens: ["The", " sum", " is", " 5"] },
    );
    const graph = agentGraph(server(), [add]).compile({ checkpointer: new MemoryCheckpointer() });

    const events = (await collect(
      graph.stream(
        { messages: [new HumanMessage("2 + 3?")] },
        { ...thread("t"), streamMode: ["messages", "updates"] },
      ),
    )) as Event[];

    expect(outline(events)).toEqual([
      "messages:agent@0",
      "updates:agent",
      "updates:tools",
      "messages:agent@2",
      "updates:agent",
    ]);
    const answer = tokensOf(events, 2);
    expect(answer.every((chunk) => AIMessageChunk.isInstance(chunk))).toBe(true);
    expect(answer.map((chunk) => chunk.content).filter((text) => text !== "")).toEqual([
      "The",
      " sum",
      " is",
      " 5",
    ]);
    const metadata = events.find(([mode]) => mode === "messages")?.[1] as [unknown, TokenMetadata];
    expect(metadata[1]).toEqual({
      node: "agent",
      superstep: 0,
      langgraph_node: "agent",
      langgraph_step: 0,
    });
    // The tool call streams in pieces that add up to the call.
    const proposal = tokensOf(events, 0).reduce((sum, chunk) => sum.concat(chunk));
    expect(proposal.tool_calls).toEqual([
      { name: "add", args: { a: 2, b: 3 }, id: "call_add", type: "tool_call" },
    ]);

    // Streaming used SSE with usage; the state keeps plain AIMessages with that usage.
    expect(server().requests.map((request) => request.stream)).toEqual([true, true]);
    expect(server().requests[0]?.stream_options).toEqual({ include_usage: true });
    const state = await graph.getState(thread("t"));
    const final = state.values.messages.at(-1);
    expect(AIMessage.isInstance(final) && !AIMessageChunk.isInstance(final)).toBe(true);
    expect(final?.content).toBe("The sum is 5");
    expect((final as AIMessage).usage_metadata).toMatchObject({
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
    });
  });

  it("alone, yields [chunk, metadata] pairs", async () => {
    server().script({ content: "Hi there" });
    const graph = agentGraph(server(), []).compile();

    const events = (await collect(
      graph.stream({ messages: [new HumanMessage("hi")] }, { streamMode: "messages" }),
    )) as Array<[AIMessageChunk, TokenMetadata]>;

    expect(events.length).toBeGreaterThan(0);
    for (const [chunk, metadata] of events) {
      expect(AIMessageChunk.isInstance(chunk)).toBe(true);
      expect(metadata.node).toBe("agent");
    }
    expect(events.map(([chunk]) => chunk.text).join("")).toBe("Hi there");
  });
});

describe("a @langchain/core Runnable as a node", () => {
  it("runs with the state as input; a model inside it streams tokens tagged with the node", async () => {
    server().script({ content: "Bonjour" });
    const model = server().model();
    const translate = RunnableLambda.from((state: { messages: BaseMessage[] }) => state.messages)
      .pipe(model)
      .pipe(RunnableLambda.from((answer: AIMessageChunk) => ({ messages: [answer] })));
    const graph = new StateGraph(State)
      .addNode("translate", translate)
      .addEdge(START, "translate")
      .compile();

    const events = (await collect(
      graph.stream(
        { messages: [new HumanMessage("Hello in French?")] },
        { streamMode: ["messages", "updates"] },
      ),
    )) as Event[];

    expect(outline(events)).toEqual(["messages:translate@0", "updates:translate"]);
    expect(
      tokensOf(events, 0)
        .map((chunk) => chunk.text)
        .join(""),
    ).toBe("Bonjour");
    expect(server().requests[0]?.messages).toEqual([{ role: "user", content: "Hello in French?" }]);
  });

  it("receives the run's configurable and signal", async () => {
    const seen: unknown[] = [];
    const node = RunnableLambda.from((_state: { log: string[] }, config) => {
      const configurable = config.configurable as Record<string, unknown> | undefined;
      seen.push(configurable?.thread_id, config.signal instanceof AbortSignal);
      return { log: ["ran"] };
    });
    const graph = new StateGraph(z.object({ log: z.array(z.string()) }))
      .addNode("lambda", node)
      .addEdge(START, "lambda")
      .compile({ checkpointer: new MemoryCheckpointer() });

    const result = await graph.invoke({ log: [] }, thread("runnable-thread"));

    expect(result.log).toEqual(["ran"]);
    expect(seen).toEqual(["runnable-thread", true]);
  });
});

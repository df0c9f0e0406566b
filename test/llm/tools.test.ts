// LLM nodes (issue 5): chatNode, toolNode and toolsCondition in a tool-calling loop, through the
// real @langchain/openai client against a local chat-completions server.
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  chatNode,
  END,
  messages,
  START,
  StateGraph,
  toolNode,
  toolsCondition,
} from "../../src/index.js";
import { adder, agentGraph, useFakeOpenAI } from "./fixtures.js";

const server = useFakeOpenAI();

function types(list: readonly BaseMessage[]): string[] {
  return list.map((message) => message.type);
}

describe("a tool-calling loop", () => {
  it("model -> tools -> model -> END, with the tool's answer sent back to the model", async () => {
    const { add, calls } = adder();
    server().script(
      { toolCalls: [{ name: "add", args: { a: 2, b: 3 }, id: "call_add" }] },
      { content: "2 + 3 = 5" },
    );
    const graph = agentGraph(server(), [add], { system: "You add numbers." }).compile();

    const result = await graph.invoke({ messages: [new HumanMessage("What is 2 + 3?")] });

    expect(types(result.messages)).toEqual(["human", "ai", "tool", "ai"]);
    const [, proposal, answer, final] = result.messages;
    expect(AIMessage.isInstance(proposal)).toBe(true);
    expect((proposal as AIMessage).tool_calls).toEqual([
      { name: "add", args: { a: 2, b: 3 }, id: "call_add", type: "tool_call" },
    ]);
    expect(answer).toMatchObject({ content: "5", tool_call_id: "call_add", name: "add" });
    expect(final?.content).toBe("2 + 3 = 5");
    expect(calls).toEqual([{ a: 2, b: 3 }]);

    const [first, second] = server().requests;
    expect(server().requests).toHaveLength(2);
    expect(first?.messages).toEqual([
      { role: "system", content: "You add numbers." },
      { role: "user", content: "What is 2 + 3?" },
    ]);
    expect(first?.tools?.map((bound) => bound.function.name)).toEqual(["add"]);
    // Nothing streams "messages": one plain request per call, no SSE.
    expect(first?.stream).toBeFalsy();
    expect(second?.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
    ]);
    expect(second?.messages[2]?.tool_calls?.[0]).toMatchObject({
      id: "call_add",
      function: { name: "add" },
    });
    expect(second?.messages[3]).toMatchObject({ tool_call_id: "call_add", content: "5" });
  });

  it("runs the tool calls of one AIMessage concurrently and answers in call order", async () => {
    const finished: string[] = [];
    let timeDone!: () => void;
    const timeAnswered = new Promise<void>((resolve) => (timeDone = resolve));
    // weather waits until time has finished: run one after the other, this would never end.
    const weather = tool(
      async ({ city }) => {
        await timeAnswered;
        finished.push("weather");
        return `${city}: sunny`;
      },
      { name: "weather", description: "Weather.", schema: z.object({ city: z.string() }) },
    );
    const time = tool(
      ({ city }) => {
        finished.push("time");
        timeDone();
        return `${city}: 14:00`;
      },
      { name: "time", description: "Local time.", schema: z.object({ city: z.string() }) },
    );
    server().script(
      {
        toolCalls: [
          { name: "weather", args: { city: "Paris" }, id: "call_w" },
          { name: "time", args: { city: "Paris" }, id: "call_t" },
        ],
      },
      { content: "Sunny, and it is 14:00." },
    );
    const graph = agentGraph(server(), [weather, time]).compile();

    const result = await graph.invoke({ messages: [new HumanMessage("Paris?")] });

    expect(finished).toEqual(["time", "weather"]);
    expect(types(result.messages)).toEqual(["human", "ai", "tool", "tool", "ai"]);
    expect(result.messages.slice(2, 4)).toMatchObject([
      { tool_call_id: "call_w", name: "weather", content: "Paris: sunny" },
      { tool_call_id: "call_t", name: "time", content: "Paris: 14:00" },
    ]);
    const sentBack = server().requests[1]?.messages.filter((message) => message.role === "tool");
    expect(sentBack?.map((message) => message.tool_call_id)).toEqual(["call_w", "call_t"]);
  });

  it("a failing tool becomes an error ToolMessage and the loop goes on", async () => {
    const { add } = adder();
    const save = tool(
      () => {
        throw new Error("the disk is full");
      },
      { name: "save", description: "Saves a note.", schema: z.object({ note: z.string() }) },
    );
    server().script(
      {
        toolCalls: [
          { name: "save", args: { note: "5" }, id: "call_save" },
          { name: "add", args: { a: 2, b: 3 }, id: "call_add" },
        ],
      },
      { content: "It is 5, but I could not save it." },
    );
    const graph = agentGraph(server(), [save, add]).compile();

    const result = await graph.invoke({ messages: [new HumanMessage("Add and save.")] });

    expect(types(result.messages)).toEqual(["human", "ai", "tool", "tool", "ai"]);
    const [failed, succeeded] = result.messages.slice(2, 4) as ToolMessage[];
    expect(failed).toMatchObject({
      tool_call_id: "call_save",
      name: "save",
      status: "error",
      content: "Error: the disk is full",
    });
    expect(succeeded).toMatchObject({ tool_call_id: "call_add", content: "5" });
    expect(succeeded?.status).not.toBe("error");
    expect(result.messages.at(-1)?.content).toBe("It is 5, but I could not save it.");
    expect(server().requests[1]?.messages[2]).toMatchObject({
      role: "tool",
      tool_call_id: "call_save",
      content: "Error: the disk is full",
    });
  });

  it("an unknown tool or arguments that do not fit the schema give error ToolMessages too", async () => {
    const { add, calls } = adder();
    server().script(
      {
        toolCalls: [
          { name: "delete_everything", args: {}, id: "call_x" },
          { name: "add", args: { a: "two", b: 3 }, id: "call_bad" },
        ],
      },
      { content: "I cannot do that." },
    );
    const graph = agentGraph(server(), [add]).compile();

    const result = await graph.invoke({ messages: [new HumanMessage("Go.")] });

    const [unknown, invalid] = result.messages.slice(2, 4) as ToolMessage[];
    expect(unknown).toMatchObject({ tool_call_id: "call_x", status: "error" });
    expect(unknown?.content).toBe('Error: there is no tool "delete_everything" (tools: "add").');
    expect(invalid).toMatchObject({ tool_call_id: "call_bad", status: "error" });
    expect(invalid?.content).toMatch(/^Error: .*schema/);
    expect(calls).toEqual([]);
    expect(result.messages.at(-1)?.content).toBe("I cannot do that.");
  });

  it("works under another messages key, with toolsCondition wrapped for it", async () => {
    const { add } = adder();
    server().script({ toolCalls: [{ name: "add", args: { a: 1, b: 1 } }] }, { content: "2" });
    const History = z.object({ history: messages() });
    const graph = new StateGraph(History)
      .addNode("think", chatNode(server().model(), { tools: [add], messagesKey: "history" }))
      .addNode("act", toolNode([add], { messagesKey: "history" }))
      .addEdge(START, "think")
      .addConditionalEdges(
        "think",
        (state) => toolsCondition(state, { messagesKey: "history", toolsNode: "act" }),
        ["act", END],
      )
      .addEdge("act", "think")
      .compile();

    const result = await graph.invoke({ history: [new HumanMessage("1 + 1?")] });

    expect(types(result.history)).toEqual(["human", "ai", "tool", "ai"]);
    expect(result.history.at(-1)?.content).toBe("2");
  });
});

describe("toolsCondition", () => {
  const withCalls = new AIMessage({
    content: "",
    tool_calls: [{ name: "add", args: {}, id: "c1", type: "tool_call" }],
  });

  it('routes to "tools" after an AIMessage with tool calls, else to END', () => {
    expect(toolsCondition({ messages: [new HumanMessage("hi"), withCalls] })).toBe("tools");
    expect(toolsCondition({ messages: [new AIMessage("done")] })).toBe(END);
    expect(toolsCondition({ messages: [withCalls, new HumanMessage("hi")] })).toBe(END);
    expect(toolsCondition({ messages: [] })).toBe(END);
  });

  it("takes the messages key and the tools node's name", () => {
    const state = { history: [withCalls], messages: [] };
    expect(toolsCondition(state, { messagesKey: "history", toolsNode: "act" })).toBe("act");
    expect(toolsCondition(state)).toBe(END);
  });
});

describe("toolNode", () => {
  it("skips calls a ToolMessage already answers, and does nothing without an AIMessage", async () => {
    const { add, calls } = adder();
    const run = toolNode([add]);
    const proposal = new AIMessage({
      content: "",
      tool_calls: [
        { name: "add", args: { a: 1, b: 2 }, id: "c1", type: "tool_call" },
        { name: "add", args: { a: 3, b: 4 }, id: "c2", type: "tool_call" },
      ],
    });
    const answered = new ToolMessage({ content: "no", tool_call_id: "c1", status: "error" });
    const graph = new StateGraph(z.object({ messages: messages() }))
      .addNode("tools", run)
      .addEdge(START, "tools")
      .compile();

    const result = await graph.invoke({ messages: [proposal, answered] });
    expect(calls).toEqual([{ a: 3, b: 4 }]);
    expect(result.messages.at(-1)).toMatchObject({ tool_call_id: "c2", content: "7" });

    const nothing = await graph.invoke({ messages: [new HumanMessage("hi")] });
    expect(types(nothing.messages)).toEqual(["human"]);
  });
});

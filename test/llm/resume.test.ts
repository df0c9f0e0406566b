// Resuming after a failure (issue 5): a model call that finished is not made again. Either the
// chat node's task finished (its writes are pending writes of the superstep), or the call sits in
// a durable ctx.step of a node that failed after it.
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { chatNode, END, NodeFailedError, START, StateGraph } from "../../src/index.js";
import { State, thread, useCheckpointers, useFakeOpenAI } from "./fixtures.js";

const server = useFakeOpenAI();
const checkpointers = useCheckpointers();

describe.each(checkpointers)("resume on %s", (_kind, checkpointer) => {
  it("reuses a finished chat node's answer when its failed sibling runs again", async () => {
    server().script({
      content: "Your order ships today.",
      usage: { prompt_tokens: 9, completion_tokens: 6 },
    });
    let notifyFails = true;
    const graph = new StateGraph(State)
      .addNode("agent", chatNode(server().model()))
      .addNode("notify", () => {
        if (notifyFails) throw new Error("the notification service is down");
      })
      .addEdge(START, "agent")
      .addEdge(START, "notify")
      .addEdge("agent", END)
      .addEdge("notify", END)
      .compile({ checkpointer: checkpointer() });
    const input = { messages: [new HumanMessage("Where is my order?")] };

    // One task at a time in plan order: the agent finishes before notify fails.
    const failed = graph.invoke(input, { ...thread("t"), maxConcurrency: 1 });
    await expect(failed).rejects.toBeInstanceOf(NodeFailedError);
    expect(server().requests).toHaveLength(1);
    const stopped = await graph.getState(thread("t"));
    expect(stopped.next).toEqual(["notify"]);
    expect(stopped.tasks.find((task) => task.name === "agent")?.result).toBeDefined();

    notifyFails = false;
    const result = await graph.invoke(null, thread("t"));

    expect(server().requests).toHaveLength(1);
    expect(result.messages.map((message) => message.type)).toEqual(["human", "ai"]);
    expect(result.messages[1]?.content).toBe("Your order ships today.");
    // The reused task's usage still counts, once.
    expect((await graph.getUsage("t")).nodes).toEqual({
      agent: { input_tokens: 9, output_tokens: 6, total_tokens: 15 },
    });
  });

  it("returns a model answer recorded with ctx.step when the node runs again", async () => {
    server().script({ content: "Refund approved." });
    const model = server().model();
    let bookkeepingFails = true;
    const graph = new StateGraph(State)
      .addNode("agent", async (state, ctx) => {
        const answer = await ctx.step("model", () =>
          model.invoke(state.messages, ctx.runnableConfig),
        );
        if (bookkeepingFails) throw new Error("the ledger is locked");
        return { messages: [answer] };
      })
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile({ checkpointer: checkpointer() });

    await expect(
      graph.invoke({ messages: [new HumanMessage("Refund?")] }, thread("t")),
    ).rejects.toBeInstanceOf(NodeFailedError);
    bookkeepingFails = false;
    const result = await graph.invoke(null, thread("t"));

    expect(server().requests).toHaveLength(1);
    expect(AIMessage.isInstance(result.messages[1])).toBe(true);
    expect(result.messages[1]?.content).toBe("Refund approved.");
  });
});

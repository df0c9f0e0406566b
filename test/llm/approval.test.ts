// A human between the model proposing a tool call and the tool running (issue 5). A "review" node
// asks approval() for each proposed call. Approved calls go to the tools node; a rejected call is
// answered with an error ToolMessage saying so, which the tools node then skips and the model reads.
// This is the graph docs/llm.md shows.
import {
  HumanMessage,
  ToolMessage,
  type AIMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  approval,
  chatNode,
  Command,
  END,
  START,
  StateGraph,
  toolNode,
  toolsCondition,
  type Checkpointer,
} from "../../src/index.js";
import { State, thread, useCheckpointers, useFakeOpenAI } from "./fixtures.js";
import type { FakeOpenAI } from "./openai-server.js";

const server = useFakeOpenAI();
const checkpointers = useCheckpointers();

/** Asks a human about each tool call of the last AIMessage, in turn. */
function review(state: { messages: BaseMessage[] }) {
  const proposal = state.messages.at(-1) as AIMessage;
  const calls = proposal.tool_calls ?? [];
  const rejected: ToolMessage[] = [];
  for (const call of calls) {
    const decision = approval({ tool: call.name, args: call.args });
    if (!decision.approved) {
      rejected.push(
        new ToolMessage({
          tool_call_id: call.id ?? "",
          name: call.name,
          status: "error",
          content: `Rejected by a human: ${decision.comment ?? "no reason given"}`,
        }),
      );
    }
  }
  const goto = rejected.length < calls.length ? "tools" : "agent";
  return new Command({ update: { messages: rejected }, goto });
}

function reviewedAgent(openai: FakeOpenAI, store: Checkpointer) {
  const sent: string[] = [];
  const sendEmail = tool(
    ({ to }) => {
      sent.push(to);
      return `sent to ${to}`;
    },
    {
      name: "send_email",
      description: "Sends an email.",
      schema: z.object({ to: z.string(), body: z.string() }),
    },
  );
  const graph = new StateGraph(State)
    .addNode("agent", chatNode(openai.model(), { tools: [sendEmail] }))
    .addNode("review", review, { ends: ["tools", "agent"] })
    .addNode("tools", toolNode([sendEmail]))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, { tools: "review", [END]: END })
    .addEdge("tools", "agent")
    .compile({ checkpointer: store });
  return { graph, sent };
}

const email = (to: string, id: string) => ({
  name: "send_email",
  args: { to, body: "Your refund is on its way." },
  id,
});

function pending(result: object): Array<{ id: string; value: unknown }> {
  return (result as { __interrupt__?: Array<{ id: string; value: unknown }> }).__interrupt__ ?? [];
}

describe.each(checkpointers)("approving tool calls on %s", (_kind, checkpointer) => {
  it("pauses after the model proposes a call; approved, the tool runs", async () => {
    server().script({ toolCalls: [email("ana@example.com", "call_1")] }, { content: "Done." });
    const { graph, sent } = reviewedAgent(server(), checkpointer());

    const paused = await graph.invoke(
      { messages: [new HumanMessage("Tell Ana about her refund.")] },
      thread("t"),
    );

    expect(pending(paused).map((item) => item.value)).toEqual([
      { tool: "send_email", args: { to: "ana@example.com", body: "Your refund is on its way." } },
    ]);
    expect((await graph.getState(thread("t"))).next).toEqual(["review"]);
    expect(sent).toEqual([]);
    expect(server().requests).toHaveLength(1);

    const result = await graph.invoke(
      new Command({ resume: { approved: true } }),
      thread("t", { actor: "dana" }),
    );

    expect(sent).toEqual(["ana@example.com"]);
    expect(result.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(result.messages[2]).toMatchObject({
      tool_call_id: "call_1",
      content: "sent to ana@example.com",
    });
    expect(result.messages[3]?.content).toBe("Done.");
    // The model was asked once before the pause and once after the tool: never again for the proposal.
    expect(server().requests).toHaveLength(2);
    expect(await graph.getAuditLog("t")).toMatchObject([
      { actor: "dana", node: "review", value: { approved: true } },
    ]);
  });

  it("rejected, the tool does not run and the model reads why", async () => {
    server().script(
      { toolCalls: [email("all-customers@example.com", "call_1")] },
      { content: "Understood, I will not send it." },
    );
    const { graph, sent } = reviewedAgent(server(), checkpointer());
    await graph.invoke({ messages: [new HumanMessage("Announce the refunds.")] }, thread("t"));

    const result = await graph.invoke(
      new Command({ resume: { approved: false, comment: "not to every customer" } }),
      thread("t"),
    );

    expect(sent).toEqual([]);
    expect(result.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(result.messages[2]).toMatchObject({
      tool_call_id: "call_1",
      status: "error",
      content: "Rejected by a human: not to every customer",
    });
    expect(server().requests[1]?.messages.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: "call_1",
      content: "Rejected by a human: not to every customer",
    });
    expect(result.messages[3]?.content).toBe("Understood, I will not send it.");
  });

  it("asks about parallel calls one by one; only the approved ones run", async () => {
    server().script(
      { toolCalls: [email("ana@example.com", "call_ana"), email("bob@example.com", "call_bob")] },
      { content: "Ana is told; Bob is not." },
    );
    const { graph, sent } = reviewedAgent(server(), checkpointer());

    const first = await graph.invoke({ messages: [new HumanMessage("Tell both.")] }, thread("t"));
    expect(pending(first)[0]?.value).toMatchObject({ args: { to: "ana@example.com" } });
    const second = await graph.invoke(new Command({ resume: { approved: true } }), thread("t"));
    expect(pending(second)[0]?.value).toMatchObject({ args: { to: "bob@example.com" } });
    expect(sent).toEqual([]);

    const result = await graph.invoke(
      new Command({ resume: { approved: false, comment: "Bob left" } }),
      thread("t"),
    );

    expect(sent).toEqual(["ana@example.com"]);
    const answers = result.messages.filter((message) => ToolMessage.isInstance(message));
    expect(answers).toMatchObject([
      { tool_call_id: "call_bob", status: "error", content: "Rejected by a human: Bob left" },
      { tool_call_id: "call_ana", content: "sent to ana@example.com" },
    ]);
    expect(result.messages.at(-1)?.content).toBe("Ana is told; Bob is not.");
    expect(server().requests).toHaveLength(2);
  });
});

// The budgeted LLM graph of docs/governance.md, with a fake chat model that reports usage (words as
// tokens) in place of ChatOpenAI: a chat thread with a cost budget asks before it overspends.
import { HumanMessage } from "@langchain/core/messages";
import { expect, it } from "vitest";
import { z } from "zod";
import { MeteredFakeModel, MODEL } from "../graphs/governed-triage.js";
import {
  chatNode,
  Command,
  END,
  MemoryCheckpointer,
  messages,
  START,
  StateGraph,
} from "../src/index.js";

it("a chat thread with a cost budget: each turn is priced, and the turn after the limit asks first", async () => {
  const State = z.object({ messages: messages() });
  const model = new MeteredFakeModel({ responses: ["sure, here you go"] });
  const graph = new StateGraph(State)
    .addNode("agent", chatNode(model, { system: "Answer briefly." }))
    .addEdge(START, "agent")
    .addEdge("agent", END)
    .compile({
      checkpointer: new MemoryCheckpointer(),
      budget: {
        thread: { cost: 0.00001 },
        prices: { [MODEL]: { input: 0.15, output: 0.6 } },
        onExceeded: "ask",
      },
    });
  const config = { configurable: { thread_id: "chat-1" } };
  const turn = (text: string) => graph.invoke({ messages: [new HumanMessage(text)] }, config);

  // Turn 1: 2 + 2 words in, 4 out = (4 × 0.15 + 4 × 0.6) / 1e6 = 0.000003.
  await turn("hello there");
  let usage = await graph.getUsage("chat-1");
  expect(usage.nodes.agent?.cost).toBeCloseTo(0.000003, 12);
  // More turns (each sends the growing history) until one finds the thread over its 0.00001.
  let paused = await turn("and again");
  let turns = 2;
  while (!paused.__interrupt__ && turns < 10) {
    paused = await turn("and again");
    turns += 1;
  }
  usage = await graph.getUsage("chat-1");
  expect(usage.budget?.[0]?.spent).toBeGreaterThan(0.00001);
  expect(turns).toBeGreaterThan(2);
  const question = paused.__interrupt__?.[0]?.value as { type: string; budget: unknown[] };
  expect(question.type).toBe("budget_exceeded");
  expect(question.budget).toEqual([
    { scope: "thread", measure: "cost", limit: 0.00001, spent: usage.total.cost },
  ]);
  const answered = await graph.invoke(new Command({ resume: { raise: { cost: 0.001 } } }), config);
  expect(answered.messages.at(-1)?.text).toBe("sure, here you go");
  expect((await graph.getUsage("chat-1")).total.cost).toBeGreaterThan(usage.total.cost as number);
});

import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import {
  append,
  END,
  reviewBelow,
  START,
  StateGraph,
  type CompileOptions,
  type NodeContext,
} from "../src/index.js";

/**
 * Governed triage, runnable without an API key: a (fake) chat model classifies a ticket with a
 * confidence; a classification below 0.8 goes to a person (guardrail review routing); the model then
 * drafts a reply. Every model call reports its token usage; the thread has a token budget, and
 * going over it asks a person to raise it or stop.
 */
export const description =
  "A fake LLM classifies and answers a ticket; low confidence goes to review; a token budget asks before overspending.";

export const MODEL = "fake-small";

/** FakeListChatModel with usage: tokens counted as words, as a real provider would report them. */
export class MeteredFakeModel extends FakeListChatModel {
  override async _generate(
    messages: BaseMessage[],
    options?: this["ParsedCallOptions"],
  ): Promise<ChatResult> {
    const result = await super._generate(messages, options);
    const input = messages.reduce((sum, message) => sum + words(message.text), 0);
    for (const generation of result.generations) {
      const output = words(generation.text);
      generation.message = new AIMessage({
        content: generation.text,
        usage_metadata: {
          input_tokens: input,
          output_tokens: output,
          total_tokens: input + output,
        },
        response_metadata: { model_name: MODEL },
      });
    }
    return result;
  }
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export const GovernedState = z.object({
  ticket: z.string().min(1),
  category: z.string().optional(),
  confidence: z.number().optional(),
  reply: z.string().optional(),
  log: append(z.string()),
});

type State = z.infer<typeof GovernedState>;

/** What the fake classifier answers: sure about billing words, unsure about anything else. */
function classification(ticket: string): string {
  return /charged|refund|invoice|payment/i.test(ticket)
    ? JSON.stringify({ category: "billing", confidence: 0.93 })
    : JSON.stringify({ category: "other", confidence: 0.41 });
}

async function ask(ctx: NodeContext, answer: string, prompt: BaseMessage[]): Promise<string> {
  const model = new MeteredFakeModel({ responses: [answer] });
  const message = await model.invoke(prompt, ctx.runnableConfig);
  if (message.usage_metadata) ctx.reportUsage(message.usage_metadata, { model: MODEL });
  return message.text;
}

async function classify(state: State, ctx: NodeContext) {
  const text = await ask(ctx, classification(state.ticket), [
    new SystemMessage(
      "Classify the support ticket as billing, technical, account or other, with a confidence.",
    ),
    new HumanMessage(state.ticket),
  ]);
  const parsed = JSON.parse(text) as { category: string; confidence: number };
  return { ...parsed, log: `classified as ${parsed.category} (${parsed.confidence})` };
}

async function draft(state: State, ctx: NodeContext) {
  const reply = `Thank you for writing. Your ${state.category ?? "other"} request is with the right team and we will answer within one working day.`;
  const text = await ask(ctx, reply, [
    new SystemMessage("Draft a short, polite reply to the customer."),
    new HumanMessage(state.ticket),
  ]);
  return { reply: text, log: "drafted a reply" };
}

export const graph = new StateGraph(GovernedState)
  .addNode("classify", classify, { guard: reviewBelow("confidence", 0.8) })
  .addNode("draft", draft)
  .addEdge(START, "classify")
  .addEdge("classify", "draft")
  .addEdge("draft", END);

/** Picked up by the CLI: a thread may spend 20 tokens before a person must approve more. */
export const compileOptions: CompileOptions = {
  budget: {
    thread: { tokens: 20 },
    prices: { [MODEL]: { input: 0.15, output: 0.6 } },
    onExceeded: "ask",
  },
};

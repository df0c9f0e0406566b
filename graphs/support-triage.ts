import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { append, approval, END, START, StateGraph, SwitchyardError } from "../src/index.js";

/**
 * Support triage: a chat model classifies a ticket, the ticket is routed by category, the model
 * drafts a reply, and a human approves it before it is sent (in a durable step, so once).
 * Needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local OpenAI-compatible server; OPENAI_MODEL
 * picks the model (default gpt-4o-mini).
 */
export const description =
  "An LLM classifies a ticket, drafts a reply; a human approves before it is sent.";

/** Raised when no model is configured: the graph never pretends to answer. */
export class MissingModelError extends SwitchyardError {
  readonly code = "MISSING_API_KEY";
  constructor() {
    super(
      "support-triage calls a chat model: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local " +
        "OpenAI-compatible server) and run again. Nothing was sent.",
    );
  }
}

export const Categories = ["billing", "technical", "account", "other"] as const;

export const TriageState = z.object({
  customer: z.string().min(1),
  ticket: z.string().min(1),
  category: z.enum(Categories).optional(),
  queue: z.string().optional(),
  draft: z.string().optional(),
  status: z.enum(["received", "drafted", "sent", "rejected"]).default("received"),
  log: append(z.string()),
});

const queues: Record<(typeof Categories)[number], string> = {
  billing: "finance desk",
  technical: "engineering support",
  account: "account team",
  other: "front desk",
};

/** The model from the environment; created when a node first needs it. */
export function modelFromEnv(): BaseChatModel {
  const apiKey = process.env.OPENAI_API_KEY;
  const baseURL = process.env.OPENAI_BASE_URL;
  if (!apiKey && !baseURL) throw new MissingModelError();
  return new ChatOpenAI({
    model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
    apiKey: apiKey ?? "local",
    ...(baseURL ? { configuration: { baseURL } } : {}),
  });
}

/** Sends the reply; stands in for an email provider. */
export type Sender = (to: string, text: string) => Promise<string> | string;

export function buildGraph(
  model: () => BaseChatModel = modelFromEnv,
  send: Sender = (to) => `sent-to-${to}`,
) {
  return new StateGraph(TriageState)
    .addNode("classify", async (state, ctx) => {
      const answer = await model().invoke(
        [
          new SystemMessage(
            `Classify the support ticket into exactly one of: ${Categories.join(", ")}. Answer with that one word.`,
          ),
          new HumanMessage(state.ticket),
        ],
        ctx.runnableConfig,
      );
      const word = answer.text.trim().toLowerCase();
      const category = Categories.find((name) => word.includes(name)) ?? "other";
      return { category, queue: queues[category], log: `classified as ${category}` };
    })
    .addNode("draft_reply", async (state, ctx) => {
      const answer = await model().invoke(
        [
          new SystemMessage(
            `You answer customers for the ${state.queue ?? "support"} team. Write a short, friendly reply.`,
          ),
          new HumanMessage(`Customer ${state.customer} wrote: ${state.ticket}`),
        ],
        ctx.runnableConfig,
      );
      return { draft: answer.text, status: "drafted" as const, log: "reply drafted" };
    })
    .addNode("human_approval", (state) => {
      const decision = approval({
        question: `Send this reply to ${state.customer}?`,
        category: state.category,
        ticket: state.ticket,
        draft: state.draft,
      });
      return decision.approved
        ? { log: "reply approved" }
        : {
            status: "rejected" as const,
            log: `reply rejected: ${decision.comment ?? "no reason given"}`,
          };
    })
    .addNode("send", async (state, ctx) => {
      const receipt = await ctx.step("send-reply", () => send(state.customer, state.draft ?? ""));
      return { status: "sent" as const, log: `reply sent (${receipt})` };
    })
    .addEdge(START, "classify")
    .addEdge("classify", "draft_reply")
    .addEdge("draft_reply", "human_approval")
    .addConditionalEdges(
      "human_approval",
      (state) => (state.status === "rejected" ? END : "send"),
      ["send", END],
    )
    .addEdge("send", END);
}

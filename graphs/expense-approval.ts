import { z } from "zod";
import { append, approval, END, START, StateGraph } from "../src/index.js";

/**
 * Expense approval: validate a claim, apply the policy, ask a manager to approve large claims
 * (a typed approval with a deadline), pay in a durable step, notify. Rejected claims end with the
 * reason. No LLM, no API key.
 */
export const description =
  "Validate a claim, apply policy, route large claims to a manager, pay, notify.";

/** Claims above this amount need a manager's approval. */
export const APPROVAL_THRESHOLD = 500;

/** How long a manager has to decide before the claim is rejected by `sweepExpired()`. */
export const APPROVAL_DAYS = 3;

export const Claim = z.object({
  id: z.string().min(1),
  employee: z.string().min(1),
  amount: z.number().positive(),
  currency: z.enum(["EUR", "USD", "GBP"]),
  category: z.enum(["travel", "meals", "equipment", "training", "other"]),
  description: z.string().min(1),
});

export const ExpenseState = z.object({
  claim: Claim,
  status: z
    .enum(["received", "needs_approval", "approved", "rejected", "paid"])
    .default("received"),
  reason: z.string().optional(),
  paymentId: z.string().optional(),
  log: append(z.string()),
});

export type ExpenseStateType = z.output<typeof ExpenseState>;

const categoryLimits: Record<ExpenseStateType["claim"]["category"], number> = {
  travel: 5000,
  meals: 200,
  equipment: 3000,
  training: 4000,
  other: 1000,
};

/** Stands in for a payment provider: the durable step around it makes it happen once per claim. */
export type PaymentProvider = (claim: ExpenseStateType["claim"]) => Promise<string> | string;

const defaultProvider: PaymentProvider = (claim) => `pay-${claim.id}`;

export function buildGraph(pay: PaymentProvider = defaultProvider) {
  return new StateGraph(ExpenseState)
    .addNode("apply_policy", (state) => {
      const limit = categoryLimits[state.claim.category];
      if (state.claim.amount > limit) {
        return {
          status: "rejected" as const,
          reason: `${state.claim.category} claims are limited to ${limit} ${state.claim.currency}`,
          log: `policy: rejected (over the ${state.claim.category} limit of ${limit})`,
        };
      }
      if (state.claim.amount > APPROVAL_THRESHOLD) {
        return {
          status: "needs_approval" as const,
          log: `policy: ${state.claim.amount} ${state.claim.currency} is over ${APPROVAL_THRESHOLD}, manager approval needed`,
        };
      }
      return { status: "approved" as const, log: "policy: approved automatically" };
    })
    .addNode("manager_approval", (state, ctx) => {
      const { claim } = state;
      const decision = approval(
        {
          question: `Approve ${claim.amount} ${claim.currency} for ${claim.employee}?`,
          claim,
        },
        {
          deadline: new Date(Date.now() + APPROVAL_DAYS * 24 * 3600 * 1000),
          onTimeout: { reject: `no decision within ${APPROVAL_DAYS} days` },
        },
      );
      const by = typeof ctx.configurable.actor === "string" ? ctx.configurable.actor : "a manager";
      return decision.approved
        ? { status: "approved" as const, log: `manager: approved by ${by}` }
        : {
            status: "rejected" as const,
            reason: decision.comment ?? `rejected by ${by}`,
            log: `manager: rejected by ${by}`,
          };
    })
    .addNode("pay", async (state, ctx) => {
      const paymentId = await ctx.step("payment", () => pay(state.claim));
      return {
        status: "paid" as const,
        paymentId,
        log: `pay: ${state.claim.amount} ${state.claim.currency} to ${state.claim.employee}`,
      };
    })
    .addNode("notify", (state) => ({
      log:
        state.status === "paid"
          ? `notify: ${state.claim.employee}, your claim ${state.claim.id} was paid (${state.paymentId})`
          : `notify: ${state.claim.employee}, your claim ${state.claim.id} was rejected: ${state.reason}`,
    }))
    .addEdge(START, "apply_policy")
    .addConditionalEdges(
      "apply_policy",
      (state) =>
        state.status === "needs_approval"
          ? "manager"
          : state.status === "approved"
            ? "pay"
            : "notify",
      { manager: "manager_approval", pay: "pay", notify: "notify" },
    )
    .addConditionalEdges(
      "manager_approval",
      (state) => (state.status === "approved" ? "pay" : "notify"),
      ["pay", "notify"],
    )
    .addEdge("pay", "notify")
    .addEdge("notify", END);
}

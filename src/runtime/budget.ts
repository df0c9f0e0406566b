import { z } from "zod";
import type { Budget, BudgetDecision, BudgetLimits, TokenUsage } from "../graph/types.js";
import { BudgetExceededError, InvalidConfigError } from "../errors.js";
import { interruptIn, type AttemptScope } from "./interrupt.js";
import { keptUsage } from "./kept-usage.js";

/** Where a task records that it asked for a budget approval: it asks again on every re-run. */
const ASKED_KEY = "\u001fbudget approval";

/** A budget's state as `getUsage` and the approval interrupt show it. */
export interface BudgetStatus {
  readonly scope: "run" | "thread";
  readonly measure: "tokens" | "cost";
  readonly limit: number;
  readonly spent: number;
}

const decisionSchema: z.ZodType<BudgetDecision> = z.union([
  z.object({
    raise: z.object({ tokens: z.number().min(0).optional(), cost: z.number().min(0).optional() }),
  }),
  z.object({ stop: z.literal(true) }),
]);

/**
 * What one run may still spend: the run's own usage and its thread's (what earlier runs spent,
 * plus this one), against the budget's limits. `record` is called as nodes report usage;
 * `gate` before each task starts.
 */
export class BudgetTracker {
  private run = { tokens: 0, cost: 0 };
  private thread: { tokens: number; cost: number };
  private readonly limits: { run: BudgetLimits; thread: BudgetLimits };
  /** Tasks whose approval was applied in this run (a retried attempt does not raise twice). */
  private readonly approved = new Set<string>();

  constructor(
    private readonly budget: Budget,
    threadSpent: TokenUsage | undefined,
  ) {
    checkBudget(budget);
    this.limits = { run: { ...budget.run }, thread: { ...budget.thread } };
    this.thread = {
      tokens: tokensOf(threadSpent),
      cost: threadSpent?.cost ?? 0,
    };
  }

  /** Adds a model call's usage; returns it with its cost when the budget prices the model. */
  record(usage: TokenUsage, model: string | undefined): TokenUsage {
    const cost = this.costOf(usage, model);
    const tokens = tokensOf(usage);
    this.run.tokens += tokens;
    this.thread.tokens += tokens;
    this.run.cost += cost ?? 0;
    this.thread.cost += cost ?? 0;
    return cost === undefined ? usage : { ...usage, cost: (usage.cost ?? 0) + cost };
  }

  /** Every limit with what was spent against it (leaving out `own`, a task's earlier spend). */
  status(own?: TokenUsage): BudgetStatus[] {
    const statuses: BudgetStatus[] = [];
    for (const scope of ["run", "thread"] as const) {
      for (const measure of ["tokens", "cost"] as const) {
        const limit = this.limits[scope][measure];
        if (limit === undefined) continue;
        // A task's earlier spend is in the thread's (it was counted when the task stopped).
        const earlier = scope === "thread" && own ? spentOn(measure, own) : 0;
        statuses.push({ scope, measure, limit, spent: this[scope][measure] - earlier });
      }
    }
    return statuses;
  }

  /**
   * Before a task's node runs: when a limit is exceeded (or the task asked before), stop with
   * BUDGET_EXCEEDED or ask for an approval, as the budget says.
   */
  gate(attempt: AttemptScope, step: number, threadId: string | undefined): void {
    const scope = attempt.task;
    const asked = scope.steps[ASKED_KEY] === true;
    // A task that resumes passed its gate when it started: what it spent since does not stop it
    // (asking it now would take the answer meant for its own interrupt).
    const over = this.status(keptUsage(scope)).find((status) => status.spent > status.limit);
    if (!asked && !over) return;
    // With no limit left to name (the budget changed since it asked), the task goes on.
    const exceeded = over ?? this.status()[0];
    if (!exceeded) return;
    const fail = () =>
      new BudgetExceededError(
        exceeded.scope,
        exceeded.measure,
        exceeded.limit,
        exceeded.spent,
        scope.node,
        step,
        threadId,
      );
    if (this.budget.onExceeded !== "ask") throw fail();
    // Recorded before asking, so the task asks (and takes its answer) on every re-run.
    scope.steps[ASKED_KEY] = true;
    const question = {
      type: "budget_exceeded",
      question: `The ${exceeded.scope} budget of ${exceeded.limit} ${exceeded.measure} is exceeded. Raise it or stop?`,
      budget: this.status(),
    };
    const decision = interruptIn(attempt, question, { resume: decisionSchema });
    if ("stop" in decision) throw fail();
    if (this.approved.has(scope.taskId)) return;
    this.approved.add(scope.taskId);
    for (const limits of [this.limits.run, this.limits.thread]) {
      for (const measure of ["tokens", "cost"] as const) {
        const extra = decision.raise[measure];
        if (extra !== undefined && limits[measure] !== undefined) limits[measure] += extra;
      }
    }
  }

  private costOf(usage: TokenUsage, model: string | undefined): number | undefined {
    const prices = this.budget.prices;
    if (!prices) return undefined;
    const price = (model !== undefined ? prices[model] : undefined) ?? prices["*"];
    if (!price) return undefined;
    return (
      (count(usage.input_tokens) * price.input + count(usage.output_tokens) * price.output) / 1e6
    );
  }
}

function checkBudget(budget: Budget): void {
  for (const scope of ["run", "thread"] as const) {
    for (const measure of ["tokens", "cost"] as const) {
      const limit = budget[scope]?.[measure];
      if (limit !== undefined && !(limit >= 0)) {
        throw new InvalidConfigError(
          `budget.${scope}.${measure} must be a number of 0 or more, got ${String(limit)}.`,
        );
      }
    }
  }
  if ((budget.run?.cost !== undefined || budget.thread?.cost !== undefined) && !budget.prices) {
    throw new InvalidConfigError(
      `A cost limit needs prices: add budget.prices, e.g. { "gpt-4o-mini": { input: 0.15, output: 0.6 } } (per million tokens).`,
    );
  }
}

function spentOn(measure: "tokens" | "cost", usage: TokenUsage): number {
  return measure === "tokens" ? tokensOf(usage) : count(usage.cost);
}

function tokensOf(usage: Partial<TokenUsage> | undefined): number {
  if (!usage) return 0;
  const total = count(usage.total_tokens);
  return total > 0 ? total : count(usage.input_tokens) + count(usage.output_tokens);
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

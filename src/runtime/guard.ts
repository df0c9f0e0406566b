import { z } from "zod";
import type { GuardCheck, GuardOptions, ReviewDecision } from "../graph/types.js";
import type { NodeSpec } from "../graph/spec.js";
import { GuardrailFailedError, ReviewRejectedError } from "../errors.js";
import { interruptIn, type AttemptScope } from "./interrupt.js";

/** Where a task keeps its node's result while a person reviews it: it is not computed again. */
const KEPT_OUTPUT_KEY = "\u001fguarded output";

interface KeptOutput {
  readonly result: unknown;
  /** The node's own interrupt() calls before the review: the review's answer comes after them. */
  readonly interrupts: number;
}

const reviewSchema: z.ZodType<ReviewDecision> = z.discriminatedUnion("action", [
  z.object({ action: z.literal("accept") }),
  z.object({ action: z.literal("edit"), value: z.unknown() }),
  z.object({ action: z.literal("reject"), reason: z.string().optional() }),
]);

export interface GuardPlace {
  readonly step: number;
  readonly threadId: string | undefined;
}

/** The node's input after its input checks (a reviewer may have edited it). */
export async function guardInput(
  node: NodeSpec,
  input: unknown,
  attempt: AttemptScope,
  place: GuardPlace,
): Promise<unknown> {
  const guard = node.guard as GuardOptions;
  if (!guard.input) return input;
  return review(node, "input", input, await failureOf(guard.input, input), attempt, place);
}

/** The result the task kept while its output was reviewed, if any: the node does not run again. */
export function keptOutput(attempt: AttemptScope): { result: unknown } | undefined {
  const kept = attempt.task.steps[KEPT_OUTPUT_KEY] as KeptOutput | undefined;
  if (!kept) return undefined;
  attempt.interrupts = kept.interrupts;
  return { result: kept.result };
}

/** The node's result after its output checks (a reviewer may have edited it). */
export async function guardOutput(
  node: NodeSpec,
  result: unknown,
  attempt: AttemptScope,
  place: GuardPlace,
): Promise<unknown> {
  const guard = node.guard as GuardOptions;
  if (!guard.output) return result;
  const reason = await failureOf(guard.output, result);
  if (reason !== undefined && guard.onFail === "review") {
    const kept: KeptOutput = { result, interrupts: attempt.interrupts };
    attempt.task.steps[KEPT_OUTPUT_KEY] ??= kept;
  }
  return review(node, "output", result, reason, attempt, place);
}

async function review(
  node: NodeSpec,
  check: "input" | "output",
  value: unknown,
  reason: string | undefined,
  attempt: AttemptScope,
  place: GuardPlace,
): Promise<unknown> {
  if (reason === undefined) return value;
  if (node.guard?.onFail !== "review") {
    throw new GuardrailFailedError(node.name, check, reason, place.step, place.threadId);
  }
  const question = { type: "guardrail_review", node: node.name, check, value, reason };
  const decision = interruptIn(attempt, question, { resume: reviewSchema });
  if (decision.action === "accept") return value;
  if (decision.action === "edit") return decision.value;
  const why = decision.reason ?? "no reason given";
  throw new ReviewRejectedError(node.name, check, why, place.step, place.threadId);
}

/** The first failing check's reason, or undefined when every check passes. */
async function failureOf(
  checks: GuardCheck | readonly GuardCheck[],
  value: unknown,
): Promise<string | undefined> {
  const list: readonly GuardCheck[] = Array.isArray(checks) ? checks : [checks as GuardCheck];
  for (const check of list) {
    if (check instanceof z.ZodType) {
      const parsed = await check.safeParseAsync(value);
      if (!parsed.success) return parsed.error.issues.map((issue) => issue.message).join("; ");
      continue;
    }
    const verdict = await (check as (value: unknown) => unknown)(value);
    if (verdict === false) return "a check returned false";
    if (typeof verdict === "string") return verdict;
  }
  return undefined;
}

/**
 * The common review rule: send a node's output to a person when its numeric `field` (e.g. a
 * classifier's `confidence`) is missing or below `threshold`.
 *
 * @example
 * graph.addNode("classify", classify, { guard: reviewBelow("confidence", 0.8) });
 */
export function reviewBelow(field: string, threshold: number): GuardOptions {
  return {
    onFail: "review",
    output: (update) => {
      const value = (update as Record<string, unknown> | null | undefined)?.[field];
      if (typeof value !== "number") return `${field} is missing`;
      return value >= threshold || `${field} ${value} is below ${threshold}`;
    },
  };
}

import type { TokenUsage } from "../graph/types.js";
import { addCounts } from "../checkpoint/usage.js";
import type { TaskOutput } from "./writes.js";
import type { BudgetStatus } from "./budget.js";

/** What `getUsage(threadId)` returns: token counts per node and in total. */
export interface ThreadUsage {
  readonly total: TokenUsage;
  readonly nodes: Readonly<Record<string, TokenUsage>>;
  /** The thread's budget limits (`compile({ budget: { thread } })`) with what was spent. */
  readonly budget?: readonly BudgetStatus[];
}

/** `total` plus `usage`; a missing or non-numeric count adds nothing. */
export function addUsage(total: TokenUsage | undefined, usage: Partial<TokenUsage>): TokenUsage {
  return addCounts(total, usage);
}

/**
 * A superstep's usage by node name (tasks of the same node summed), for its checkpoint's
 * `metadata.usage`; undefined when no task reported any.
 */
export function usageByNode(
  nodes: readonly string[],
  outputs: readonly TaskOutput[],
): Record<string, TokenUsage> | undefined {
  let byNode: Record<string, TokenUsage> | undefined;
  outputs.forEach((output, index) => {
    if (!output.usage) return;
    const node = nodes[index] as string;
    byNode ??= {};
    byNode[node] = addUsage(byNode[node], output.usage);
  });
  return byNode;
}

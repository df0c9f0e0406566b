import type { TokenUsage } from "../graph/types.js";
import type { CheckpointTuple } from "../checkpoint/types.js";
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
  const sum: TokenUsage = {
    input_tokens: (total?.input_tokens ?? 0) + count(usage.input_tokens),
    output_tokens: (total?.output_tokens ?? 0) + count(usage.output_tokens),
    total_tokens: (total?.total_tokens ?? 0) + count(usage.total_tokens),
  };
  // A cost is known only where a budget priced the calls: kept only when one side has it.
  if (total?.cost !== undefined || usage.cost !== undefined) {
    sum.cost = count(total?.cost) + count(usage.cost);
  }
  return sum;
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

/** Sums `metadata.usage` over checkpoints (a thread's whole tree, forks included). */
export async function sumUsage(checkpoints: AsyncIterable<CheckpointTuple>): Promise<ThreadUsage> {
  let total = addUsage(undefined, {});
  const nodes: Record<string, TokenUsage> = {};
  for await (const { checkpoint } of checkpoints) {
    const usage = checkpoint.metadata.usage;
    if (typeof usage !== "object" || usage === null) continue;
    for (const [node, counts] of Object.entries(usage as Record<string, unknown>)) {
      if (typeof counts !== "object" || counts === null) continue;
      nodes[node] = addUsage(nodes[node], counts);
      total = addUsage(total, counts);
    }
  }
  return { total, nodes };
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

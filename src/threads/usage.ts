import type { Checkpointer } from "../checkpoint/types.js";
import type { UsageOptions } from "../checkpoint/usage.js";
import { waitingUsage } from "../runtime/kept-usage.js";
import { addUsage, type ThreadUsage } from "../runtime/usage.js";

/**
 * What a thread's model calls spent: the checkpointer's sums of its committed supersteps, plus
 * what the tasks waiting on its latest checkpoint spent before they stopped (their records keep
 * it until they finish and it is committed with them), so a call is counted from the moment it is
 * made. With `runId`, only that run's committed usage.
 */
export async function threadUsage(
  checkpointer: Checkpointer,
  threadId: string,
  options: UsageOptions = {},
): Promise<ThreadUsage> {
  const committed = await checkpointer.getUsage(threadId, options);
  if (options.runId !== undefined) return committed;
  const latest = await checkpointer.getTuple(threadId);
  const waiting = latest ? waitingUsage(latest.pendingWrites) : undefined;
  if (!waiting) return committed;
  let total = committed.total;
  const nodes = { ...committed.nodes };
  for (const [node, usage] of Object.entries(waiting)) {
    nodes[node] = addUsage(nodes[node], usage);
    total = addUsage(total, usage);
  }
  return { total, nodes };
}

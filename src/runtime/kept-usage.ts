import type { TokenUsage } from "../graph/types.js";
import type { PendingWrite } from "../checkpoint/types.js";
import type { TaskRecord, TaskScope } from "./interrupt.js";
import { RECORD_CHANNEL } from "./run-state.js";
import { addUsage } from "./usage.js";

/**
 * Where a task that stopped before finishing (an interrupt, a failure) keeps what its model calls
 * spent, in its record: the node's writes are not kept then, but the calls were made and paid for.
 * The task starts from it when it runs again and carries it into the usage it finishes with, so
 * each call made counts once: a call inside `ctx.step` is not made again (its result is replayed
 * and reports nothing); a call outside a step is made, and paid, again.
 */
const KEPT_USAGE_KEY = "\u001fusage";

interface KeptUsage {
  readonly node: string;
  readonly usage: TokenUsage;
}

/** What the task spent in earlier runs that stopped it before it finished; undefined if nothing. */
export function keptUsage(scope: TaskScope): TokenUsage | undefined {
  return (scope.steps[KEPT_USAGE_KEY] as KeptUsage | undefined)?.usage;
}

/** Records the task's usage so far in its record (persisted with its interrupt or its error). */
export function keepUsage(scope: TaskScope, usage: TokenUsage | undefined): void {
  if (usage) scope.steps[KEPT_USAGE_KEY] = { node: scope.node, usage } satisfies KeptUsage;
}

/**
 * What the tasks waiting on a checkpoint (interrupted, or failed and not run again yet) spent,
 * by node: read from their records in the checkpoint's pending writes. Undefined when none did.
 */
export function waitingUsage(
  writes: readonly PendingWrite[],
): Record<string, TokenUsage> | undefined {
  let byNode: Record<string, TokenUsage> | undefined;
  for (const write of writes) {
    if (write.channel !== RECORD_CHANNEL) continue;
    const kept = (write.value as TaskRecord).steps[KEPT_USAGE_KEY] as KeptUsage | undefined;
    if (!kept) continue;
    byNode ??= {};
    byNode[kept.node] = addUsage(byNode[kept.node], kept.usage);
  }
  return byNode;
}

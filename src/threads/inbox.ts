import type { GraphIdentity, ThreadStore } from "../checkpoint/types.js";
import type { OnTimeout } from "../graph/types.js";
import type { InterruptRecord } from "../runtime/interrupt.js";
import { INTERRUPT_CHANNEL } from "../runtime/run-state.js";

/** One interrupt waiting for a human, as an inbox lists it. */
export interface InboxItem {
  readonly threadId: string;
  /** The graph the thread is pinned to. */
  readonly graph: GraphIdentity | undefined;
  readonly node: string;
  readonly interruptId: string;
  readonly value: unknown;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly deadline?: string;
  /** What happens when the deadline passes (applied by `sweepExpired()`). */
  readonly onTimeout?: OnTimeout;
  /** The JSON Schema the answer must match, when the interrupt was given a `resume` schema. */
  readonly expects?: Record<string, unknown>;
}

/**
 * Every interrupt waiting for an answer, across the threads of a checkpointer, oldest first.
 *
 * @example
 * for (const item of await listPendingInterrupts(checkpointer)) console.log(item.threadId, item.value);
 */
export async function listPendingInterrupts(store: ThreadStore): Promise<InboxItem[]> {
  const records = await waitingRecords(store);
  return records.map(({ threadId, graph, record }) => {
    const item = {
      threadId,
      graph,
      node: record.node,
      interruptId: record.id,
      value: record.value,
    };
    const { createdAt, deadline, onTimeout, expects } = record;
    return {
      ...item,
      createdAt,
      ...(deadline === undefined ? {} : { deadline }),
      ...(onTimeout === undefined ? {} : { onTimeout }),
      ...(expects === undefined ? {} : { expects }),
    };
  });
}

/** The stored records behind the inbox, including what to do when a deadline passes. */
export async function waitingRecords(
  store: ThreadStore,
): Promise<Array<{ threadId: string; graph: GraphIdentity | undefined; record: InterruptRecord }>> {
  const found: Array<{
    threadId: string;
    graph: GraphIdentity | undefined;
    record: InterruptRecord;
  }> = [];
  const graphs = new Map<string, GraphIdentity | undefined>();
  for await (const write of store.listPendingWrites(INTERRUPT_CHANNEL)) {
    if (!graphs.has(write.threadId)) {
      graphs.set(write.threadId, (await store.getThread(write.threadId))?.graph);
    }
    found.push({
      threadId: write.threadId,
      graph: graphs.get(write.threadId),
      record: write.value as InterruptRecord,
    });
  }
  return found.sort((a, b) =>
    a.record.createdAt < b.record.createdAt ? -1 : a.record.createdAt > b.record.createdAt ? 1 : 0,
  );
}

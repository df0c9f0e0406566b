import type { GraphIdentity, ThreadStore } from "../checkpoint/types.js";
import { InvalidConfigError } from "../errors.js";
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
  return records.map(({ threadId, graph, record }) => inboxItem(threadId, graph, record));
}

/** One page of the inbox, most urgent first. */
export interface InboxPage {
  readonly items: readonly InboxItem[];
  /** Interrupts waiting in all, on this page or not. */
  readonly total: number;
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next: string | undefined;
}

/** At most this many items on one page of `pendingInterruptsPage`. */
export const MAX_INBOX_PAGE = 500;

/**
 * One page of the interrupts waiting for an answer, most urgent first: those with a deadline by
 * their deadline (overdue first), then the rest oldest first. The store sorts and limits, so the
 * first page of a large inbox costs one query and `limit` items, not a read of every waiting item.
 * Pages follow a cursor (`next`), so answering items between two pages skips or repeats nothing.
 *
 * @example
 * let page = await pendingInterruptsPage(checkpointer, { limit: 50 });
 * while (page.next) page = await pendingInterruptsPage(checkpointer, { limit: 50, after: page.next });
 */
export async function pendingInterruptsPage(
  store: ThreadStore,
  options: { readonly limit?: number; readonly after?: string } = {},
): Promise<InboxPage> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INBOX_PAGE) {
    throw new InvalidConfigError(
      `An inbox page's limit must be a whole number from 1 to ${MAX_INBOX_PAGE}; got ${String(limit)}.`,
    );
  }
  // One more than asked: whether it comes back says whether there is a next page.
  const { writes, total } = await store.pagePendingWrites(INTERRUPT_CHANNEL, {
    order: { first: "deadline", then: "createdAt" },
    limit: limit + 1,
    after: options.after,
  });
  const shown = writes.slice(0, limit);
  const graphs = new Map<string, GraphIdentity | undefined>();
  const items: InboxItem[] = [];
  for (const write of shown) {
    if (!graphs.has(write.threadId)) {
      graphs.set(write.threadId, (await store.getThread(write.threadId))?.graph);
    }
    const record = write.value as InterruptRecord;
    items.push(inboxItem(write.threadId, graphs.get(write.threadId), record));
  }
  return { items, total, next: writes.length > limit ? shown.at(-1)?.key : undefined };
}

function inboxItem(
  threadId: string,
  graph: GraphIdentity | undefined,
  record: InterruptRecord,
): InboxItem {
  const { createdAt, deadline, onTimeout, expects } = record;
  return {
    threadId,
    graph,
    node: record.node,
    interruptId: record.id,
    value: record.value,
    createdAt,
    ...(deadline === undefined ? {} : { deadline }),
    ...(onTimeout === undefined ? {} : { onTimeout }),
    ...(expects === undefined ? {} : { expects }),
  };
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

import {
  listPendingInterrupts,
  ThreadBusyError,
  ThreadNotFoundError,
  type InboxItem,
  type ThreadInfo,
} from "../../index.js";
import { confirmed } from "../confirm.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { age, table } from "../format.js";

export interface DeleteOptions {
  olderThan?: string;
  yes?: boolean;
  discardInterrupts?: boolean;
}

/**
 * `switchyard delete <thread>` or `switchyard delete --older-than DAYS`. Lists what it will delete
 * and asks (or needs --yes). A thread waiting for a decision is never deleted without
 * --discard-interrupts: named, it is refused; matched by --older-than, it is kept and listed.
 */
export async function remove(
  ctx: CliContext,
  threadId: string | undefined,
  options: DeleteOptions,
): Promise<number> {
  if (threadId !== undefined && options.olderThan !== undefined) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `delete takes a thread id or --older-than DAYS, not both (got "${threadId}" and --older-than ${options.olderThan}).`,
      2,
    );
  }
  if (threadId === undefined && options.olderThan === undefined)
    throw new CliError("INVALID_ARGUMENT", "delete needs a thread id or --older-than DAYS.", 2);
  const days = options.olderThan === undefined ? undefined : Number(options.olderThan);
  if (days !== undefined && !(days >= 0)) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `--older-than takes a number of days, got ${options.olderThan}.`,
      2,
    );
  }
  const store = ctx.checkpointer();
  const candidates =
    threadId === undefined
      ? await threadsOlderThan(ctx, new Date(Date.now() - (days as number) * 86_400_000))
      : [await requireThread(ctx, threadId)];
  const discard = options.discardInterrupts === true;
  let waiting = await waitingByThread(ctx);
  if (threadId !== undefined && !discard) refuseIfWaiting(threadId, waiting.get(threadId));
  const kept = discard ? [] : candidates.filter((info) => waiting.has(info.threadId));
  let doomed = candidates.filter((info) => !kept.includes(info));

  if (doomed.length > 0) {
    if (!ctx.json && options.yes !== true)
      ctx.out(`will delete ${doomed.length} thread(s):\n${threadTable(doomed, waiting)}`);
    const what = `delete would delete ${doomed.length} thread(s)`;
    if (!(await confirmed(ctx, options.yes, what))) {
      ctx.out("Nothing was deleted.");
      return 0;
    }
    // Read again just before deleting: a thread that started waiting meanwhile is kept too.
    waiting = await waitingByThread(ctx);
    if (!discard) {
      kept.push(...doomed.filter((info) => waiting.has(info.threadId)));
      doomed = doomed.filter((info) => !waiting.has(info.threadId));
    }
  }
  const deleted: string[] = [];
  const busy: string[] = [];
  for (const info of doomed) {
    try {
      await store.deleteThread(info.threadId);
      deleted.push(info.threadId);
    } catch (error) {
      if (error instanceof ThreadBusyError) busy.push(info.threadId);
      else if (!(error instanceof ThreadNotFoundError)) throw error;
    }
  }
  ctx.print({ deleted, kept: kept.map((info) => info.threadId), busy }, () => {
    const lines = [
      threadId === undefined
        ? `deleted ${deleted.length} thread(s) untouched for ${days} day(s).`
        : deleted.length > 0
          ? `deleted thread ${threadId}.`
          : `thread ${threadId} was not deleted.`,
    ];
    if (threadId === undefined && deleted.length > 0) {
      lines.push(
        threadTable(
          doomed.filter((info) => deleted.includes(info.threadId)),
          waiting,
        ),
      );
    }
    if (kept.length > 0) {
      lines.push(
        `kept ${kept.length} thread(s) waiting for a decision (add --discard-interrupts to delete them too):`,
        threadTable(kept, waiting),
      );
    }
    if (busy.length > 0) lines.push(`skipped, a run holds them: ${busy.join(", ")}`);
    return lines.join("\n");
  });
  return busy.length > 0 && threadId !== undefined ? 1 : 0;
}

/** `switchyard prune <thread> --keep N`: keeps the N newest checkpoints and every branch head. */
export async function prune(
  ctx: CliContext,
  threadId: string,
  options: { keep: string; yes?: boolean },
): Promise<number> {
  const keepLast = Number(options.keep);
  if (!Number.isInteger(keepLast) || keepLast < 1) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `--keep must be a whole number of at least 1, got ${options.keep}.`,
      2,
    );
  }
  const store = ctx.checkpointer();
  await requireThread(ctx, threadId);
  const wouldDelete = await store.pruneThread(threadId, { keepLast, dryRun: true });
  if (wouldDelete > 0) {
    const what =
      `prune would delete ${wouldDelete} checkpoint(s) of thread ${threadId}, keeping the ` +
      `${keepLast} newest and the head of every branch`;
    if (!ctx.json && options.yes !== true) ctx.out(`${what}.`);
    if (!(await confirmed(ctx, options.yes, what))) {
      ctx.out("Nothing was deleted.");
      return 0;
    }
  }
  const deleted = wouldDelete > 0 ? await store.pruneThread(threadId, { keepLast }) : 0;
  ctx.print(
    { threadId, deleted, kept: keepLast },
    () =>
      `thread ${threadId}: deleted ${deleted} checkpoint(s), kept the last ${keepLast} and the head of every branch.`,
  );
  return 0;
}

async function requireThread(ctx: CliContext, threadId: string): Promise<ThreadInfo> {
  const info = await ctx.checkpointer().getThread(threadId);
  if (!info) {
    throw new CliError("THREAD_NOT_FOUND", `Thread "${threadId}" does not exist in ${ctx.dbPath}.`);
  }
  return info;
}

async function threadsOlderThan(ctx: CliContext, cutoff: Date): Promise<ThreadInfo[]> {
  const found: ThreadInfo[] = [];
  for await (const info of ctx.checkpointer().listThreads()) {
    if (Date.parse(info.updatedAt) < cutoff.getTime()) found.push(info);
  }
  return found;
}

async function waitingByThread(ctx: CliContext): Promise<Map<string, InboxItem[]>> {
  const byThread = new Map<string, InboxItem[]>();
  for (const item of await listPendingInterrupts(ctx.checkpointer())) {
    byThread.set(item.threadId, [...(byThread.get(item.threadId) ?? []), item]);
  }
  return byThread;
}

function refuseIfWaiting(threadId: string, waiting: readonly InboxItem[] | undefined): void {
  if (!waiting || waiting.length === 0) return;
  const ids = waiting.map((item) => `${item.interruptId} (${item.node})`).join(", ");
  throw new CliError(
    "THREAD_INTERRUPTED",
    `Thread "${threadId}" has ${waiting.length} interrupt(s) waiting for a decision: ${ids}. Deleting it would ` +
      `drop them. Decide first (npx switchyard approve|reject|resume ${threadId}), or add ` +
      `--discard-interrupts to delete it anyway.`,
  );
}

function threadTable(
  threads: readonly ThreadInfo[],
  waiting: ReadonlyMap<string, readonly InboxItem[]>,
): string {
  const rows = threads.map((info) => {
    const count = waiting.get(info.threadId)?.length ?? 0;
    return [
      info.threadId,
      info.graph?.name ?? "?",
      count > 0 ? `${count} interrupt(s) waiting` : `updated ${age(info.updatedAt)}`,
    ];
  });
  // The table without its header row, indented under the line that introduces it.
  return table(["", "", ""], rows)
    .split("\n")
    .slice(1)
    .map((line) => `  ${line}`)
    .join("\n");
}

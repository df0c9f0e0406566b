import { listPendingInterrupts, type OnTimeout } from "../../index.js";
import { isOverdue, timeoutText } from "./deadlines.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { age, summary, table } from "../format.js";

/** `switchyard inbox`: every interrupt waiting for a decision, across threads. */
export async function inbox(ctx: CliContext): Promise<number> {
  const now = new Date();
  const items = (await listPendingInterrupts(ctx.checkpointer())).map((item) => ({
    ...item,
    overdue: isOverdue(item, now),
  }));
  ctx.print(items, () => {
    if (items.length === 0) return "Nothing is waiting for a decision.";
    const lines = [
      table(
        ["thread", "graph", "node", "interrupt", "waiting", "deadline", "payload"],
        items.map((item) => [
          item.threadId,
          item.graph?.name ?? "?",
          item.node,
          item.interruptId,
          age(item.createdAt, now),
          item.deadline === undefined ? "-" : `${item.deadline}${item.overdue ? " OVERDUE" : ""}`,
          summary(item.value, 50),
        ]),
      ),
    ];
    const sweepable = items.filter((item) => item.overdue && item.onTimeout !== undefined);
    if (sweepable.length > 0) {
      lines.push(
        "",
        `${sweepable.length} overdue: a late answer is refused; \`switchyard sweep\` applies their onTimeout ` +
          `(${sweepable.map((item) => `${item.threadId}: ${timeoutText(item.onTimeout as OnTimeout)}`).join("; ")}).`,
      );
    }
    return lines.join("\n");
  });
  return 0;
}

/** `switchyard prune <thread> --keep N`. */
export async function prune(ctx: CliContext, threadId: string, keep: string): Promise<number> {
  const keepLast = Number(keep);
  if (!Number.isInteger(keepLast) || keepLast < 1) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `--keep must be a whole number of at least 1, got ${keep}.`,
      2,
    );
  }
  const deleted = await ctx.checkpointer().pruneThread(threadId, { keepLast });
  ctx.print(
    { threadId, deleted, kept: keepLast },
    () => `thread ${threadId}: deleted ${deleted} checkpoint(s), kept the last ${keepLast}.`,
  );
  return 0;
}

/** `switchyard delete <thread>` or `switchyard delete --older-than DAYS`. */
export async function remove(
  ctx: CliContext,
  threadId: string | undefined,
  options: { olderThan?: string },
): Promise<number> {
  if (options.olderThan !== undefined) {
    const days = Number(options.olderThan);
    if (!(days >= 0))
      throw new CliError(
        "INVALID_ARGUMENT",
        `--older-than takes a number of days, got ${options.olderThan}.`,
        2,
      );
    const deleted = await ctx
      .checkpointer()
      .deleteThreadsOlderThan(new Date(Date.now() - days * 86_400_000));
    ctx.print({ deleted }, () => `deleted ${deleted} thread(s) untouched for ${days} day(s).`);
    return 0;
  }
  if (threadId === undefined)
    throw new CliError("INVALID_ARGUMENT", "delete needs a thread id or --older-than DAYS.", 2);
  await ctx.checkpointer().deleteThread(threadId);
  ctx.print({ deleted: threadId }, () => `deleted thread ${threadId}.`);
  return 0;
}

/** `switchyard vacuum`: returns freed space to the file system. */
export async function vacuum(ctx: CliContext): Promise<number> {
  await ctx.checkpointer().vacuum();
  ctx.print({ vacuumed: ctx.dbPath }, () => `vacuumed ${ctx.dbPath}.`);
  return 0;
}

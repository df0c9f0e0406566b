import { listPendingInterrupts, type OnTimeout } from "../../index.js";
import { isOverdue, timeoutText } from "./deadlines.js";
import type { CliContext } from "../context.js";
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

/** `switchyard vacuum`: returns freed space to the file system. */
export async function vacuum(ctx: CliContext): Promise<number> {
  await ctx.checkpointer().vacuum();
  ctx.print({ vacuumed: ctx.dbPath }, () => `vacuumed ${ctx.dbPath}.`);
  return 0;
}

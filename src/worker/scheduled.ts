import type { CompiledGraph, PostgresRunStore, ThreadStore } from "../index.js";

/** What the scheduled jobs work on. */
export interface ScheduledContext {
  readonly graphs: ReadonlyMap<string, CompiledGraph<never>>;
  readonly checkpointer: ThreadStore;
  readonly runs: PostgresRunStore;
  /** Stored run events are deleted this many days after their run finished (0: never). */
  readonly keepEventsDays: number;
  /** Threads untouched for this many days are deleted (undefined: never). */
  readonly deleteThreadsAfterDays: number | undefined;
  readonly log: (line: string) => void;
}

export const SWEEP_TASK = "switchyard_sweep";
export const RETENTION_TASK = "switchyard_retention";

/**
 * graphile-worker's crontab: the deadline sweep every minute, retention every hour. Every worker
 * runs the same crontab, and graphile-worker records each tick it schedules (its known-crontabs
 * table), so each tick runs once across the fleet, on whichever worker takes the job.
 */
export const CRONTAB = [
  `* * * * * ${SWEEP_TASK} ?max=1&id=switchyard_sweep`,
  `17 * * * * ${RETENTION_TASK} ?max=1&id=switchyard_retention`,
].join("\n");

/** Applies the `onTimeout` of every interrupt whose deadline passed, on every graph. */
export async function sweepDeadlines(ctx: ScheduledContext): Promise<void> {
  for (const [name, graph] of ctx.graphs) {
    for (const swept of await graph.sweepExpired()) {
      ctx.log(
        swept.error
          ? `deadline of interrupt ${swept.interruptId} on thread ${swept.threadId} (${name}): ${swept.error.code}: ${swept.error.message}`
          : `deadline of interrupt ${swept.interruptId} on thread ${swept.threadId} (${name}) applied`,
      );
    }
  }
}

/** Deletes old run events and, when configured, old threads (checkpoints and records). */
export async function applyRetention(ctx: ScheduledContext, now = new Date()): Promise<void> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
  if (ctx.keepEventsDays > 0) {
    const before = daysAgo(ctx.keepEventsDays).toISOString();
    const events = await ctx.runs.deleteEventsEndedBefore(before);
    if (events > 0)
      ctx.log(`retention: deleted ${events} stored event(s) of runs finished before ${before}`);
  }
  if (ctx.deleteThreadsAfterDays !== undefined) {
    const before = daysAgo(ctx.deleteThreadsAfterDays);
    const threads = await ctx.checkpointer.deleteThreadsOlderThan(before);
    const records = await ctx.runs.deleteThreadsOlderThan(before.toISOString());
    if (threads + records > 0) {
      ctx.log(
        `retention: deleted ${threads} thread(s) and ${records} thread record(s) untouched since ${before.toISOString()}`,
      );
    }
  }
}

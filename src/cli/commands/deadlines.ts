import {
  listPendingInterrupts,
  SwitchyardError,
  type CompiledGraph,
  type InboxItem,
  type OnTimeout,
} from "../../index.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { cancelOnSignal, continueAdvice } from "../signals.js";

/** True when the item's deadline is at or before `now`. */
export function isOverdue(item: InboxItem, now: Date): boolean {
  return item.deadline !== undefined && Date.parse(item.deadline) <= now.getTime();
}

/** `reject "reason"` or `resume <value as JSON>`: what a deadline's onTimeout does. */
export function timeoutText(onTimeout: OnTimeout): string {
  return "reject" in onTimeout
    ? `reject ${JSON.stringify(onTimeout.reject)}`
    : `resume ${JSON.stringify(onTimeout.resume) ?? String(onTimeout.resume)}`;
}

/** One interrupt `sweep` applied its onTimeout to, or failed to. */
interface SweepResult {
  readonly threadId: string;
  readonly graph: string | undefined;
  readonly node: string;
  readonly interruptId: string;
  readonly deadline: string;
  readonly onTimeout: OnTimeout;
  /** Where the thread stands afterwards: "done", "waiting" or "paused". */
  readonly status?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * `switchyard sweep`: applies the onTimeout of every interrupt whose deadline has passed, across
 * threads and graphs (each graph's `sweepExpired()`). Made for cron: prints nothing when nothing is
 * due; exit 0 when every timeout applied, 1 when one could not (its error on stderr).
 */
export async function sweep(ctx: CliContext, err: (text: string) => void): Promise<number> {
  const now = new Date();
  const due = (await listPendingInterrupts(ctx.checkpointer())).filter(
    (item) => item.onTimeout !== undefined && isOverdue(item, now),
  );
  const results: SweepResult[] = [];
  for (const name of new Set(due.map((item) => item.graph?.name))) {
    const items = due.filter((item) => item.graph?.name === name);
    results.push(...(await sweepGraph(ctx, name, items, now)));
  }
  const applied = results.filter((result) => result.error === undefined);
  if (ctx.json || applied.length > 0) {
    ctx.print(results, () =>
      applied
        .map(
          (result) =>
            `${result.threadId}: interrupt ${result.interruptId} (${result.node}) timed out: ` +
            `${timeoutText(result.onTimeout)} → ${result.status ?? "?"}`,
        )
        .join("\n"),
    );
  }
  const failed = results.filter((result) => result.error !== undefined);
  for (const result of failed) {
    err(
      `error ${result.error?.code}: thread ${result.threadId}, interrupt ${result.interruptId} ` +
        `(${result.node}): ${result.error?.message}`,
    );
  }
  return failed.length > 0 ? EXIT.error : EXIT.done;
}

async function sweepGraph(
  ctx: CliContext,
  name: string | undefined,
  items: readonly InboxItem[],
  now: Date,
): Promise<SweepResult[]> {
  const base = (item: InboxItem): SweepResult => ({
    threadId: item.threadId,
    graph: name,
    node: item.node,
    interruptId: item.interruptId,
    deadline: item.deadline as string,
    onTimeout: item.onTimeout as OnTimeout,
  });
  let graph: CompiledGraph<never>;
  try {
    if (name === undefined) {
      throw new CliError("THREAD_HAS_NO_GRAPH", "The thread does not record which graph it runs.");
    }
    graph = (await ctx.graph(name)).compiled;
  } catch (error) {
    if (!(error instanceof CliError || error instanceof SwitchyardError)) throw error;
    const failure = { code: error.code, message: error.message };
    return items.map((item) => ({ ...base(item), error: failure }));
  }
  const compiled = graph;
  const swept = await cancelOnSignal(
    (signal) => compiled.sweepExpired(now, { signal }),
    (threadId) => `${continueAdvice(threadId)} Run npx switchyard sweep again for the rest.`,
  );
  const results: SweepResult[] = [];
  for (const item of items) {
    const outcome = swept.find(
      (entry) => entry.threadId === item.threadId && entry.interruptId === item.interruptId,
    );
    // Answered or held by a run meanwhile: left for the next sweep, nothing to say.
    if (!outcome) continue;
    if (outcome.error) {
      results.push({ ...base(item), error: outcome.error });
      continue;
    }
    const state = await graph.getState({ configurable: { thread_id: item.threadId } });
    const waiting = state.tasks.some((task) => task.interrupts.length > 0);
    const status = waiting ? "waiting" : state.next.length > 0 ? "paused" : "done";
    results.push({ ...base(item), status });
  }
  return results;
}

import type { CompiledGraph, RunRecord } from "../index.js";
import { plain, planRun, waitingInterrupts, writtenBy, type RunPlan } from "../server/index.js";

/** Where a run taken over from another worker goes: a plan, or "it had already ended". */
export type Continuation = { readonly plan: RunPlan } | { readonly ended: unknown };

/**
 * The plan of a run an earlier attempt already started (a worker killed or drained mid-run),
 * decided as a restarted server decides (src/server/resume.ts): re-sending its input would start
 * the graph over on top of what it did, so a run that wrote a checkpoint continues from the
 * thread's latest one (input null), reusing the tasks that finished and their recorded ctx.step
 * results; so does a `Command({ resume })` whose answer is already recorded (nothing waits any
 * more). A run whose checkpoint shows it had ended (at an interrupt, a breakpoint or the end) is
 * over, with that output. A run that left no trace starts as planned.
 */
export async function continuation(
  record: RunRecord,
  graph: CompiledGraph<never>,
): Promise<Continuation> {
  const asCreated = planRun(record, graph);
  const snapshot = await graph.getState({ configurable: { thread_id: record.threadId } });
  const waiting = snapshot.tasks.flatMap((task) => task.interrupts);
  if (!writtenBy(snapshot, record.runId)) {
    const input = asCreated.input as { resume?: unknown } | null;
    const answered =
      input !== null &&
      typeof input === "object" &&
      "resume" in input &&
      input.resume !== undefined;
    return answered && waiting.length === 0
      ? { plan: planRun(record, graph, { continueThread: true }) }
      : { plan: asCreated };
  }
  const atBreakpoint = snapshot.next.some((node) =>
    asCreated.config.interruptBefore?.includes(node),
  );
  if (waiting.length === 0 && snapshot.next.length > 0 && !atBreakpoint) {
    return { plan: planRun(record, graph, { continueThread: true }) };
  }
  const interrupts = waitingInterrupts(snapshot);
  return { ended: interrupts.length > 0 ? { __interrupt__: interrupts } : plain(snapshot.values) };
}

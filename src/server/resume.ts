// A restarted server takes up the runs a killed one left pending or running, from the thread's
// last checkpoint: finished tasks and recorded ctx.step results are reused by the engine, and each
// run's stream continues after the events stored before the crash.
import { Command, type RunRecord } from "../index.js";
import type { ServerContext } from "./context.js";
import type { RunExecutor, ServerRun } from "./executor.js";
import { planRun, writtenBy, type RunPlan } from "./plan.js";
import { plain, waitingInterrupts } from "./wire.js";

/**
 * Queues every unfinished run again (each thread's runs in the order they were created) and
 * returns how many. Call once at start, before serving.
 */
export async function resumeUnfinished(ctx: ServerContext): Promise<number> {
  // With a queue, runs belong to the workers: a dead worker's runs are taken over there.
  const executor = ctx.inProcess;
  if (!executor) return 0;
  const left = await ctx.runs.listUnfinished();
  // A killed process's lease lapses within leaseMs; past twice that the thread is someone else's.
  const waitForLeaseMs = ctx.checkpointer.leaseMs * 2 + 1000;
  for (const record of left) {
    const events = await ctx.runs.listEvents(record.runId, -1);
    executor.resume(record, events, waitForLeaseMs, (run) => decide(ctx, executor, run, record));
  }
  return left.length;
}

/**
 * Where the run starts again, decided when its turn comes. A run that wrote no checkpoint yet
 * starts from its request (input, resume, fork) as planned at first. A run whose checkpoint is
 * the thread's latest continues from it, unless it had already ended there (at an interrupt, a
 * breakpoint, or the end) and only its status was lost: then it is over.
 */
async function decide(
  ctx: ServerContext,
  executor: RunExecutor,
  run: ServerRun,
  record: RunRecord,
): Promise<RunPlan | undefined> {
  const { graph } = ctx.assistant(record.assistantId);
  const asCreated = planRun(record, graph);
  const snapshot = await graph.getState({ configurable: { thread_id: record.threadId } });
  const interrupts = waitingInterrupts(snapshot);
  if (!writtenBy(snapshot, record.runId)) {
    // A resume's answers are stored as its tasks take them: once none it gave still waits, the
    // tasks that took them continue (with their recorded steps) instead of being answered again.
    const answered = answeredBy(asCreated);
    const taken = answered && !interrupts.some((waiting) => answered(waiting.id));
    return taken ? planRun(record, graph, { continueThread: true }) : asCreated;
  }
  const atBreakpoint = snapshot.next.some((node) =>
    asCreated.config.interruptBefore?.includes(node),
  );
  if (interrupts.length === 0 && snapshot.next.length > 0 && !atBreakpoint) {
    return planRun(record, graph, { continueThread: true });
  }
  run.output = interrupts.length > 0 ? { __interrupt__: interrupts } : plain(snapshot.values);
  const lastValues = run.log.last("values")?.data;
  const sent = JSON.stringify(lastValues) === JSON.stringify(run.output);
  if (!sent && asCreated.streamModes.includes("values")) executor.emit(run, "values", run.output);
  return undefined;
}

/**
 * For a resume, which waiting interrupts its answer is for (all of them for one value, the keys
 * of an `{ [interrupt_id]: value }` map); undefined for other runs.
 */
function answeredBy(plan: RunPlan): ((interruptId: string) => boolean) | undefined {
  if (!(plan.input instanceof Command) || plan.input.resume === undefined) return undefined;
  const { resume } = plan.input;
  const keys = typeof resume === "object" && resume !== null ? Object.keys(resume) : [];
  const ids = keys.filter((key) => INTERRUPT_ID.test(key));
  return ids.length === 0 ? () => true : (id) => ids.includes(id);
}

/** What interrupt ids look like (see the engine's interrupt ids). */
const INTERRUPT_ID = /^[0-9a-f]{16}$/;

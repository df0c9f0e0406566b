import type { RunStatus } from "../index.js";
import type { RunPlan } from "./plan.js";
import { engineEvent, engineModes, wireEvents } from "./stream-events.js";
import { plain, wireError, wireInterruptList } from "./wire.js";

/** What a stream produced so far: whether anything, and the last root `values` (the output). */
export interface StreamProgress {
  produced: boolean;
  output: unknown;
}

/**
 * Streams the plan's graph and hands each event the client asked for to `emit` (wire names,
 * plain JSON data, approvals shaped for review cards), updating `progress` as it goes. Throws what
 * the graph throws. The server runs it in its own process, a worker in another.
 */
export async function streamPlan(
  plan: RunPlan,
  signal: AbortSignal,
  emit: (event: string, data: unknown) => void,
  progress: StreamProgress,
): Promise<void> {
  const requested = new Set(plan.streamModes);
  const events = plan.graph.stream(plan.input as never, {
    ...plan.config,
    signal,
    streamMode: engineModes(requested),
    subgraphs: plan.subgraphs,
  });
  for await (const item of events) {
    progress.produced = true;
    const engine = engineEvent(item, plan.subgraphs);
    const payload = await served(plan, engine.payload);
    if (engine.namespace.length === 0 && engine.mode === "values") progress.output = payload;
    for (const { event, data } of wireEvents({ ...engine, payload }, requested)) emit(event, data);
  }
}

/** An event's payload as sent: plain values, waiting approvals shaped for review cards. */
async function served(plan: RunPlan, payload: unknown): Promise<unknown> {
  const list = (payload as { __interrupt__?: unknown } | null)?.__interrupt__;
  if (!Array.isArray(list)) return plain(payload);
  const snapshot = await plan.graph.getState({
    configurable: { thread_id: plan.record.threadId },
  });
  const waiting = snapshot.tasks.flatMap((task) => task.interrupts);
  return { ...(plain(payload) as object), __interrupt__: wireInterruptList(list, waiting) };
}

/** A run's failure as its `error` event and `__error__` output carry it. */
export function failureOf(error: unknown): { error: string; message: string } {
  const { body } = wireError(error);
  return body.error === "INTERNAL" && error instanceof Error
    ? { error: error.name, message: error.message }
    : body;
}

/** How an execution ended: the run's status and what `runs.wait` answers. */
export interface Execution {
  /** `interrupted` when `signal` stopped it (at its last checkpoint). */
  readonly status: Extract<RunStatus, "success" | "error" | "interrupted">;
  readonly output: unknown;
}

/**
 * streamPlan to the end, as a worker runs a queued run: a failure emits `error` and ends as
 * `error` (unless `rethrow` claims it: THREAD_BUSY, LEASE_LOST hand the run back instead).
 */
export async function executePlan(
  plan: RunPlan,
  signal: AbortSignal,
  emit: (event: string, data: unknown) => void,
  options: { rethrow?: (error: unknown) => boolean } = {},
): Promise<Execution> {
  const progress: StreamProgress = { produced: false, output: {} };
  if (signal.aborted) return { status: "interrupted", output: progress.output };
  try {
    await streamPlan(plan, signal, emit, progress);
    return { status: "success", output: progress.output };
  } catch (error) {
    if (signal.aborted) return { status: "interrupted", output: progress.output };
    if (options.rethrow?.(error)) throw error;
    const failure = failureOf(error);
    emit("error", failure);
    return { status: "error", output: { __error__: failure } };
  }
}

import { DeadlinePassedError, InvalidResumeError, ThreadInterruptedError } from "../errors.js";
import type { OnTimeout } from "../graph/types.js";
import type { InterruptRecord } from "../runtime/interrupt.js";
import { taskId, type PendingTask, type RunState } from "../runtime/run-state.js";

/** The interrupts a checkpoint's superstep waits on, with the task each belongs to. */
export function waitingInterrupts(
  state: RunState,
  pending: ReadonlyMap<string, PendingTask>,
): Array<{ taskId: string; interrupt: InterruptRecord }> {
  const waiting: Array<{ taskId: string; interrupt: InterruptRecord }> = [];
  state.next.forEach((_, index) => {
    const id = taskId(state, index);
    const interrupt = pending.get(id)?.interrupt;
    if (interrupt) waiting.push({ taskId: id, interrupt });
  });
  return waiting;
}

/**
 * Matches `Command({ resume })` to the waiting interrupts: a map `{ [interruptId]: value }` answers
 * those ids; any other value answers the single waiting interrupt. Returns answers by task id.
 */
export function matchAnswers(
  threadId: string | undefined,
  resume: unknown,
  waiting: ReadonlyArray<{ taskId: string; interrupt: InterruptRecord }>,
): Map<string, unknown> {
  const where = threadId === undefined ? "this run" : `thread "${threadId}"`;
  if (waiting.length === 0) {
    throw new InvalidResumeError(
      `Nothing on ${where} is waiting for a resume value. Command({ resume }) answers a pending ` +
        `interrupt; check getState(config).tasks for interrupts, or start a run with an input object.`,
    );
  }
  const ids = waiting.map((entry) => entry.interrupt.id);
  const byId = new Map(waiting.map((entry) => [entry.interrupt.id, entry.taskId]));
  if (isAnswerMap(resume, byId)) {
    const answers = new Map<string, unknown>();
    for (const [id, value] of Object.entries(resume)) answers.set(byId.get(id) as string, value);
    return answers;
  }
  if (waiting.length > 1) {
    throw new InvalidResumeError(
      `${where[0]?.toUpperCase()}${where.slice(1)} is waiting on ${waiting.length} interrupts (${ids.join(", ")}). ` +
        `Resume with a map from interrupt id to value: new Command({ resume: { "${ids[0]}": ... } }).`,
    );
  }
  return new Map([[(waiting[0] as { taskId: string }).taskId, resume]]);
}

/** A plain object whose keys are all ids of waiting interrupts. */
function isAnswerMap(
  resume: unknown,
  byId: ReadonlyMap<string, string>,
): resume is Record<string, unknown> {
  if (typeof resume !== "object" || resume === null || Array.isArray(resume)) return false;
  if (Object.getPrototypeOf(resume) !== Object.prototype) return false;
  const keys = Object.keys(resume);
  if (keys.length === 0 || !keys.every((key) => byId.has(key))) {
    const unknown = keys.filter((key) => !byId.has(key) && /^[0-9a-f]{16}$/.test(key));
    if (unknown.length > 0) {
      throw new InvalidResumeError(
        `No waiting interrupt has the id ${unknown.join(", ")}. Waiting: ${[...byId.keys()].join(", ")}.`,
      );
    }
    return false;
  }
  return true;
}

/** New input would drop pending interrupts: refused unless the caller says to discard them. */
export function refuseIfWaiting(
  threadId: string | undefined,
  waiting: ReadonlyArray<{ interrupt: InterruptRecord }>,
  discard: boolean,
): void {
  if (waiting.length === 0 || discard || threadId === undefined) return;
  throw new ThreadInterruptedError(
    threadId,
    waiting.map((entry) => entry.interrupt.id),
  );
}

/**
 * A human's answer to an interrupt whose deadline has passed and that has an `onTimeout` is
 * refused: the timeout decides, when sweepExpired() applies it. An interrupt without `onTimeout`
 * keeps taking answers after its deadline (the deadline is then only information).
 */
export function refuseIfPastDeadline(
  threadId: string | undefined,
  answers: ReadonlyMap<string, unknown>,
  waiting: ReadonlyArray<{ taskId: string; interrupt: InterruptRecord }>,
  now: Date,
): void {
  for (const { taskId, interrupt } of waiting) {
    const { deadline, onTimeout } = interrupt;
    if (!answers.has(taskId) || deadline === undefined || onTimeout === undefined) continue;
    if (new Date(deadline).getTime() > now.getTime()) continue;
    throw new DeadlinePassedError(
      threadId ?? "(no thread)",
      interrupt.id,
      interrupt.node,
      deadline,
      describeTimeout(onTimeout),
    );
  }
}

/** `reject: "reason"` or `resume: <value as JSON>`, as messages and the CLI show it. */
export function describeTimeout(onTimeout: OnTimeout): string {
  return "reject" in onTimeout
    ? `reject: ${JSON.stringify(onTimeout.reject)}`
    : `resume: ${JSON.stringify(onTimeout.resume) ?? String(onTimeout.resume)}`;
}

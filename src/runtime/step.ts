import { AttemptAbandonedError, DuplicateStepError } from "../errors.js";
import { recordOf, type AttemptScope, type TaskScope } from "./interrupt.js";

/**
 * A task's scope, with a placeholder attempt 0 until its first attempt starts. `fields` becomes
 * the scope (pass a fresh object): a copy made by spreading would be slow to give `attempt` to.
 */
export function createTaskScope(fields: Omit<TaskScope, "attempt">): TaskScope {
  const scope = fields as TaskScope;
  startAttempt(scope, 0);
  return scope;
}

/** Starts the task's next attempt: the earlier one is over, its counters stay with it. */
export function startAttempt(scope: TaskScope, number: number): AttemptScope {
  const attempt: AttemptScope = {
    task: scope,
    number,
    stepsRun: undefined,
    interrupts: 0,
    accepted: [],
    ended: undefined,
    subgraphCalls: 0,
  };
  scope.attempt = attempt;
  return attempt;
}

/** Why an attempt ended when it returned or threw by itself (nothing aborted it). */
export const ATTEMPT_RETURNED = "the attempt had already returned or thrown";

/**
 * The engine no longer waits for this attempt (it returned, threw, timed out, or the run was
 * aborted). A step it has started runs on and is recorded; a step it calls from now on does not
 * start (ATTEMPT_ABANDONED), so only the attempt the engine waits for can cause an effect.
 */
export function endAttempt(attempt: AttemptScope, why: string): void {
  attempt.ended ??= why;
}

/**
 * Runs `fn` once per task and records its result: when the node runs again (after an interrupt, a
 * crash, a failed sibling, a timeout) the recorded result is returned and `fn` is not called. A
 * failing `fn` records nothing. The result must be storable like state values.
 *
 * Invariant: `fn` starts only in the attempt the engine waits for, and only while the run holds its
 * thread; a started `fn` is tracked until its result is recorded, and the engine waits for it before
 * another attempt of the task starts or the thread is let go (see docs/human-in-the-loop.md).
 */
export async function stepIn<T>(
  attempt: AttemptScope,
  name: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  const scope = attempt.task;
  refuseIfEnded(attempt);
  const stepsRun = (attempt.stepsRun ??= new Set());
  if (stepsRun.has(name)) throw new DuplicateStepError(scope.node, name);
  stepsRun.add(name);
  if (Object.prototype.hasOwnProperty.call(scope.steps, name)) {
    scope.observer?.step(name, true);
    return scope.steps[name] as T;
  }
  // Tracked from the call on, not from when `fn` starts: a node that does not await its step
  // may return first, and its task must not count as finished before the step is recorded.
  const running = (async () => {
    await scope.beforeStep();
    // Called while the attempt ran, so it starts unless the attempt was abandoned meanwhile
    // (timed out, cancelled); one that merely returned since waits for its steps.
    if (attempt.ended !== ATTEMPT_RETURNED) refuseIfEnded(attempt);
    const result = await fn();
    scope.steps[name] = result;
    if (scope.durable) await scope.save(recordOf(scope));
    scope.observer?.step(name, false);
    return result;
  })();
  scope.inFlight.track(running);
  return running;
}

function refuseIfEnded(attempt: AttemptScope): void {
  if (attempt.ended !== undefined) {
    throw new AttemptAbandonedError(attempt.task.node, attempt.number, attempt.ended);
  }
}

import type { TokenUsage } from "../graph/types.js";
import { describeError } from "./failed-step.js";
import { isoTime } from "./ids.js";
import { withFields } from "./objects.js";

/** One failed attempt of a task: which, and the error it threw (the engine's code when it has one). */
export interface AttemptError {
  readonly attempt: number;
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

/**
 * How one task of a superstep ran. A committed superstep's checkpoint lists its tasks' timings in
 * plan order as `metadata.timings`; a task of an unfinished or failed superstep carries its own as
 * `tasks[].timing` in getState and getStateHistory.
 */
export interface TaskTiming {
  readonly node: string;
  readonly taskId: string;
  /** When the task started (ISO 8601). */
  readonly startedAt: string;
  /** From its start to its result or its last failure, retry waits included (ms). */
  readonly durationMs: number;
  /** Attempts the node ran: 1 without retries, 0 when the result came from the node cache. */
  readonly attempts: number;
  /** The error of each failed attempt, oldest first (empty when none failed). */
  readonly errors: readonly AttemptError[];
  /** Served from the node cache: the node did not run. */
  readonly cached: boolean;
  /** Tokens the task's model calls reported, failed attempts included. */
  readonly usage?: TokenUsage;
}

const NO_ERRORS: readonly AttemptError[] = Object.freeze([]);

/**
 * Times one task: one clock read when it starts and one when it stops. `runTask` adds the usage
 * its attempts report (so a failed task's tokens are kept too) and each failed attempt's error.
 */
export class TaskClock {
  private readonly start = Date.now();
  private errors: AttemptError[] | undefined;
  /** Tokens reported so far, over all attempts. */
  usage: TokenUsage | undefined;

  attemptFailed(attempt: number, error: unknown): void {
    (this.errors ??= []).push({ attempt, ...describeError(error) });
  }

  /** The task's timing, once it has finished or failed after `attempts` attempts. */
  stop(node: string, taskId: string, attempts: number, cached: boolean): TaskTiming {
    const timing: { -readonly [Key in keyof TaskTiming]: TaskTiming[Key] } = {
      node,
      taskId,
      startedAt: isoTime(this.start),
      durationMs: Date.now() - this.start,
      attempts,
      errors: this.errors ?? NO_ERRORS,
      cached,
    };
    if (this.usage) timing.usage = this.usage;
    return timing;
  }
}

/**
 * A committed superstep's checkpoint metadata: the run's metadata, the usage by node when a task
 * reported any, and the timings of its tasks (plan order; tasks reused untimed are left out).
 */
export function stepMetadata(
  metadata: Readonly<Record<string, unknown>> | undefined,
  usage: Readonly<Record<string, TokenUsage>> | undefined,
  timings: ReadonlyArray<TaskTiming | undefined>,
): Record<string, unknown> {
  const timed = timings.filter((timing) => timing !== undefined);
  return withFields(metadata, usage ? { usage, timings: timed } : { timings: timed });
}

import { SwitchyardError, type ConcurrentUpdateError } from "../errors.js";
import type { TaskRecord } from "./interrupt.js";
import type { RunContext } from "./run-context.js";
import { ERROR_CHANNEL, recordWrites, type PendingTask, type RunState } from "./run-state.js";
import type { Task } from "./task.js";
import type { TaskTiming } from "./task-timing.js";
import type { TaskOutput } from "./writes.js";

export type FailedTask = NonNullable<PendingTask["error"]>;

/** How a task's failure is stored with it and shown by getState. */
export function describeError(error: unknown): FailedTask {
  return {
    name: error instanceof Error ? error.name : "Error",
    code: error instanceof SwitchyardError ? error.code : undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * A superstep whose finished tasks cannot be applied together (two wrote one last-value key) fails
 * like a task failure: the writers are stored as failed (their error replaces their output, their
 * durable steps stay recorded), so the thread shows them as the tasks to re-run, and the values
 * never committed are not shown. Other finished tasks keep their writes. Returns the error to throw.
 */
export async function failConflictingTasks(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  outputs: readonly TaskOutput[],
  records: readonly TaskRecord[],
  timings: ReadonlyArray<TaskTiming | undefined>,
  conflict: ConcurrentUpdateError,
): Promise<ConcurrentUpdateError> {
  const error = conflict.onThread(run.threadId);
  const { checkpointer, threadId } = run;
  const checkpointId = state.checkpoint?.id;
  if (!checkpointer || threadId === undefined || checkpointId === undefined) return error;
  const failed = describeError(error);
  const writers = tasks
    .map((task, index) => ({ task, index }))
    .filter(({ index }) => outputs[index]?.writes.some(([key]) => key === conflict.key));
  try {
    await checkpointer.putWritesBatch(
      threadId,
      checkpointId,
      writers.map(({ task, index }) => ({
        taskId: task.id,
        writes: [
          ...recordWrites(records[index] as TaskRecord),
          [ERROR_CHANNEL, { ...failed, timing: timings[index] }],
        ],
      })),
      { lease: run.lease },
    );
  } catch {
    // The conflict is what the caller needs to fix; failing to record it must not mask it.
  }
  return error;
}

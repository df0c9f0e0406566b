import type { PlannedTask, TaskWrites } from "../checkpoint/types.js";
import { InterruptsDroppedError } from "../errors.js";
import type { StepToCommit } from "../runtime/commit.js";
import { newCheckpointId } from "../runtime/ids.js";
import { interruptId, type InterruptRecord } from "../runtime/interrupt.js";
import { saveStep } from "../runtime/loop.js";
import { type RunContext } from "../runtime/run-context.js";
import { waitingInterrupts } from "./resume.js";
import {
  encodeTaskOutput,
  INTERRUPT_CHANNEL,
  recordWrites,
  taskId,
  type PendingTask,
  type RunState,
} from "../runtime/run-state.js";

/** A checkpoint written on top of a waiting superstep, and what its tasks now wait on. */
export interface CarriedState {
  readonly state: RunState;
  readonly pending: Map<string, PendingTask>;
  /** Each carried task's old task id, mapped to its id under the new checkpoint. */
  readonly renamed: ReadonlyMap<string, string>;
}

/**
 * Saves a checkpoint that replaces `from`'s plan (an updateState, a migration) without losing what
 * waits for a human: each task waiting on an interrupt that `step.next` still plans (same node, in
 * order) keeps its interrupt and its record (answers, durable steps) under its new task id, so the
 * node re-runs with the new state and gets the answer. A waiting task the new plan drops is refused
 * (INTERRUPTS_DROPPED) unless the caller passed `discardInterrupts`.
 *
 * Invariant: the carried pending writes are stored under the new checkpoint's id *before* the
 * checkpoint is committed, so no reader ever sees the new checkpoint without its interrupts; a
 * crash in between leaves only unreachable writes.
 */
export async function saveKeepingInterrupts(
  run: RunContext,
  from: RunState,
  pending: ReadonlyMap<string, PendingTask>,
  step: StepToCommit,
  operation: string,
  options: { readonly keepFinished?: boolean } = {},
): Promise<CarriedState> {
  const id = newCheckpointId();
  const waiting = waitingInterrupts(from, pending);
  const carried = new Map<string, PendingTask>();
  const renamed = new Map<string, string>();
  const writes: TaskWrites[] = [];
  const dropped: InterruptRecord[] = [];
  const taken = new Set<number>();
  for (const { taskId: oldId, interrupt } of waiting) {
    const index = step.next.findIndex(
      (task, position) => !taken.has(position) && sameTask(task, plannedTask(from, oldId)),
    );
    if (index < 0) {
      dropped.push(interrupt);
      continue;
    }
    taken.add(index);
    const newTaskId = `${id}:${index}`;
    const record = (pending.get(oldId) as PendingTask).record;
    const moved: InterruptRecord = { ...interrupt, id: interruptId(newTaskId, interrupt.index) };
    carried.set(newTaskId, { output: undefined, record, interrupt: moved, error: undefined });
    renamed.set(oldId, newTaskId);
    writes.push({
      taskId: newTaskId,
      writes: [...recordWrites(record), [INTERRUPT_CHANNEL, moved]],
    });
  }
  if (options.keepFinished) {
    // Finished siblings of the waiting superstep keep their output (and durable steps): they
    // are reused, not run again, when the superstep resumes.
    from.next.forEach((task, position) => {
      const oldId = taskId(from, position);
      const known = pending.get(oldId);
      if (!known?.output) return;
      const index = step.next.findIndex((planned, at) => !taken.has(at) && sameTask(planned, task));
      if (index < 0) return;
      taken.add(index);
      const newTaskId = `${id}:${index}`;
      carried.set(newTaskId, known);
      renamed.set(oldId, newTaskId);
      const output = encodeTaskOutput(known.output);
      writes.push({ taskId: newTaskId, writes: [...output, ...recordWrites(known.record)] });
    });
  }
  if (dropped.length > 0 && run.config.discardInterrupts !== true) {
    throw new InterruptsDroppedError(run.threadId ?? "(no thread)", operation, dropped);
  }
  if (writes.length > 0 && run.checkpointer && run.threadId !== undefined) {
    await run.checkpointer.putWritesBatch(run.threadId, id, writes, { lease: run.lease });
  }
  const state = await saveStep(run, from, { ...step, id });
  return { state, pending: carried, renamed };
}

function plannedTask(state: RunState, id: string): PlannedTask | undefined {
  return state.next.find((_, index) => taskId(state, index) === id);
}

function sameTask(a: PlannedTask, b: PlannedTask | undefined): boolean {
  return b !== undefined && a.node === b.node && a.send === b.send;
}

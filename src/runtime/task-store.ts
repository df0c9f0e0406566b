import { SerializationError } from "../errors.js";
import { recordOf, type InterruptRecord, type TaskRecord, type TaskScope } from "./interrupt.js";
import { describeError, type FailedTask } from "./failed-step.js";
import type { RunContext } from "./loop.js";
import {
  encodeTaskOutput,
  ERROR_CHANNEL,
  INTERRUPT_CHANNEL,
  RECORD_CHANNEL,
  type PendingTask,
} from "./run-state.js";
import type { Task } from "./task.js";
import type { TaskOutput } from "./writes.js";

/**
 * A finished task's writes, with its durable steps when it ran any: should its superstep fail as a
 * whole (CONCURRENT_UPDATE), the task runs again without repeating them.
 */
function finishedWrites(output: TaskOutput, record: TaskRecord): Array<readonly [string, unknown]> {
  const writes = encodeTaskOutput(output);
  if (Object.keys(record.steps).length > 0) writes.push([RECORD_CHANNEL, record]);
  return writes;
}

/**
 * A task's pending writes for the superstep after `checkpointId`. Each call replaces what the task
 * had stored, so it always writes the task's whole story, under the run's lease.
 */
export class TaskStore {
  /** Finished tasks waiting for the next flush: those finishing in the same tick share one write. */
  private queue: Array<{
    task: Task;
    output: TaskOutput;
    record: TaskRecord;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];

  /**
   * Errors of failed tasks: a step an abandoned attempt finishes after its task failed is
   * recorded with the error, whichever of the two writes lands last.
   */
  private readonly errors = new Map<string, FailedTask>();

  constructor(
    private readonly run: RunContext,
    private readonly checkpointId: string,
  ) {}

  /** Stores a finished task's output; resolves once it is durable. */
  finished(task: Task, output: TaskOutput, record: TaskRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, output, record, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const { run } = this;
    const tasks = batch.map(({ task, output, record }) => ({
      taskId: task.id,
      writes: finishedWrites(output, record),
    }));
    try {
      await (run.checkpointer as NonNullable<RunContext["checkpointer"]>).putWritesBatch(
        run.threadId as string,
        this.checkpointId,
        tasks,
        { lease: run.lease },
      );
      for (const entry of batch) entry.resolve();
    } catch {
      // One bad task must not fail its siblings: store them one by one to find it.
      for (const entry of batch) {
        try {
          await this.put(entry.task, finishedWrites(entry.output, entry.record));
          entry.resolve();
        } catch (error) {
          entry.reject(
            error instanceof SerializationError ? error.forNode(entry.task.node.name) : error,
          );
        }
      }
    }
  }

  async record(task: Task, record: ReturnType<typeof recordOf>): Promise<void> {
    const error = this.errors.get(task.id);
    try {
      await this.put(
        task,
        error
          ? [
              [RECORD_CHANNEL, record],
              [ERROR_CHANNEL, error],
            ]
          : [[RECORD_CHANNEL, record]],
      );
    } catch (error) {
      throw error instanceof SerializationError ? error.forNode(task.node.name) : error;
    }
  }

  interrupted(task: Task, scope: TaskScope, interrupt: InterruptRecord): Promise<void> {
    return this.put(task, [
      [RECORD_CHANNEL, recordOf(scope)],
      [INTERRUPT_CHANNEL, interrupt],
    ]);
  }

  /** Records why the task failed, keeping what it established (answers, durable steps). */
  async failed(task: Task, scope: TaskScope, error: unknown): Promise<void> {
    const described = describeError(error);
    this.errors.set(task.id, described);
    try {
      await this.put(task, [
        [RECORD_CHANNEL, recordOf(scope)],
        [ERROR_CHANNEL, described],
      ]);
    } catch {
      // The task's own error is what the caller needs; failing to record it must not mask it.
    }
  }

  /** Appends the answer this run gave the task to the audit log, once the node accepted it. */
  async audit(
    task: Task,
    scope: TaskScope,
    known: PendingTask | undefined,
    answers: ReadonlyMap<string, unknown>,
  ): Promise<void> {
    const interrupt = known?.interrupt;
    if (!interrupt || !answers.has(task.id)) return;
    const accepted = scope.attempt.accepted.find((answer) => answer.index === interrupt.index);
    if (!accepted) return;
    const actor = this.run.configurable.actor;
    await this.run.checkpointer?.appendAudit(this.run.threadId as string, {
      at: new Date().toISOString(),
      actor: typeof actor === "string" && actor.length > 0 ? actor : "unknown",
      interruptId: interrupt.id,
      node: interrupt.node,
      kind: this.run.answerKind,
      value: accepted.value,
    });
  }

  private put(task: Task, writes: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    const { run } = this;
    return (run.checkpointer as NonNullable<RunContext["checkpointer"]>).putWrites(
      run.threadId as string,
      this.checkpointId,
      task.id,
      writes,
      { lease: run.lease },
    );
  }
}

import type { AuditEntry } from "../checkpoint/types.js";
import { SerializationError } from "../errors.js";
import { describeError } from "./failed-step.js";
import { recordOf, type InterruptRecord, type TaskRecord, type TaskScope } from "./interrupt.js";
import type { RunContext } from "./run-context.js";
import {
  encodeTaskOutput,
  ERROR_CHANNEL,
  INTERRUPT_CHANNEL,
  RECORD_CHANNEL,
  recordWrites,
  type PendingTask,
  type StoredFailure,
} from "./run-state.js";
import { namespacePath } from "./subgraph-host.js";
import type { Task } from "./task.js";
import type { TaskTiming } from "./task-timing.js";
import type { TaskOutput } from "./writes.js";

/**
 * A finished task's writes, with its durable steps when it ran any: should its superstep fail as a
 * whole (CONCURRENT_UPDATE), the task runs again without repeating them.
 */
function finishedWrites(
  output: TaskOutput,
  record: TaskRecord,
  timing: TaskTiming,
): Array<readonly [string, unknown]> {
  const writes = encodeTaskOutput(output, timing);
  if (Object.keys(record.steps).length > 0) writes.push([RECORD_CHANNEL, record]);
  return writes;
}

/**
 * A task's pending writes for the superstep after `checkpointId`. Each call replaces what the task
 * had stored, so it always writes the task's whole story, under the run's lease.
 *
 * Invariant: the first write that stores an answer this run gave (in the task's record or output)
 * carries that answer's audit entry, in the same transaction: an answer never takes effect
 * unaudited, and an answer that was not stored is not audited.
 */
export class TaskStore {
  /** Finished tasks waiting for the next flush: those finishing in the same tick share one write. */
  private queue: Array<{
    task: Task;
    output: TaskOutput;
    record: TaskRecord;
    timing: TaskTiming;
    audit: readonly AuditEntry[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];

  /**
   * Errors of failed tasks: a step an abandoned attempt finishes after its task failed is
   * recorded with the error, whichever of the two writes lands last.
   */
  private errors: Map<string, StoredFailure> | undefined;
  /** Tasks whose answer's audit entry is stored (made when the first one is). */
  private audited: Set<string> | undefined;

  constructor(
    private readonly run: RunContext,
    private readonly checkpointId: string,
    private readonly pending: ReadonlyMap<string, PendingTask>,
    private readonly answers: ReadonlyMap<string, unknown>,
  ) {}

  /** Stores a finished task's output; resolves once it is durable. */
  finished(
    task: Task,
    scope: TaskScope,
    output: TaskOutput,
    record: TaskRecord,
    timing: TaskTiming,
  ): Promise<void> {
    const audit = this.auditOf(task, scope);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, output, record, timing, audit, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const { run } = this;
    const tasks = batch.map(({ task, output, record, timing }) => ({
      taskId: task.id,
      writes: finishedWrites(output, record, timing),
    }));
    const audit = batch.flatMap((entry) => entry.audit);
    try {
      await (run.checkpointer as NonNullable<RunContext["checkpointer"]>).putWritesBatch(
        run.threadId as string,
        this.checkpointId,
        tasks,
        { lease: run.lease, audit },
      );
      for (const entry of batch) this.markAudited(entry.task, entry.audit);
      for (const entry of batch) entry.resolve();
    } catch {
      // One bad task must not fail its siblings: store them one by one to find it.
      for (const entry of batch) {
        try {
          await this.put(
            entry.task,
            finishedWrites(entry.output, entry.record, entry.timing),
            entry.audit,
          );
          entry.resolve();
        } catch (error) {
          entry.reject(
            error instanceof SerializationError ? error.forNode(entry.task.node.name) : error,
          );
        }
      }
    }
  }

  async record(task: Task, scope: TaskScope, record: ReturnType<typeof recordOf>): Promise<void> {
    const error = this.errors?.get(task.id);
    try {
      await this.put(
        task,
        error ? [...recordWrites(record), [ERROR_CHANNEL, error]] : recordWrites(record),
        this.auditOf(task, scope),
      );
    } catch (error) {
      throw error instanceof SerializationError ? error.forNode(task.node.name) : error;
    }
  }

  interrupted(task: Task, scope: TaskScope, interrupt: InterruptRecord): Promise<void> {
    return this.put(
      task,
      [...recordWrites(recordOf(scope)), [INTERRUPT_CHANNEL, interrupt]],
      this.auditOf(task, scope),
    );
  }

  /** Records why the task failed, keeping what it established (answers, durable steps). */
  async failed(task: Task, scope: TaskScope, error: unknown, timing: TaskTiming): Promise<void> {
    const described: StoredFailure = { ...describeError(error), timing };
    (this.errors ??= new Map()).set(task.id, described);
    try {
      await this.put(
        task,
        [...recordWrites(recordOf(scope)), [ERROR_CHANNEL, described]],
        this.auditOf(task, scope),
      );
    } catch {
      // The task's own error is what the caller needs; failing to record it must not mask it.
    }
  }

  /**
   * The audit entry of the answer this run gave the task, once the node accepted it and until it
   * is stored: what the task's next write must carry.
   */
  auditOf(task: Task, scope: TaskScope): AuditEntry[] {
    const interrupt = this.pending.get(task.id)?.interrupt;
    if (!interrupt || !this.answers.has(task.id) || this.audited?.has(task.id)) return [];
    const accepted = scope.attempt.accepted.find((answer) => answer.index === interrupt.index);
    if (!accepted) return [];
    const actor = this.run.configurable.actor;
    return [
      {
        at: new Date().toISOString(),
        actor: typeof actor === "string" && actor.length > 0 ? actor : "unknown",
        interruptId: interrupt.id,
        // Inside a subgraph, named by its path from the thread's graph (the store files the entry
        // in the thread's log): parent node › child node.
        node: [...namespacePath(this.run.namespace), interrupt.node].join(" › "),
        kind: this.run.answerKind,
        value: accepted.value,
      },
    ];
  }

  private markAudited(task: Task, audit: readonly AuditEntry[]): void {
    if (audit.length > 0) (this.audited ??= new Set()).add(task.id);
  }

  private async put(
    task: Task,
    writes: ReadonlyArray<readonly [string, unknown]>,
    audit: readonly AuditEntry[],
  ): Promise<void> {
    const { run } = this;
    await (run.checkpointer as NonNullable<RunContext["checkpointer"]>).putWrites(
      run.threadId as string,
      this.checkpointId,
      task.id,
      writes,
      { lease: run.lease, audit },
    );
    this.markAudited(task, audit);
  }
}

import type { AuditEntry } from "../checkpoint/types.js";
import {
  CancelledError,
  InvalidResumeError,
  isStorageFailure,
  SerializationError,
  SubgraphVersionMismatchError,
} from "../errors.js";
import {
  EMPTY_RECORD,
  InterruptSignal,
  recordOf,
  Rejection,
  type InterruptRecord,
  type TaskRecord,
  type TaskScope,
} from "./interrupt.js";
import { describeError } from "./failed-step.js";
import { ParentCommandSignal } from "./parent-command.js";
import type { RunContext } from "./run-context.js";
import {
  encodeTaskOutput,
  ERROR_CHANNEL,
  INTERRUPT_CHANNEL,
  RECORD_CHANNEL,
  recordWrites,
  type PendingTask,
  type RunState,
  type StoredFailure,
} from "./run-state.js";
import { createTaskScope } from "./step.js";
import { namespacePath } from "./subgraph-host.js";
import { StepTracker } from "./step-tracker.js";
import { lookupCached, storeCached } from "./node-cache.js";
import { runTask, type Task, type TaskEnvironment } from "./task.js";
import { TaskClock, type TaskTiming } from "./task-timing.js";
import type { TaskOutput } from "./writes.js";
import type { SuperstepObserver, TaskObserver } from "./observer.js";

/** Aborts the run's signal when a task fails, so its running siblings stop. */
export const TASK_FAILED = Symbol("task failed");

export interface SuperstepResult {
  /** Per task, in plan order; undefined for tasks that are waiting on an interrupt. */
  readonly outputs: ReadonlyArray<TaskOutput | undefined>;
  /** Per task, in plan order: what it established (answers, durable steps). */
  readonly records: readonly TaskRecord[];
  /** Per task, in plan order: how it ran; undefined for waiting tasks and untimed reused ones. */
  readonly timings: ReadonlyArray<TaskTiming | undefined>;
  /** Interrupts the superstep is waiting on: raised now, or still unanswered from before. */
  readonly interrupts: readonly InterruptRecord[];
  /**
   * A lone task whose writes were not stored as pending writes: the superstep's commit stores
   * them, one transaction instead of two. Report it (hooks.finished) once that commit is done.
   */
  readonly uncommitted: Task | undefined;
  /** The audit entry of the answer the uncommitted task accepted: that commit must store it. */
  readonly uncommittedAudit: readonly AuditEntry[];
}

export interface SuperstepHooks {
  readonly started: (task: Task) => void;
  readonly finished: (task: Task, output: TaskOutput) => void;
  /** The superstep's observer (telemetry), when the run has one. */
  readonly observer?: SuperstepObserver;
}

/**
 * Runs the superstep's tasks concurrently (up to maxConcurrency). A task that finished before
 * (`pending` output) is reused; one waiting on an interrupt nobody answered stays waiting; the rest
 * run, an answered one with its answer. Each finished task's output is persisted as pending writes
 * before the superstep commits (except a lone task's: see `uncommitted`); an interrupted task
 * persists its record and the interrupt. On the
 * first failure the running siblings are aborted and the failure is thrown; finished siblings keep
 * their writes.
 */
export async function runSuperstep(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  step: number,
  pending: ReadonlyMap<string, PendingTask>,
  answers: ReadonlyMap<string, unknown>,
  hooks: SuperstepHooks,
): Promise<SuperstepResult> {
  const outputs: Array<TaskOutput | undefined> = [];
  const interrupts: InterruptRecord[] = [];
  const todo: number[] = [];
  const records = tasks.map((task) => pending.get(task.id)?.record ?? EMPTY_RECORD);
  const timings: Array<TaskTiming | undefined> = [];
  tasks.forEach((task, index) => {
    const known = pending.get(task.id);
    outputs.push(known?.output);
    timings.push(known?.output ? known.timing : undefined);
    if (known?.output) {
      hooks.observer?.reused(task.id, task.node.name, "pending");
      hooks.finished(task, known.output);
    } else if (known?.interrupt && !answers.has(task.id)) interrupts.push(known.interrupt);
    else todo.push(index);
  });
  if (todo.length === 0) {
    return { outputs, records, timings, interrupts, uncommitted: undefined, uncommittedAudit: [] };
  }
  // With a single task there is no sibling whose failure could need this task's writes later.
  const lone = tasks.length === 1 ? (tasks[0] as Task) : undefined;
  let uncommitted: Task | undefined;
  let uncommittedAudit: readonly AuditEntry[] = [];

  const signal = run.controller.signal;
  const env: TaskEnvironment = {
    spec: run.spec,
    config: run.config,
    configurable: run.configurable,
    threadId: run.threadId,
    step,
    signal,
    abandonedStepWaitMs: run.abandonedStepWaitMs,
    budget: run.budget,
    values: state.values,
    writer: run.emitter?.modes.has("custom")
      ? (_node: string, event: unknown) => run.emitter?.emit("custom", event)
      : () => undefined,
    // LangGraph's [chunk, metadata] shape; both its key names and Switchyard's are given.
    onToken: run.emitter?.modes.has("messages")
      ? (node, superstep, chunk) =>
          run.emitter?.emit("messages", [
            chunk,
            { node, superstep, langgraph_node: node, langgraph_step: superstep },
          ])
      : undefined,
  };
  const checkpointId = state.checkpoint?.id;
  const store =
    run.checkpointer && run.threadId !== undefined && checkpointId !== undefined
      ? new TaskStore(run, checkpointId, pending, answers)
      : undefined;
  const cached = run.cache
    ? await lookupCached(run.cache, run.spec.name, tasks, todo, pending, answers)
    : undefined;
  let failure: { error: unknown } | undefined;
  let cursor = 0;
  const worker = async (): Promise<void> => {
    while (cursor < todo.length && failure === undefined && !signal.aborted) {
      const index = todo[cursor] as number;
      cursor += 1;
      const task = tasks[index] as Task;
      const caching = cached?.get(index);
      const hit = caching?.hit;
      if (hit) hooks.observer?.reused(task.id, task.node.name, "cached");
      const observer = hit
        ? undefined
        : hooks.observer?.task(task.id, task.node.name, answers.has(task.id));
      const known = pending.get(task.id);
      const scope = taskScope(run, task, step, known, answers.get(task.id), store, observer);
      hooks.started(task);
      const clock = new TaskClock();
      try {
        const output = hit ?? (await runTask(task, env, scope, clock));
        const timing = clock.stop(task.node.name, task.id, scope.attempt.number, hit !== undefined);
        timings[index] = timing;
        if (caching && !hit && run.cache) await storeCached(run.cache, caching, output);
        // A task is finished once the steps it started are recorded (a node may not await one).
        if (!scope.inFlight.idle) await scope.inFlight.settle(run.abandonedStepWaitMs);
        outputs[index] = output;
        records[index] = recordOf(scope);
        observer?.end("finished", output.update);
        if (task === lone && store) {
          uncommitted = task;
          uncommittedAudit = store.auditOf(task, scope);
        } else {
          await store?.finished(task, scope, output, records[index], timing);
          hooks.finished(task, output);
        }
      } catch (error) {
        if (error instanceof InterruptSignal) {
          if (!scope.inFlight.idle) await scope.inFlight.settle(run.abandonedStepWaitMs);
          const traceparent = observer?.interrupted(error.interrupt);
          const interrupt = traceparent ? { ...error.interrupt, traceparent } : error.interrupt;
          await store?.interrupted(task, scope, interrupt);
          interrupts.push(interrupt);
          continue;
        }
        // A Command.PARENT is the node's way out of a child graph, not a failure.
        if (error instanceof ParentCommandSignal) observer?.end("finished");
        else observer?.end("failed", error);
        if (signal.aborted) return;
        failure = { error };
        run.controller.abort(TASK_FAILED);
        // An invalid answer changes nothing: the task keeps waiting on its interrupt (so does a
        // child whose structure changed while it was in flight). A storage
        // failure is not recorded: that write would fail (or wait) again and hide the real error.
        // A Command.PARENT ends the child's run; the parent records the command, not a failure.
        const recorded =
          !(error instanceof InvalidResumeError) &&
          !(error instanceof SubgraphVersionMismatchError) &&
          !(error instanceof ParentCommandSignal) &&
          !isStorageFailure(error);
        if (recorded && store) {
          const timing = clock.stop(task.node.name, task.id, scope.attempt.number, false);
          await store.failed(task, scope, error, timing);
        }
      }
    }
  };
  const workers = Math.min(run.maxConcurrency, todo.length);
  if (workers === 1) await worker();
  else await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  if (signal.aborted) throw new CancelledError(step, run.threadId);
  return { outputs, records, timings, interrupts, uncommitted, uncommittedAudit };
}

function taskScope(
  run: RunContext,
  task: Task,
  step: number,
  known: PendingTask | undefined,
  answer: unknown,
  store: TaskStore | undefined,
  observer: TaskObserver | undefined,
): TaskScope {
  const resumes = [...(known?.record.resumes ?? [])];
  const rejections = new Map(
    Object.entries(known?.record.rejections ?? {}).map(([index, reason]) => [
      Number(index),
      reason,
    ]),
  );
  const interrupt = known?.interrupt;
  if (interrupt && answer instanceof Rejection) {
    resumes[interrupt.index] = null;
    rejections.set(interrupt.index, answer.reason);
  } else if (interrupt && answer !== undefined) {
    resumes[interrupt.index] = answer;
  }
  const scope: TaskScope = createTaskScope({
    taskId: task.id,
    node: task.node.name,
    durable: store !== undefined,
    resumes,
    rejections,
    steps: { ...known?.record.steps },
    inFlight: new StepTracker(run.steps),
    save: (record) => store?.record(task, scope, record) ?? Promise.resolve(),
    beforeStep: run.beforeStep,
    host:
      store && run.checkpointer && run.threadId !== undefined
        ? {
            checkpointer: run.checkpointer,
            storageKey: run.threadId,
            threadId: run.userThreadId ?? run.threadId,
            namespace: run.namespace,
            step,
            lease: run.lease,
            beforeStep: run.beforeStep,
            steps: run.steps,
            answerKind: run.answerKind,
            allowGraphChange: run.config.allowGraphChange === true,
            emitter: run.emitter,
            budget: run.budget,
          }
        : undefined,
    observer,
  });
  return scope;
}

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
class TaskStore {
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
  private readonly errors = new Map<string, StoredFailure>();
  /** Tasks whose answer's audit entry is stored. */
  private readonly audited = new Set<string>();

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
    const error = this.errors.get(task.id);
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

  /** Records why the task failed and how it ran, keeping what it established (answers, steps). */
  async failed(task: Task, scope: TaskScope, error: unknown, timing: TaskTiming): Promise<void> {
    const described: StoredFailure = { ...describeError(error), timing };
    this.errors.set(task.id, described);
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
    if (!interrupt || !this.answers.has(task.id) || this.audited.has(task.id)) return [];
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
    if (audit.length > 0) this.audited.add(task.id);
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

import type { BaseMessageChunk } from "@langchain/core/messages";
import type { AuditEntry } from "../checkpoint/types.js";
import {
  CancelledError,
  InvalidResumeError,
  isStorageFailure,
  SubgraphVersionMismatchError,
} from "../errors.js";
import type { GraphSpec } from "../graph/spec.js";
import type { Configurable, RunConfig } from "../graph/types.js";
import type { AbortRace } from "./abort-race.js";
import type { BudgetTracker } from "./budget.js";
import {
  EMPTY_RECORD,
  InterruptSignal,
  recordOf,
  type InterruptRecord,
  type TaskRecord,
  type TaskScope,
} from "./interrupt.js";
import { lookupCached, storeCached, type CachedTask } from "./node-cache.js";
import type { SuperstepObserver, TaskObserver } from "./observer.js";
import { ParentCommandSignal } from "./parent-command.js";
import type { RunContext } from "./run-context.js";
import type { PendingTask, RunState } from "./run-state.js";
import type { SubgraphHost } from "./subgraph-host.js";
import { isPromiseLike } from "./abort-race.js";
import { runTask, type Task, type TaskEnvironment } from "./task.js";
import { subgraphHost, taskScope } from "./task-scope.js";
import { TaskClock, type TaskTiming } from "./task-timing.js";
import { TaskStore } from "./task-store.js";
import type { TaskOutput } from "./writes.js";

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
 * persists its record and the interrupt. On the first failure the running siblings are aborted and
 * the failure is thrown; finished siblings keep their writes.
 *
 * Synchronous when every task to run is (a lone synchronous node makes no promise here).
 */
export function runSuperstep(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  step: number,
  pending: ReadonlyMap<string, PendingTask>,
  answers: ReadonlyMap<string, unknown>,
  hooks: SuperstepHooks,
): SuperstepResult | Promise<SuperstepResult> {
  return new Superstep(run, state, tasks, step, pending, answers, hooks).start();
}

/** One superstep's tasks and what they produced: also the environment its tasks run in. */
class Superstep implements TaskEnvironment {
  readonly spec: GraphSpec;
  readonly config: RunConfig;
  readonly configurable: Configurable;
  readonly threadId: string | undefined;
  readonly signal: AbortSignal;
  readonly race: AbortRace;
  readonly abandonedStepWaitMs: number;
  readonly budget: BudgetTracker | undefined;
  readonly values: Readonly<Record<string, unknown>>;
  readonly onToken?: (node: string, step: number, chunk: BaseMessageChunk) => void;

  private readonly outputs: Array<TaskOutput | undefined> = [];
  private readonly records: TaskRecord[] = [];
  private readonly timings: Array<TaskTiming | undefined> = [];
  private readonly interrupts: InterruptRecord[] = [];
  private readonly todo: number[] = [];
  /** With a single task there is no sibling whose failure could need this task's writes later. */
  private readonly lone: Task | undefined;
  private readonly store: TaskStore | undefined;
  private host: SubgraphHost | undefined;
  private cached: ReadonlyMap<number, CachedTask> | undefined;
  private uncommitted: Task | undefined;
  private uncommittedAudit: readonly AuditEntry[] = [];
  private failure: { error: unknown } | undefined;
  private cursor = 0;

  constructor(
    private readonly run: RunContext,
    state: RunState,
    private readonly tasks: readonly Task[],
    readonly step: number,
    private readonly pending: ReadonlyMap<string, PendingTask>,
    private readonly answers: ReadonlyMap<string, unknown>,
    private readonly hooks: SuperstepHooks,
  ) {
    this.spec = run.spec;
    this.config = run.config;
    this.configurable = run.configurable;
    this.threadId = run.threadId;
    this.signal = run.controller.signal;
    this.race = run.race;
    this.abandonedStepWaitMs = run.abandonedStepWaitMs;
    this.budget = run.budget;
    this.values = state.values;
    this.lone = tasks.length === 1 ? tasks[0] : undefined;
    const emitter = run.emitter;
    // LangGraph's [chunk, metadata] shape; both its key names and Switchyard's are given.
    if (emitter?.modes.has("messages")) {
      this.onToken = (node, superstep, chunk) =>
        emitter.emit("messages", [
          chunk,
          { node, superstep, langgraph_node: node, langgraph_step: superstep },
        ]);
    }
    const checkpointId = state.checkpoint?.id;
    this.store =
      run.checkpointer && run.threadId !== undefined && checkpointId !== undefined
        ? new TaskStore(run, checkpointId, pending, answers)
        : undefined;
  }

  writer(_node: string, event: unknown): void {
    const emitter = this.run.emitter;
    if (emitter?.modes.has("custom")) emitter.emit("custom", event);
  }

  start(): SuperstepResult | Promise<SuperstepResult> {
    const { tasks, pending, answers, hooks } = this;
    for (let index = 0; index < tasks.length; index += 1) {
      const task = tasks[index] as Task;
      const known = pending.size > 0 ? pending.get(task.id) : undefined;
      this.outputs.push(known?.output);
      this.records.push(known?.record ?? EMPTY_RECORD);
      this.timings.push(known?.output ? known.timing : undefined);
      if (known?.output) {
        hooks.observer?.reused(task.id, task.node.name, "pending");
        hooks.finished(task, known.output);
      } else if (known?.interrupt && !answers.has(task.id)) this.interrupts.push(known.interrupt);
      else this.todo.push(index);
    }
    if (this.todo.length === 0) return this.result();
    if (this.run.cache) return this.runCached(this.run.cache);
    return this.runTodo();
  }

  private async runCached(cache: NonNullable<RunContext["cache"]>): Promise<SuperstepResult> {
    const { spec } = this.run;
    this.cached = await lookupCached(
      cache,
      spec.name,
      this.tasks,
      this.todo,
      this.pending,
      this.answers,
    );
    return this.runTodo();
  }

  private runTodo(): SuperstepResult | Promise<SuperstepResult> {
    const workers = Math.min(this.run.maxConcurrency, this.todo.length);
    if (workers > 1) return this.runWorkers(workers);
    if (this.todo.length === 1) return this.runOnly(this.todo[0] as number);
    const ran = this.work();
    return isPromiseLike(ran) ? ran.then(() => this.result()) : this.result();
  }

  /** The one task to run: its continuation also ends the superstep (no promise in between). */
  private runOnly(index: number): SuperstepResult | Promise<SuperstepResult> {
    if (this.signal.aborted) return this.result();
    this.cursor = 1;
    const task = this.tasks[index] as Task;
    const { caching, observer, scope, clock } = this.begin(index, task);
    let output: TaskOutput | Promise<TaskOutput>;
    try {
      output = caching?.hit ?? runTask(task, this, scope, clock);
    } catch (error) {
      return this.failed(task, scope, observer, clock, error).then(() => this.result());
    }
    if (!isPromiseLike(output)) {
      const settled = this.settle(index, task, scope, observer, clock, caching, output);
      return settled ? settled.then(() => this.result()) : this.result();
    }
    return output.then(
      (value) => {
        const settled = this.settle(index, task, scope, observer, clock, caching, value);
        return settled ? settled.then(() => this.result()) : this.result();
      },
      (error: unknown) =>
        this.failed(task, scope, observer, clock, error).then(() => this.result()),
    );
  }

  private async runWorkers(workers: number): Promise<SuperstepResult> {
    await Promise.all(Array.from({ length: workers }, () => Promise.resolve(this.work())));
    return this.result();
  }

  /** Takes the next task while no task failed and the run goes on; synchronous while they are. */
  private work(): void | Promise<void> {
    while (this.cursor < this.todo.length && this.failure === undefined && !this.signal.aborted) {
      const index = this.todo[this.cursor] as number;
      this.cursor += 1;
      const ran = this.runAt(index);
      if (isPromiseLike(ran)) return ran.then(() => this.work());
    }
  }

  private result(): SuperstepResult {
    if (this.failure) throw this.failure.error;
    if (this.signal.aborted) throw new CancelledError(this.step, this.run.threadId);
    const { outputs, records, timings, interrupts, uncommitted, uncommittedAudit } = this;
    return { outputs, records, timings, interrupts, uncommitted, uncommittedAudit };
  }

  /** A task starts: its cache entry, observer and scope. */
  private begin(
    index: number,
    task: Task,
  ): {
    caching: CachedTask | undefined;
    observer: TaskObserver | undefined;
    scope: TaskScope;
    clock: TaskClock;
  } {
    const caching = this.cached?.get(index);
    const hit = caching?.hit;
    const observers = this.hooks.observer;
    if (hit) observers?.reused(task.id, task.node.name, "cached");
    const observer = hit
      ? undefined
      : observers?.task(task.id, task.node.name, this.answers.has(task.id));
    const scope = this.scopeOf(task, observer);
    this.hooks.started(task);
    return { caching, observer, scope, clock: new TaskClock() };
  }

  private runAt(index: number): void | Promise<void> {
    const task = this.tasks[index] as Task;
    const { caching, observer, scope, clock } = this.begin(index, task);
    let output: TaskOutput | Promise<TaskOutput>;
    try {
      output = caching?.hit ?? runTask(task, this, scope, clock);
    } catch (error) {
      return this.failed(task, scope, observer, clock, error);
    }
    if (!isPromiseLike(output))
      return this.settle(index, task, scope, observer, clock, caching, output);
    return output.then(
      (value) => this.settle(index, task, scope, observer, clock, caching, value),
      (error: unknown) => this.failed(task, scope, observer, clock, error),
    );
  }

  /** The task's node returned `output`: finish it, or fail it when storing that fails. */
  private settle(
    index: number,
    task: Task,
    scope: TaskScope,
    observer: TaskObserver | undefined,
    clock: TaskClock,
    caching: CachedTask | undefined,
    output: TaskOutput,
  ): void | Promise<void> {
    const cached = caching?.hit !== undefined;
    this.timings[index] = clock.stop(task.node.name, task.id, scope.attempt.number, cached);
    try {
      const finished =
        (caching && !caching.hit) || !scope.inFlight.idle
          ? this.finishLater(index, task, scope, observer, caching, output)
          : this.finish(index, task, scope, observer, output);
      return (
        finished &&
        finished.then(undefined, (error: unknown) =>
          this.failed(task, scope, observer, clock, error),
        )
      );
    } catch (error) {
      return this.failed(task, scope, observer, clock, error);
    }
  }

  private async finishLater(
    index: number,
    task: Task,
    scope: TaskScope,
    observer: TaskObserver | undefined,
    caching: CachedTask | undefined,
    output: TaskOutput,
  ): Promise<void> {
    if (caching && !caching.hit && this.run.cache)
      await storeCached(this.run.cache, caching, output);
    // A task is finished once the steps it started are recorded (a node may not await one).
    if (!scope.inFlight.idle) await scope.inFlight.settle(this.run.abandonedStepWaitMs);
    await this.finish(index, task, scope, observer, output);
  }

  private finish(
    index: number,
    task: Task,
    scope: TaskScope,
    observer: TaskObserver | undefined,
    output: TaskOutput,
  ): void | Promise<void> {
    this.outputs[index] = output;
    const record = recordOf(scope);
    this.records[index] = record;
    observer?.end("finished", output.update);
    const store = this.store;
    if (task === this.lone && store) {
      this.uncommitted = task;
      this.uncommittedAudit = store.auditOf(task, scope);
      return;
    }
    if (!store) {
      this.hooks.finished(task, output);
      return;
    }
    return store
      .finished(task, scope, output, record, this.timings[index] as TaskTiming)
      .then(() => this.hooks.finished(task, output));
  }

  private async failed(
    task: Task,
    scope: TaskScope,
    observer: TaskObserver | undefined,
    clock: TaskClock,
    error: unknown,
  ): Promise<void> {
    const { run, store } = this;
    if (error instanceof InterruptSignal) {
      if (!scope.inFlight.idle) await scope.inFlight.settle(run.abandonedStepWaitMs);
      const traceparent = observer?.interrupted(error.interrupt);
      const interrupt = traceparent ? { ...error.interrupt, traceparent } : error.interrupt;
      await store?.interrupted(task, scope, interrupt);
      this.interrupts.push(interrupt);
      return;
    }
    // A Command.PARENT is the node's way out of a child graph, not a failure.
    if (error instanceof ParentCommandSignal) observer?.end("finished");
    else observer?.end("failed", error);
    if (this.signal.aborted) return;
    this.failure = { error };
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

  private scopeOf(task: Task, observer: TaskObserver | undefined): TaskScope {
    const known = this.pending.size > 0 ? this.pending.get(task.id) : undefined;
    const answer = this.answers.size > 0 ? this.answers.get(task.id) : undefined;
    // One host for all the superstep's tasks: a graph invoked inside a task checkpoints with it.
    if (this.store && !this.host) this.host = subgraphHost(this.run, this.step);
    return taskScope(this.run, task, known, answer, this.store, observer, this.host);
  }
}

import {
  RunInProgressError,
  RunTimeoutError,
  ThreadBusyError,
  UnsupportedOptionError,
  type MultitaskStrategy,
  type RunEventRecord,
  type RunRecord,
  type RunStatus,
  type RunStore,
} from "../index.js";
import { failureOf, streamPlan, type StreamProgress } from "./execute.js";
import type { RunPlan } from "./plan.js";
import { RunEventLog } from "./run-events.js";

export type { RunPlan } from "./plan.js";

/** A run as the routes see it, wherever it executes. */
export interface RunHandle {
  readonly record: RunRecord;
  readonly log: RunEventLog;
  /** What `runs.wait` and `join` answer once `done` settles. */
  readonly output: unknown;
  /** Settles once the record is stored (pending); rejects when the run was refused. */
  readonly stored: Promise<void>;
  /** Settles when the run has ended and its status is stored; never rejects. */
  readonly done: Promise<void>;
  /** Asks the run to stop at its last checkpoint; settles once the request is recorded. */
  cancel(): void | Promise<void>;
}

/**
 * Where runs execute: in the server's process (RunExecutor), or on a queue that workers drain
 * (QueuedRunExecutor). The routes know only this.
 */
export interface Executor {
  /** Records the run and starts or queues it; throws or rejects `stored` when refused. */
  start(plan: RunPlan, strategy: MultitaskStrategy): RunHandle;
  /** The thread's unfinished run, if any. */
  active(threadId: string): Promise<RunHandle | undefined>;
  /** The run, to join, rejoin or cancel; undefined when this executor cannot follow it. */
  find(record: RunRecord): Promise<RunHandle | undefined>;
  /** Stops what this process runs or follows. */
  shutdown(): Promise<void>;
}

/** How many finished runs keep their events in memory for late joiners. */
const FINISHED_KEPT = 200;

/** How often a resumed run asks again for a thread a dead process's lease still holds. */
const LEASE_POLL_MS = 200;

/** A run the server started: its events, its outcome, and how to stop it. */
export class ServerRun implements RunHandle {
  readonly log: RunEventLog;
  readonly controller = new AbortController();
  /**
   * What `runs.wait` and `join` answer: the last `values` event (at an interrupt the engine's
   * last one is `{ __interrupt__ }`), or `{ __error__ }`.
   */
  output: unknown = {};
  status: RunStatus = "pending";
  /** Set when the server's run timeout stopped the run. */
  timedOut = false;
  /** Settles when every event pushed so far is stored. */
  persisted: Promise<void> = Promise.resolve();
  /** Settles once the record is stored (pending), so the route can answer with it. */
  stored!: Promise<void>;
  /** Settles when the run has ended and its status is stored; never rejects. */
  done!: Promise<void>;

  /** `events`: what a previous process stored of this run's stream, continued from here. */
  constructor(
    readonly record: RunRecord,
    events: readonly RunEventRecord[] = [],
  ) {
    this.log = RunEventLog.continuing(events);
  }

  cancel(): void {
    this.controller.abort();
  }
}

/**
 * Runs graphs in the background, at most one active run per thread (others wait behind it when
 * their strategy is "enqueue", or cancel it with "interrupt"), and keeps their events.
 */
export class RunExecutor implements Executor {
  private readonly running = new Map<string, ServerRun>();
  private readonly runs = new Map<string, ServerRun>();

  /** `runTimeoutMs`: a run still running after this long is stopped as `timeout` (0: never). */
  constructor(
    private readonly store: RunStore,
    private readonly onFinished: (run: ServerRun) => Promise<void>,
    private readonly runTimeoutMs = 0,
  ) {}

  /** The newest run on the thread that has not finished. */
  activeOn(threadId: string): ServerRun | undefined {
    return this.running.get(threadId);
  }

  async active(threadId: string): Promise<ServerRun | undefined> {
    return this.activeOn(threadId);
  }

  /** A run this process started and still remembers (all active ones, the recent finished ones). */
  async find(record: RunRecord): Promise<ServerRun | undefined> {
    return this.runs.get(record.runId);
  }

  /**
   * Starts `plan` now, or behind the thread's active run. Throws RUN_IN_PROGRESS when the thread is
   * busy and the strategy is "reject". Registration is synchronous, so two requests cannot both
   * find the thread idle.
   */
  start(plan: RunPlan, strategy: MultitaskStrategy): ServerRun {
    const { threadId } = plan.record;
    const previous = this.running.get(threadId);
    if (previous && strategy === "reject")
      throw new RunInProgressError(threadId, previous.record.runId);
    if (previous && strategy === "rollback") {
      throw new UnsupportedOptionError(
        'multitask_strategy "rollback"',
        'Use "reject", "interrupt" or "enqueue".',
      );
    }
    if (previous && strategy === "interrupt") previous.cancel();
    const run = new ServerRun(plan.record);
    run.stored = this.store.putRun(plan.record);
    return this.launch(run, previous, () => this.execute(run, plan, 0));
  }

  /**
   * Takes up a run a previous process left pending or running, behind the thread's active run,
   * its stream continuing after `events` (what was stored of it). When its turn comes, `decide`
   * plans where it starts, or says it is over (undefined: it already ended well, and `decide` set
   * its output). Until the dead process's lease on the thread expires the engine answers
   * THREAD_BUSY; the run waits for the lease, for at most `waitForLeaseMs`.
   */
  resume(
    record: RunRecord,
    events: readonly RunEventRecord[],
    waitForLeaseMs: number,
    decide: (run: ServerRun) => Promise<RunPlan | undefined>,
  ): ServerRun {
    const run = new ServerRun(record, events);
    run.stored = Promise.resolve();
    const previous = this.running.get(record.threadId);
    return this.launch(run, previous, async () => {
      let plan: RunPlan | undefined;
      try {
        plan = await decide(run);
      } catch (error) {
        this.fail(run, error);
        return this.finish(run, "error");
      }
      if (!plan) return this.finish(run, "success");
      return this.execute(run, plan, waitForLeaseMs);
    });
  }

  private launch(
    run: ServerRun,
    previous: ServerRun | undefined,
    execute: () => Promise<void>,
  ): ServerRun {
    const { threadId, runId } = run.record;
    this.running.set(threadId, run);
    this.runs.set(runId, run);
    run.done = (async () => {
      try {
        await run.stored;
        if (previous) await previous.done;
        await execute();
      } finally {
        if (this.running.get(threadId) === run) this.running.delete(threadId);
        run.log.close();
        this.forgetOldRuns();
      }
    })().catch((error: unknown) => {
      console.error(`run ${runId} on thread ${threadId} failed outside the graph:`, error);
    });
    return run;
  }

  /** Cancels every active run and waits until each has stopped at a checkpoint. */
  async shutdown(): Promise<void> {
    const running = [...this.running.values()];
    for (const run of running) run.cancel();
    await Promise.all(running.map((run) => run.done));
  }

  private async execute(run: ServerRun, plan: RunPlan, waitForLeaseMs: number): Promise<void> {
    const { record } = plan;
    if (run.controller.signal.aborted) return this.finish(run, "interrupted");
    await this.setStatus(run, "running");
    if (run.log.size === 0) this.emit(run, "metadata", { run_id: record.runId, attempt: 1 });
    const leaseDeadline = Date.now() + waitForLeaseMs;
    const timeout =
      this.runTimeoutMs > 0
        ? setTimeout(() => {
            run.timedOut = true;
            run.cancel();
          }, this.runTimeoutMs)
        : undefined;
    try {
      for (;;) {
        const progress: StreamProgress = { produced: false, output: run.output };
        try {
          await streamPlan(
            plan,
            run.controller.signal,
            (event, data) => this.emit(run, event, data),
            progress,
          );
          run.output = progress.output;
          break;
        } catch (error) {
          run.output = progress.output;
          const waitForLease =
            error instanceof ThreadBusyError && !progress.produced && Date.now() < leaseDeadline;
          if (!waitForLease || run.controller.signal.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
        }
      }
      await this.finish(run, "success");
    } catch (error) {
      if (run.timedOut) {
        this.fail(run, new RunTimeoutError(record.threadId, record.runId, this.runTimeoutMs));
        return this.finish(run, "timeout");
      }
      if (run.controller.signal.aborted) return this.finish(run, "interrupted");
      this.fail(run, error);
      await this.finish(run, "error");
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Records `error` as the run's outcome and `error` event. */
  private fail(run: ServerRun, error: unknown): void {
    const failure = failureOf(error);
    run.output = { __error__: failure };
    this.emit(run, "error", failure);
  }

  /** Adds an event to the run's log and stores it, in order, for rejoins after a restart. */
  emit(run: ServerRun, event: string, data: unknown): void {
    const added = run.log.push(event, data);
    if (!added) return;
    const { runId } = run.record;
    const record = { seq: Number(added.id), event, data };
    run.persisted = run.persisted
      .then(() => this.store.appendEvent(runId, record))
      .catch((error: unknown) => console.error(`could not store an event of run ${runId}:`, error));
  }

  /** Stores the run's last events and its final status. */
  private async finish(run: ServerRun, status: RunStatus): Promise<void> {
    await run.persisted;
    await this.setStatus(run, status);
    await this.onFinished(run);
  }

  private async setStatus(run: ServerRun, status: RunStatus): Promise<void> {
    run.status = status;
    await this.store.setRunStatus(run.record.runId, status, new Date().toISOString());
  }

  private forgetOldRuns(): void {
    for (const [runId, run] of this.runs) {
      if (this.runs.size <= FINISHED_KEPT) return;
      if (run.log.finished) this.runs.delete(runId);
    }
  }
}

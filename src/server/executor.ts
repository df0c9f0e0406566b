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
import type { RunPlan } from "./plan.js";
import { RunEventLog } from "./run-events.js";
import { engineEvent, engineModes, wireEvents } from "./stream-events.js";
import { plain, wireError, wireInterruptList } from "./wire.js";

/** How many finished runs keep their events in memory for late joiners. */
const FINISHED_KEPT = 200;

/** How often a resumed run asks again for a thread a dead process's lease still holds. */
const LEASE_POLL_MS = 200;

/** A run the server started: its events, its outcome, and how to stop it. */
export class ServerRun {
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
export class RunExecutor {
  private readonly active = new Map<string, ServerRun>();
  private readonly runs = new Map<string, ServerRun>();

  /** `runTimeoutMs`: a run still running after this long is stopped as `timeout` (0: never). */
  constructor(
    private readonly store: RunStore,
    private readonly onFinished: (run: ServerRun) => Promise<void>,
    private readonly runTimeoutMs = 0,
  ) {}

  /** The newest run on the thread that has not finished. */
  activeOn(threadId: string): ServerRun | undefined {
    return this.active.get(threadId);
  }

  /** A run this process started and still remembers (all active ones, the recent finished ones). */
  find(runId: string): ServerRun | undefined {
    return this.runs.get(runId);
  }

  /**
   * Starts `plan` now, or behind the thread's active run. Throws RUN_IN_PROGRESS when the thread is
   * busy and the strategy is "reject". Registration is synchronous, so two requests cannot both
   * find the thread idle.
   */
  start(plan: RunPlan, strategy: MultitaskStrategy): ServerRun {
    const { threadId } = plan.record;
    const previous = this.active.get(threadId);
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
    const previous = this.active.get(record.threadId);
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
    this.active.set(threadId, run);
    this.runs.set(runId, run);
    run.done = (async () => {
      try {
        await run.stored;
        if (previous) await previous.done;
        await execute();
      } finally {
        if (this.active.get(threadId) === run) this.active.delete(threadId);
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
    const running = [...this.active.values()];
    for (const run of running) run.cancel();
    await Promise.all(running.map((run) => run.done));
  }

  private async execute(run: ServerRun, plan: RunPlan, waitForLeaseMs: number): Promise<void> {
    const { record } = plan;
    if (run.controller.signal.aborted) return this.finish(run, "interrupted");
    await this.setStatus(run, "running");
    if (run.log.size === 0) this.emit(run, "metadata", { run_id: record.runId, attempt: 1 });
    const requested = new Set(plan.streamModes);
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
        let produced = false;
        try {
          const events = plan.graph.stream(plan.input as never, {
            ...plan.config,
            signal: run.controller.signal,
            streamMode: engineModes(requested),
            subgraphs: plan.subgraphs,
          });
          for await (const item of events) {
            produced = true;
            const engine = engineEvent(item, plan.subgraphs);
            const payload = await this.served(plan, engine.payload);
            if (engine.namespace.length === 0 && engine.mode === "values") run.output = payload;
            for (const { event, data } of wireEvents({ ...engine, payload }, requested)) {
              this.emit(run, event, data);
            }
          }
          break;
        } catch (error) {
          const waitForLease =
            error instanceof ThreadBusyError && !produced && Date.now() < leaseDeadline;
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

  /** An event's payload as sent: plain values, waiting approvals shaped for review cards. */
  private async served(plan: RunPlan, payload: unknown): Promise<unknown> {
    const list = (payload as { __interrupt__?: unknown } | null)?.__interrupt__;
    if (!Array.isArray(list)) return plain(payload);
    const snapshot = await plan.graph.getState({
      configurable: { thread_id: plan.record.threadId },
    });
    const waiting = snapshot.tasks.flatMap((task) => task.interrupts);
    return { ...(plain(payload) as object), __interrupt__: wireInterruptList(list, waiting) };
  }

  /** Records `error` as the run's outcome and `error` event. */
  private fail(run: ServerRun, error: unknown): void {
    const { body } = wireError(error);
    const failure =
      body.error === "INTERNAL" && error instanceof Error
        ? { error: error.name, message: error.message }
        : body;
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

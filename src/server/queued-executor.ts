import {
  UnsupportedOptionError,
  type MultitaskStrategy,
  type RunQueue,
  type RunRecord,
  type RunStatus,
  type RunStore,
} from "../index.js";
import type { Executor, RunHandle, RunPlan } from "./executor.js";
import { RunEventLog } from "./run-events.js";

const FINISHED: ReadonlySet<RunStatus> = new Set(["success", "error", "interrupted", "timeout"]);

/** Re-reads a followed run this often even without a notification (one lost in a reconnect). */
const RECHECK_MS = 2000;

/**
 * A run executed elsewhere (by a worker), followed from the RunStore: its stored events are read
 * into a log when the queue signals the run's id, until its status is final.
 */
class QueuedRun implements RunHandle {
  readonly log = new RunEventLog();
  output: unknown = {};
  stored: Promise<void> = Promise.resolve();
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly record: RunRecord,
    private readonly queue: RunQueue,
  ) {}

  cancel(): Promise<void> {
    return this.queue.cancel(this.record.runId);
  }

  /** Relays the run's events into the log until it ends (or `stopped` aborts). */
  async follow(store: RunStore, stopped: AbortSignal): Promise<void> {
    const { runId } = this.record;
    let changed = false;
    let wake: (() => void) | undefined;
    const onChange = (): void => {
      changed = true;
      wake?.();
    };
    const unwatch = await this.queue.watch(runId, onChange);
    stopped.addEventListener("abort", onChange);
    let last = -1;
    const readEvents = async (): Promise<void> => {
      for (const event of await store.listEvents(runId, last)) {
        this.log.push(event.event, event.data);
        last = event.seq;
      }
    };
    try {
      while (!stopped.aborted) {
        changed = false;
        await readEvents();
        const outcome = await this.queue.outcome(runId);
        if (!outcome || FINISHED.has(outcome.status)) {
          // Events stored between the two reads above come before the final status.
          await readEvents();
          this.output = outcome?.output ?? {};
          return;
        }
        if (changed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RECHECK_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unwatch();
      stopped.removeEventListener("abort", onChange);
      this.log.close();
    }
  }
}

/**
 * The executor of an API server that runs nothing itself: it records and queues each run
 * (RunQueue.enqueue, one transaction) for `switchyard worker` processes, and relays the events
 * they store. Any server of the fleet can follow any run, so a client may rejoin elsewhere.
 */
export class QueuedRunExecutor implements Executor {
  private readonly followed = new Map<string, QueuedRun>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly queue: RunQueue,
    private readonly store: RunStore,
    private readonly onFinished: (record: RunRecord) => Promise<void>,
  ) {}

  start(plan: RunPlan, strategy: MultitaskStrategy): RunHandle {
    if (strategy === "rollback") {
      throw new UnsupportedOptionError(
        'multitask_strategy "rollback"',
        'Use "reject", "interrupt" or "enqueue".',
      );
    }
    const run = new QueuedRun(plan.record, this.queue);
    run.stored = this.queue.enqueue(plan.record);
    this.followed.set(plan.record.runId, run);
    run.done = run.stored
      .then(() => run.follow(this.store, this.stopped.signal))
      .then(() => this.onFinished(run.record))
      .catch((error: unknown) => {
        run.log.close();
        if (!isRefusal(error)) console.error(`could not follow run ${plan.record.runId}:`, error);
      })
      .finally(() => this.followed.delete(plan.record.runId));
    return run;
  }

  async active(threadId: string): Promise<RunHandle | undefined> {
    const record = await this.queue.activeRun(threadId);
    return record ? this.find(record) : undefined;
  }

  async find(record: RunRecord): Promise<RunHandle | undefined> {
    const known = this.followed.get(record.runId);
    if (known) return known;
    const run = new QueuedRun(record, this.queue);
    this.followed.set(record.runId, run);
    run.done = run
      .follow(this.store, this.stopped.signal)
      .catch((error: unknown) => console.error(`could not follow run ${record.runId}:`, error))
      .finally(() => this.followed.delete(record.runId));
    return run;
  }

  /** Stops following; the runs themselves go on in the workers. */
  async shutdown(): Promise<void> {
    this.stopped.abort();
    await Promise.all([...this.followed.values()].map((run) => run.done));
    await this.queue.close();
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof Error && "code" in error;
}

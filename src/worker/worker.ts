import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Logger, run, type Runner, type Task } from "graphile-worker";
import {
  PostgresRunQueue,
  RUN_TASK,
  type CompiledGraph,
  type PostgresRunStore,
  type ThreadStore,
} from "../index.js";
import { executeQueuedRun } from "./run-job.js";
import {
  applyRetention,
  CRONTAB,
  RETENTION_TASK,
  sweepDeadlines,
  SWEEP_TASK,
  type ScheduledContext,
} from "./scheduled.js";

export interface WorkerOptions {
  /** The run records and queue (a PostgresRunStore; the worker uses its pool). */
  readonly runs: PostgresRunStore;
  /** Where the graphs keep their threads: the PostgresCheckpointer they were compiled with. */
  readonly checkpointer: ThreadStore;
  /** The graphs the worker can run, by assistant name (the server's graphs folder). */
  readonly graphs: Readonly<Record<string, CompiledGraph<never>>>;
  /** Runs executed at once (default 4). */
  readonly concurrency?: number;
  /** Unique per process (default: host, pid and random bytes). */
  readonly workerId?: string;
  /** On `stop()`, how long runs in flight may take to finish before they are stopped at their last checkpoint and handed back (default 10 000). */
  readonly drainMs?: number;
  /** How often to look for runs whose owner died (default: half the lease). */
  readonly recoverEveryMs?: number;
  /** Days a finished run's stored events are kept (default 7; 0 keeps them). */
  readonly keepEventsDays?: number;
  /** Delete threads untouched for this many days (default: never). */
  readonly deleteThreadsAfterDays?: number;
  readonly log?: (line: string) => void;
}

/** A running worker: `stop()` drains it. */
export interface SwitchyardWorker {
  readonly workerId: string;
  /** Stops taking runs, lets runs in flight finish (up to `drainMs`), hands the rest back. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped (rejects if graphile-worker failed). */
  readonly stopped: Promise<void>;
}

/**
 * Starts a worker of the fleet: it claims queued runs (graphile-worker, LISTEN/NOTIFY on new jobs),
 * executes them with the graphs' checkpointer, stores their events for the API servers to relay,
 * re-queues runs whose worker died once their lease expires, and takes its share of the
 * scheduled jobs (deadline sweeps each minute, retention each hour; each tick once per fleet).
 */
export async function startWorker(options: WorkerOptions): Promise<SwitchyardWorker> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workerId =
    options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const { runs, checkpointer } = options;
  await runs.ready();
  const queue = new PostgresRunQueue(runs);
  const graphs = new Map(Object.entries(options.graphs));
  const draining = new AbortController();
  const leaseMs = checkpointer.leaseMs;
  const jobContext = { queue, workerId, graphs, leaseMs, draining: draining.signal, log };
  const scheduled: ScheduledContext = {
    graphs,
    checkpointer,
    runs,
    keepEventsDays: options.keepEventsDays ?? 7,
    deleteThreadsAfterDays: options.deleteThreadsAfterDays,
    log,
  };
  const runTask: Task = async (payload) => {
    const { runId } = payload as { runId: string };
    await executeQueuedRun(runId, jobContext);
  };

  const runner: Runner = await run({
    pgPool: runs.pool,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new Logger(() => (level, message) => {
      if (["error", "warning"].includes(String(level))) log(`graphile-worker: ${message}`);
    }),
    taskList: {
      [RUN_TASK]: runTask,
      [SWEEP_TASK]: () => sweepDeadlines(scheduled),
      [RETENTION_TASK]: () => applyRetention(scheduled),
    },
    crontab: CRONTAB,
  });

  const recover = async (): Promise<void> => {
    const taken = await queue.recoverExpired(leaseMs);
    for (const { runId, reason } of taken) {
      const why =
        reason === "lease-expired"
          ? "its worker stopped renewing"
          : "its job was locked by a worker that never claimed it";
      log(`run ${runId}: ${why}; re-queued`);
    }
  };
  const recovery = setInterval(
    () => void recover().catch((error: unknown) => log(`recovery failed: ${String(error)}`)),
    options.recoverEveryMs ?? Math.max(250, Math.floor(leaseMs / 2)),
  );
  await recover();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(recovery);
      const handBack = setTimeout(() => draining.abort(), options.drainMs ?? 10_000);
      try {
        await runner.stop();
      } finally {
        clearTimeout(handBack);
        await queue.close();
      }
    })();
    return stopping;
  };
  return { workerId, stop, stopped: runner.promise };
}

import type pg from "pg";
import type { RunOutcome, RunQueue, RunRecord, RunStatus } from "../runs.js";
import { runOf } from "../run-rows.js";
import { RUN_CHANNEL, type PostgresRunRow } from "./run-schema.js";
import { addRunJob, type PostgresRunStore } from "./run-store.js";
import { RunWatcher } from "./run-watcher.js";

/** A run a worker has claimed: it owns it until it finishes, releases it, or its lease expires. */
export interface ClaimedRun {
  readonly record: RunRecord;
  /** 1 for the first execution, 2 after a take-over or a hand-back, … */
  readonly attempt: number;
  /** The `seq` its next event gets (events of earlier attempts are kept). */
  readonly nextSeq: number;
  readonly cancelRequested: boolean;
}

/**
 * A run `recoverExpired` put back in the queue: its owner stopped renewing its lease
 * (`lease-expired`), or its job was locked by a worker that never claimed it (`job-stalled`).
 */
export interface RecoveredRun {
  readonly runId: string;
  readonly reason: "lease-expired" | "job-stalled";
}

/** What `claim` found when it could not claim: the thread runs another run first, or nothing to do. */
export type ClaimRefusal = "thread-busy" | "not-claimable";

/**
 * The run queue over the run tables and graphile-worker, for the two sides of a fleet: API
 * servers enqueue, cancel and watch runs; workers claim them, renew their leases, finish or hand
 * them back, and take over runs whose owner died. Ownership is a row (`worker_id`, `lease_until`
 * on the database's clock) changed only by conditional updates, so two workers never both own a
 * run; the thread lease of the checkpointer additionally keeps one run per thread.
 */
export class PostgresRunQueue implements RunQueue {
  private watcher: RunWatcher | undefined;

  constructor(readonly store: PostgresRunStore) {}

  enqueue(record: RunRecord): Promise<void> {
    return this.store.enqueueRun(record);
  }

  /** A pending run stops at once (`interrupted`); a running one is asked to stop by its worker. */
  async cancel(runId: string): Promise<void> {
    await this.store.transaction(async (client) => {
      const { rows } = await client.query<{ status: string }>(
        "SELECT status FROM server_runs WHERE run_id = $1 FOR UPDATE",
        [runId],
      );
      const status = rows[0]?.status;
      if (status === "pending") {
        await client.query(
          `UPDATE server_runs SET status = 'interrupted', updated_at = $2 WHERE run_id = $1`,
          [runId, new Date().toISOString()],
        );
        await client.query("SELECT graphile_worker.remove_job($1)", [runId]);
      } else if (status === "running") {
        await client.query("UPDATE server_runs SET cancel_requested = TRUE WHERE run_id = $1", [
          runId,
        ]);
      }
      await client.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, runId]);
    });
  }

  async outcome(runId: string): Promise<RunOutcome | undefined> {
    const [row] = await this.store.query<{ status: string; output: string | null }>(
      "SELECT status, output FROM server_runs WHERE run_id = $1",
      [runId],
    );
    if (!row) return undefined;
    const output: unknown = row.output === null ? {} : JSON.parse(row.output);
    return { status: row.status as RunStatus, output };
  }

  async activeRun(threadId: string): Promise<RunRecord | undefined> {
    const [row] = await this.store.query<PostgresRunRow>(
      `SELECT * FROM server_runs WHERE thread_id = $1 AND status IN ('pending', 'running')
       ORDER BY seq LIMIT 1`,
      [threadId],
    );
    return row ? runOf(row) : undefined;
  }

  /** Calls `onChange` whenever the run gets events or a new status; resolves once listening. */
  async watch(runId: string, onChange: () => void): Promise<() => void> {
    await this.store.ready();
    this.watcher ??= new RunWatcher(this.store.pool);
    return this.watcher.watch(runId, onChange);
  }

  /**
   * Takes the run for `workerId` if it is pending (or running under an expired lease) and no
   * earlier run of its thread is unfinished.
   */
  async claim(
    runId: string,
    workerId: string,
    leaseMs: number,
  ): Promise<ClaimedRun | ClaimRefusal> {
    return this.store.transaction(async (client) => {
      const { rows } = await client.query<PostgresRunRow>(
        `UPDATE server_runs AS run SET status = 'running', worker_id = $2, attempt = attempt + 1,
           lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = $4
         WHERE run_id = $1
           AND (status = 'pending' OR (status = 'running' AND lease_until < now()))
           AND NOT cancel_requested
           AND NOT EXISTS (
             SELECT 1 FROM server_runs AS other
             WHERE other.thread_id = run.thread_id AND other.run_id <> run.run_id
               AND ((other.status = 'running' AND other.lease_until >= now())
                 OR (other.status = 'pending' AND other.seq < run.seq)))
         RETURNING *`,
        [runId, workerId, leaseMs, new Date().toISOString()],
      );
      const [row] = rows;
      if (!row) {
        const state = await client.query<{ status: string; cancel_requested: boolean }>(
          "SELECT status, cancel_requested FROM server_runs WHERE run_id = $1",
          [runId],
        );
        const found = state.rows[0];
        if (found?.status === "pending" && found.cancel_requested) {
          await setFinished(client, runId, "interrupted", undefined);
          return "not-claimable";
        }
        return found?.status === "pending" ? "thread-busy" : "not-claimable";
      }
      const seq = await client.query<{ next: number }>(
        "SELECT coalesce(max(seq) + 1, 0)::int AS next FROM server_run_events WHERE run_id = $1",
        [runId],
      );
      await client.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, runId]);
      return {
        record: runOf(row),
        attempt: row.attempt,
        nextSeq: seq.rows[0]?.next ?? 0,
        cancelRequested: row.cancel_requested,
      };
    });
  }

  /** Queues the run's job again after `delayMs` (its thread was busy). */
  async retryLater(runId: string, delayMs: number): Promise<void> {
    await this.store.transaction((client) => addRunJob(client, runId, delayMs));
  }

  /** Extends the lease; `held` is false when the run is no longer this worker's. */
  async renew(
    runId: string,
    workerId: string,
    leaseMs: number,
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const [row] = await this.store.query<{ cancel_requested: boolean }>(
      `UPDATE server_runs SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE run_id = $1 AND worker_id = $2 AND status = 'running' RETURNING cancel_requested`,
      [runId, workerId, leaseMs],
    );
    return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
  }

  /**
   * Appends an event of a run this worker owns (signalling its id); false, storing nothing, once
   * the run is no longer its own. The share lock on the run's row orders it against a take-over.
   */
  async appendEvent(
    runId: string,
    workerId: string,
    event: { seq: number; event: string; data: unknown },
  ): Promise<boolean> {
    const rows = await this.store.query(
      `WITH owner AS (
         SELECT run_id FROM server_runs WHERE run_id = $1 AND worker_id = $2 AND status = 'running' FOR SHARE
       ), added AS (
         INSERT INTO server_run_events (run_id, seq, event, data) SELECT run_id, $3, $4, $5 FROM owner
         RETURNING run_id
       )
       SELECT pg_notify($6, run_id) FROM added`,
      [runId, workerId, event.seq, event.event, JSON.stringify(event.data ?? null), RUN_CHANNEL],
    );
    return rows.length > 0;
  }

  /** Records how the run ended and its output; false when it was no longer this worker's. */
  async finish(
    runId: string,
    workerId: string,
    status: RunStatus,
    output: unknown,
  ): Promise<boolean> {
    return this.store.transaction(async (client) => {
      const owned = await client.query(
        "SELECT 1 FROM server_runs WHERE run_id = $1 AND worker_id = $2 AND status = 'running' FOR UPDATE",
        [runId, workerId],
      );
      if (!owned.rowCount) return false;
      await setFinished(client, runId, status, output);
      return true;
    });
  }

  /**
   * Gives the run back to the queue (a draining worker, a thread still leased): pending again and
   * re-queued in one transaction, so another worker continues it from its last checkpoint.
   */
  async release(runId: string, workerId: string, delayMs = 0): Promise<boolean> {
    return this.store.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE server_runs SET status = 'pending', worker_id = NULL, lease_until = NULL, updated_at = $3
         WHERE run_id = $1 AND worker_id = $2 AND status = 'running'`,
        [runId, workerId, new Date().toISOString()],
      );
      if (!rowCount) return false;
      await addRunJob(client, runId, delayMs);
      await client.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, runId]);
      return true;
    });
  }

  /**
   * Re-queues every run whose owner stopped renewing its lease (a worker killed with kill -9).
   * One conditional update decides, so a run is re-queued once however many workers ask. Its old
   * job stays locked by the dead worker until graphile-worker unlocks it hours later; add_job has
   * already taken the key from it and spent its attempts, and a claim would refuse it anyway.
   * Also re-queues pending runs whose job has been locked for `stalledMs` without the run being
   * claimed (a worker killed between graphile-worker's fetch and its claim).
   */
  async recoverExpired(stalledMs = 30_000): Promise<RecoveredRun[]> {
    return this.store.transaction(async (client) => {
      const { rows: expired } = await client.query<{ run_id: string }>(
        `UPDATE server_runs SET status = 'pending', worker_id = NULL, lease_until = NULL, updated_at = $1
         WHERE status = 'running' AND lease_until < now() RETURNING run_id`,
        [new Date().toISOString()],
      );
      // A worker killed after graphile-worker locked a run's job but before it claimed the run
      // leaves the run pending with its only job locked by the dead worker (for hours): re-queue
      // pending runs whose job has been locked longer than a lease. The claim stays the only
      // gate, so a second job for the same run can never execute it twice.
      const { rows: stalled } = await client.query<{ run_id: string }>(
        `SELECT run.run_id FROM server_runs AS run
           JOIN graphile_worker._private_jobs AS job ON job.key = run.run_id
         WHERE run.status = 'pending' AND job.locked_at IS NOT NULL
           AND job.locked_at < now() - make_interval(secs => $1::double precision / 1000)
         FOR UPDATE OF run SKIP LOCKED`,
        [stalledMs],
      );
      const recovered: RecoveredRun[] = [
        ...expired.map((row) => ({ runId: row.run_id, reason: "lease-expired" as const })),
        ...stalled.map((row) => ({ runId: row.run_id, reason: "job-stalled" as const })),
      ];
      for (const { runId } of recovered) {
        await addRunJob(client, runId);
        await client.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, runId]);
      }
      return recovered;
    });
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }
}

async function setFinished(
  client: pg.PoolClient,
  runId: string,
  status: RunStatus,
  output: unknown,
): Promise<void> {
  await client.query(
    `UPDATE server_runs SET status = $2, output = $3, worker_id = NULL, lease_until = NULL,
       updated_at = $4 WHERE run_id = $1`,
    [runId, status, output === undefined ? null : JSON.stringify(output), new Date().toISOString()],
  );
  await client.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, runId]);
}

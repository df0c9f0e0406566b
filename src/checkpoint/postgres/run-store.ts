import pg from "pg";
import { RunInProgressError } from "../../errors.js";
import type {
  RunEventRecord,
  RunListOptions,
  RunRecord,
  RunStatus,
  RunStore,
  ThreadRecord,
} from "../runs.js";
import { runOf, runValues, threadOf, type ThreadRow } from "../run-rows.js";
import { ensureRunSchema, RUN_CHANNEL, RUN_TASK, type PostgresRunRow } from "./run-schema.js";

/**
 * Run and thread records on PostgreSQL, and the run queue they feed: `enqueueRun` records a run
 * and queues it (graphile-worker's `add_job`, job key = run id) in one transaction, so a queued
 * run is never without its record nor its record without its job. Everything about a run
 * (request, status, owner, lease, events, output) is in these tables; the queue holds only its id.
 * `putRun` only records (a server that executes its runs itself, without workers).
 *
 * @example
 * const runs = new PostgresRunStore("postgres://app@db/switchyard");
 * await runs.enqueueRun(record); // recorded and queued; a `switchyard worker` picks it up
 */
export class PostgresRunStore implements RunStore {
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private schema: Promise<void> | undefined;

  /** `connection`: a connection string (the store makes a pool of `max` connections and ends it) or a pg.Pool of yours. */
  constructor(connection: string | pg.Pool, options: { max?: number } = {}) {
    this.ownsPool = typeof connection === "string";
    this.pool =
      typeof connection === "string"
        ? new pg.Pool({ connectionString: connection, max: options.max ?? 10 })
        : connection;
    // An idle connection that breaks (a restarted server) is dropped by the pool; the next query
    // opens a new one. Without a listener node-postgres would crash the process.
    // The same for a checked-out connection: the query in flight fails with the error instead.
    if (this.ownsPool) {
      this.pool.on("error", () => undefined);
      this.pool.on("connect", (client) => client.on("error", () => undefined));
    }
  }

  /** Creates or migrates the queue's and the run tables' schema (done on first use anyway). */
  ready(): Promise<void> {
    this.schema ??= ensureRunSchema(this.pool).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  /** Runs `work` in one transaction on one connection. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    await this.ready();
    return (await this.pool.query<R>(text, values)).rows;
  }

  async putThread(record: ThreadRecord): Promise<void> {
    await this.query(
      `INSERT INTO server_threads (thread_id, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (thread_id) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at`,
      [record.threadId, JSON.stringify(record.metadata), record.createdAt, record.updatedAt],
    );
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const [row] = await this.query<ThreadRow>("SELECT * FROM server_threads WHERE thread_id = $1", [
      threadId,
    ]);
    return row ? threadOf(row) : undefined;
  }

  async listThreads(): Promise<ThreadRecord[]> {
    const rows = await this.query<ThreadRow>(
      "SELECT * FROM server_threads ORDER BY updated_at DESC",
    );
    return rows.map(threadOf);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(
        "DELETE FROM server_run_events WHERE run_id IN (SELECT run_id FROM server_runs WHERE thread_id = $1)",
        [threadId],
      );
      await client.query("DELETE FROM server_runs WHERE thread_id = $1", [threadId]);
      await client.query("DELETE FROM server_threads WHERE thread_id = $1", [threadId]);
    });
  }

  /** Stores the run without queueing it. Replacing a run keeps its queue state (owner, lease, attempt). */
  async putRun(record: RunRecord): Promise<void> {
    await this.transaction((client) => upsertRun(client, record));
  }

  /**
   * Records and queues a new run, applying its multitask strategy against the thread's other
   * unfinished runs across every server: "reject" throws RunInProgressError (nothing stored),
   * "interrupt" asks the active run to stop first, "enqueue" runs it after them.
   */
  async enqueueRun(record: RunRecord): Promise<void> {
    await this.transaction(async (client) => {
      // Enqueues on one thread serialise here, so two servers cannot both find it idle.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
        `switchyard-thread:${record.threadId}`,
      ]);
      const { rows } = await client.query<{ run_id: string }>(
        `SELECT run_id FROM server_runs WHERE thread_id = $1 AND status IN ('pending', 'running')
         ORDER BY seq DESC`,
        [record.threadId],
      );
      const [active] = rows;
      if (active && record.multitaskStrategy === "reject") {
        throw new RunInProgressError(record.threadId, active.run_id);
      }
      if (active && record.multitaskStrategy === "interrupt") {
        await client.query(
          `UPDATE server_runs SET cancel_requested = TRUE WHERE thread_id = $1 AND status IN ('pending', 'running')`,
          [record.threadId],
        );
      }
      await upsertRun(client, record);
      await addRunJob(client, record.runId);
    });
  }

  async getRun(threadId: string, runId: string): Promise<RunRecord | undefined> {
    const [row] = await this.query<PostgresRunRow>(
      "SELECT * FROM server_runs WHERE run_id = $1 AND thread_id = $2",
      [runId, threadId],
    );
    return row ? runOf(row) : undefined;
  }

  async listRuns(threadId: string, options: RunListOptions = {}): Promise<RunRecord[]> {
    const values: unknown[] = [threadId, options.limit ?? null, options.offset ?? 0];
    if (options.status !== undefined) values.push(options.status);
    const rows = await this.query<PostgresRunRow>(
      `SELECT * FROM server_runs WHERE thread_id = $1${options.status === undefined ? "" : " AND status = $4"}
       ORDER BY created_at DESC, seq DESC LIMIT $2 OFFSET $3`,
      values,
    );
    return rows.map(runOf);
  }

  async setRunStatus(runId: string, status: RunStatus, at: string): Promise<boolean> {
    const rows = await this.query(
      `UPDATE server_runs SET status = $2, updated_at = $3 WHERE run_id = $1 RETURNING pg_notify($4, run_id)`,
      [runId, status, at, RUN_CHANNEL],
    );
    return rows.length > 0;
  }

  async deleteRun(threadId: string, runId: string): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        "DELETE FROM server_runs WHERE run_id = $1 AND thread_id = $2",
        [runId, threadId],
      );
      if (!rowCount) return false;
      await client.query("DELETE FROM server_run_events WHERE run_id = $1", [runId]);
      await client.query("SELECT graphile_worker.remove_job($1)", [runId]);
      return true;
    });
  }

  /** Appends the event and signals the run's id on `switchyard_runs` when it commits. */
  async appendEvent(runId: string, event: RunEventRecord): Promise<void> {
    await this.query(
      `WITH added AS (INSERT INTO server_run_events (run_id, seq, event, data) VALUES ($1, $2, $3, $4) RETURNING run_id)
       SELECT pg_notify($5, run_id) FROM added`,
      [runId, event.seq, event.event, JSON.stringify(event.data ?? null), RUN_CHANNEL],
    );
  }

  async listEvents(runId: string, after: number): Promise<RunEventRecord[]> {
    const rows = await this.query<{ seq: number; event: string; data: string }>(
      "SELECT seq, event, data FROM server_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq",
      [runId, after],
    );
    return rows.map((row) => ({
      seq: row.seq,
      event: row.event,
      data: JSON.parse(row.data) as unknown,
    }));
  }

  /**
   * Runs pending or running, oldest first. An in-process server takes them up at start; a queued
   * fleet does not need to: a run left by a dead process is taken over when its lease expires
   * (PostgresRunQueue.recoverExpired).
   */
  async listUnfinished(): Promise<RunRecord[]> {
    const rows = await this.query<PostgresRunRow>(
      "SELECT * FROM server_runs WHERE status IN ('pending', 'running') ORDER BY created_at, seq",
    );
    return rows.map(runOf);
  }

  /** Deletes the stored events of runs that ended before `before` (ISO 8601); returns how many. */
  async deleteEventsEndedBefore(before: string): Promise<number> {
    const rows = await this.query(
      `DELETE FROM server_run_events AS event USING server_runs AS run
       WHERE event.run_id = run.run_id AND run.updated_at < $1
         AND run.status NOT IN ('pending', 'running')
       RETURNING 1`,
      [before],
    );
    return rows.length;
  }

  /** Deletes thread records (with their runs and events) untouched since `before`, with no unfinished run. */
  async deleteThreadsOlderThan(before: string): Promise<number> {
    const rows = await this.query<{ thread_id: string }>(
      `SELECT thread_id FROM server_threads AS thread WHERE updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM server_runs AS run WHERE run.thread_id = thread.thread_id
                           AND run.status IN ('pending', 'running'))`,
      [before],
    );
    for (const { thread_id } of rows) await this.deleteThread(thread_id);
    return rows.length;
  }

  /** Ends the pool if this store created it. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

async function upsertRun(client: pg.PoolClient, record: RunRecord): Promise<void> {
  await client.query(
    `INSERT INTO server_runs (run_id, thread_id, assistant_id, status, metadata, multitask_strategy,
       kwargs, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (run_id) DO UPDATE SET thread_id = excluded.thread_id,
       assistant_id = excluded.assistant_id, status = excluded.status, metadata = excluded.metadata,
       multitask_strategy = excluded.multitask_strategy, kwargs = excluded.kwargs,
       created_at = excluded.created_at, updated_at = excluded.updated_at`,
    runValues(record),
  );
}

/**
 * Queues the run's job inside the caller's transaction. A job already waiting under this key is
 * replaced; one a (possibly dead) worker has locked keeps running without its key and a new job
 * is made — graphile-worker's own rule, which is what lets a run be re-queued after a crash.
 */
export async function addRunJob(client: pg.PoolClient, runId: string, delayMs = 0): Promise<void> {
  await client.query(
    `SELECT graphile_worker.add_job($1, json_build_object('runId', $2::text), job_key := $2::text,
       run_at := now() + make_interval(secs => $3::double precision / 1000), max_attempts := 5)`,
    [RUN_TASK, runId, delayMs],
  );
}

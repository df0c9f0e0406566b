import { Logger, runMigrations } from "graphile-worker";
import type pg from "pg";
import { DatabaseTooNewError } from "../../errors.js";
import type { RunRow } from "../run-rows.js";

/** The graphile-worker task that executes one run; its payload is `{ runId }`, its job key the run id. */
export const RUN_TASK = "switchyard_run";

/** NOTIFY channel on which a run's id is sent when it gets events or a new status (ids, never payloads). */
export const RUN_CHANNEL = "switchyard_runs";

/** A row of `server_runs`: the record, and what the queue keeps about its execution. */
export interface PostgresRunRow extends RunRow {
  worker_id: string | null;
  attempt: number;
  cancel_requested: boolean;
  output: string | null;
}

/**
 * The run tables' own schema versions, in order. They live beside the checkpointer's tables and
 * are versioned separately (table `server_schema`), so either can migrate without the other.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE server_threads (
     thread_id TEXT PRIMARY KEY,
     metadata TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE server_runs (
     run_id TEXT PRIMARY KEY,
     seq BIGSERIAL NOT NULL,
     thread_id TEXT NOT NULL,
     assistant_id TEXT NOT NULL,
     status TEXT NOT NULL,
     metadata TEXT NOT NULL,
     multitask_strategy TEXT NOT NULL,
     kwargs TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     worker_id TEXT,
     lease_until TIMESTAMPTZ,
     attempt INTEGER NOT NULL DEFAULT 0,
     cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
     output TEXT
   );
   CREATE INDEX server_runs_by_thread ON server_runs (thread_id, created_at);
   CREATE INDEX server_runs_unfinished ON server_runs (status, lease_until)
     WHERE status IN ('pending', 'running');
   CREATE TABLE server_run_events (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     event TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   );`,
];

/** Serialises schema set-up across processes that start at the same time. */
const SCHEMA_LOCK = 7_460_020_114;

/**
 * Installs or migrates graphile-worker's schema and the run tables, once per database, under an
 * advisory lock so that a fleet starting together does not race on CREATE.
 */
export async function ensureRunSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SCHEMA_LOCK]);
    try {
      await runMigrations({ pgPool: pool, logger: quietLogger });
      await client.query(
        "CREATE TABLE IF NOT EXISTS server_schema (version INTEGER NOT NULL, migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
      );
      const { rows } = await client.query<{ version: number | null }>(
        "SELECT max(version) AS version FROM server_schema",
      );
      const current = rows[0]?.version ?? 0;
      if (current > MIGRATIONS.length) {
        throw new DatabaseTooNewError("the run tables (server_schema)", current, MIGRATIONS.length);
      }
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        await client.query("BEGIN");
        try {
          await client.query(MIGRATIONS[version - 1] as string);
          await client.query("INSERT INTO server_schema (version) VALUES ($1)", [version]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [SCHEMA_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** graphile-worker logs every migration and poll at info level; the worker reports what matters itself. */
export const quietLogger = new Logger(() => () => {});

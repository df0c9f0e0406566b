import Database from "better-sqlite3";
import { DatabaseUnavailableError, NotASwitchyardDatabaseError } from "../errors.js";
import {
  type RunEventRecord,
  type RunListOptions,
  type RunRecord,
  type RunStatus,
  type RunStore,
  type ThreadRecord,
} from "./runs.js";
import { runOf, runValues, threadOf, type RunRow, type ThreadRow } from "./run-rows.js";

const TABLES = `
  CREATE TABLE IF NOT EXISTS server_threads (
    thread_id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS server_runs (
    run_id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    status TEXT NOT NULL,
    metadata TEXT NOT NULL,
    multitask_strategy TEXT NOT NULL,
    kwargs TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS server_runs_by_thread ON server_runs (thread_id, created_at);
  CREATE TABLE IF NOT EXISTS server_run_events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
`;

/**
 * Run and thread records in the Switchyard SQLite file, in tables of their own beside the
 * checkpoints. Open the file with `SqliteCheckpointer` first: this store only adds its tables to
 * a Switchyard database and refuses any other file.
 */
export class SqliteRunStore implements RunStore {
  private readonly db: Database.Database;

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    try {
      this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000, fileMustExist: true });
    } catch (error) {
      throw new DatabaseUnavailableError(path, (error as Error).message);
    }
    if ((this.db.pragma("user_version", { simple: true }) as number) === 0) {
      this.db.close();
      throw new NotASwitchyardDatabaseError(path);
    }
    this.db.exec(TABLES);
  }

  async putThread(record: ThreadRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO server_threads (thread_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (thread_id) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at`,
      )
      .run(record.threadId, JSON.stringify(record.metadata), record.createdAt, record.updatedAt);
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM server_threads WHERE thread_id = ?").get(threadId);
    return row ? threadOf(row as ThreadRow) : undefined;
  }

  async listThreads(): Promise<ThreadRecord[]> {
    const rows = this.db.prepare("SELECT * FROM server_threads ORDER BY updated_at DESC").all();
    return (rows as ThreadRow[]).map(threadOf);
  }

  async deleteThread(threadId: string): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          "DELETE FROM server_run_events WHERE run_id IN (SELECT run_id FROM server_runs WHERE thread_id = ?)",
        )
        .run(threadId);
      this.db.prepare("DELETE FROM server_runs WHERE thread_id = ?").run(threadId);
      this.db.prepare("DELETE FROM server_threads WHERE thread_id = ?").run(threadId);
    })();
  }

  async putRun(record: RunRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO server_runs (run_id, thread_id, assistant_id, status, metadata,
           multitask_strategy, kwargs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...runValues(record));
  }

  async getRun(threadId: string, runId: string): Promise<RunRecord | undefined> {
    const row = this.db
      .prepare("SELECT * FROM server_runs WHERE run_id = ? AND thread_id = ?")
      .get(runId, threadId);
    return row ? runOf(row as RunRow) : undefined;
  }

  async listRuns(threadId: string, options: RunListOptions = {}): Promise<RunRecord[]> {
    const byStatus = options.status === undefined ? "" : " AND status = @status";
    const rows = this.db
      .prepare(
        `SELECT * FROM server_runs WHERE thread_id = @threadId${byStatus}
         ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all({
        threadId,
        limit: options.limit ?? -1,
        offset: options.offset ?? 0,
        ...(options.status === undefined ? {} : { status: options.status }),
      });
    return (rows as RunRow[]).map(runOf);
  }

  async setRunStatus(runId: string, status: RunStatus, at: string): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE server_runs SET status = ?, updated_at = ? WHERE run_id = ?")
      .run(status, at, runId);
    return result.changes > 0;
  }

  async deleteRun(threadId: string, runId: string): Promise<boolean> {
    return this.db.transaction(() => {
      const result = this.db
        .prepare("DELETE FROM server_runs WHERE run_id = ? AND thread_id = ?")
        .run(runId, threadId);
      if (result.changes > 0) {
        this.db.prepare("DELETE FROM server_run_events WHERE run_id = ?").run(runId);
      }
      return result.changes > 0;
    })();
  }

  async appendEvent(runId: string, event: RunEventRecord): Promise<void> {
    this.db
      .prepare("INSERT INTO server_run_events (run_id, seq, event, data) VALUES (?, ?, ?, ?)")
      .run(runId, event.seq, event.event, JSON.stringify(event.data ?? null));
  }

  async listEvents(runId: string, after: number): Promise<RunEventRecord[]> {
    const rows = this.db
      .prepare(
        "SELECT seq, event, data FROM server_run_events WHERE run_id = ? AND seq > ? ORDER BY seq",
      )
      .all(runId, after) as Array<{ seq: number; event: string; data: string }>;
    return rows.map((row) => ({
      seq: row.seq,
      event: row.event,
      data: JSON.parse(row.data) as unknown,
    }));
  }

  async deleteEventsEndedBefore(at: string): Promise<number> {
    const result = this.db
      .prepare(
        `DELETE FROM server_run_events WHERE run_id IN (SELECT run_id FROM server_runs
           WHERE status NOT IN ('pending', 'running') AND updated_at < ?)`,
      )
      .run(at);
    return result.changes;
  }

  async listUnfinished(): Promise<RunRecord[]> {
    const rows = this.db
      .prepare(
        "SELECT * FROM server_runs WHERE status IN ('pending', 'running') ORDER BY created_at, rowid",
      )
      .all() as RunRow[];
    return rows.map(runOf);
  }

  close(): void {
    this.db.close();
  }
}

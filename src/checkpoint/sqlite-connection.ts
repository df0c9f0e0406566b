import Database from "better-sqlite3";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import {
  DatabaseBusyError,
  DatabaseReadOnlyError,
  DatabaseReplacedError,
  DatabaseUnavailableError,
  DiskFullError,
  NotASwitchyardDatabaseError,
  SwitchyardError,
} from "../errors.js";
import { initialiseSchema, SCHEMA_VERSION, readSchemaVersion } from "./sqlite-schema.js";
import { WalMerger } from "./sqlite-wal-merger.js";

/** The longest single pause between two tries for the write lock. */
const MAX_PAUSE_MS = 50;
/**
 * The WAL stays bounded. A writing connection's WalMerger thread merges it into the file after
 * commits (SQLite's automatic checkpoint, which ran inside a COMMIT every 1,000 pages, is then
 * off), makes the next write wait for a merge once it passes WAL_LIMIT_BYTES, and truncates it to
 * nothing once writes pause for 250 ms, so an idle process keeps no WAL on disk. Until the thread
 * runs (it starts after a few dozen commits) SQLite's own checkpoint (at the same bound) and this
 * connection's idle merge (WAL_IDLE_MS) do the same on this thread. `journal_size_limit` cuts a
 * WAL that grew past WAL_KEPT_BYTES back when it restarts.
 */
const WAL_IDLE_MS = 250;
const WAL_LIMIT_BYTES = 4 * 1024 * 1024;
const WAL_KEPT_BYTES = WAL_LIMIT_BYTES + WAL_LIMIT_BYTES / 4;
/** How long a merge at the end of a long run waits for the merging thread's pass to finish. */
const MERGE_WAIT_MS = 200;

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/**
 * One SQLite connection and how it writes: `BEGIN IMMEDIATE` transactions that wait for another
 * process's write lock without blocking the event loop (SQLite's own busy handler would sleep the
 * whole process), at most `busyTimeoutMs` in all; and storage failures (busy, full, read-only, a
 * file replaced underneath) turned into named errors.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  /** True when the file's folder cannot be written: a read-only snapshot of the file is open. */
  readonly snapshot: boolean;
  private readonly file: FileIdentity | undefined;
  private wal: FileIdentity | undefined;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  /** Merges the WAL into the file once writes pause (restarted by every write). */
  private readonly idleCheckpoint: NodeJS.Timeout | undefined;
  /** Merges the WAL on another thread (file-backed, writable connections only). */
  private readonly merger: WalMerger | undefined;

  constructor(
    readonly path: string,
    readonly busyTimeoutMs: number,
    options: { readonly maxSizeBytes?: number } = {},
  ) {
    const opened = openDatabase(path, busyTimeoutMs);
    this.db = opened.db;
    this.snapshot = opened.snapshot;
    this.file = opened.snapshot ? undefined : identityOf(path);
    this.wal = this.file && identityOf(`${path}-wal`);
    if (options.maxSizeBytes !== undefined) {
      const pageSize = this.db.pragma("page_size", { simple: true }) as number;
      this.db.pragma(
        `max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`,
      );
    }
    // From here on SQLite never sleeps in its busy handler: a write's wait is asynchronous.
    this.db.pragma("busy_timeout = 0");
    if (this.file) {
      this.db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
      const pageSize = this.db.pragma("page_size", { simple: true }) as number;
      const limitPages = Math.ceil(WAL_LIMIT_BYTES / pageSize);
      // Until the thread runs, SQLite's own checkpoint keeps the same bound.
      this.db.pragma(`wal_autocheckpoint = ${limitPages}`);
      this.merger = new WalMerger(path, limitPages, (merging) => {
        this.db.pragma(`wal_autocheckpoint = ${merging ? 0 : limitPages}`);
      });
      this.idleCheckpoint = setTimeout(() => {
        if (!this.merger?.active) this.checkpointWal("TRUNCATE");
      }, WAL_IDLE_MS);
      this.idleCheckpoint.unref();
    }
    this.begin = this.db.prepare("BEGIN IMMEDIATE");
    this.commit = this.db.prepare("COMMIT");
    this.rollback = this.db.prepare("ROLLBACK");
  }

  /**
   * Runs `work` in one write transaction. While another connection holds the write lock it waits
   * asynchronously (short pauses, the event loop free), at most `busyTimeoutMs`, then throws
   * DatabaseBusyError. Errors of `work` roll the transaction back and are thrown as named errors.
   * `committed` runs right after the COMMIT (bookkeeping of what is now stored).
   */
  write<T>(
    threadId: string | undefined,
    work: () => T,
    committed?: (result: T) => void,
  ): Promise<T> {
    // Not async: when the lock is free at once (the usual case) the whole write happens now and
    // costs one settled promise, not an async function's.
    let merged: Promise<void> | undefined;
    try {
      if (this.snapshot) throw new DatabaseReadOnlyError(this.path, threadId);
      merged = this.merger?.beforeWrite();
      if (!merged && this.tryBegin(threadId)) {
        return Promise.resolve(this.inTransaction(threadId, work, committed));
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.writeWhenFree(threadId, work, committed, merged);
  }

  /** A write that first waits for a WAL merge or for another connection's write lock. */
  private async writeWhenFree<T>(
    threadId: string | undefined,
    work: () => T,
    committed: ((result: T) => void) | undefined,
    merged: Promise<void> | undefined,
  ): Promise<T> {
    if (merged) await merged;
    const started = Date.now();
    for (let pause = 1; !this.tryBegin(threadId); pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      const left = started + this.busyTimeoutMs - Date.now();
      if (left <= 0) throw new DatabaseBusyError(this.path, threadId, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
    return this.inTransaction(threadId, work, committed);
  }

  /** Runs `work` in the transaction just begun and commits it; `committed` runs after COMMIT. */
  private inTransaction<T>(
    threadId: string | undefined,
    work: () => T,
    committed: ((result: T) => void) | undefined,
  ): T {
    let result: T;
    try {
      this.checkFile(threadId);
      result = work();
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw storageError(error, this.path, threadId);
    }
    this.afterCommit();
    committed?.(result);
    return result;
  }

  /** Runs work that cannot be in a transaction (VACUUM), with storage failures as named errors. */
  async maintain(work: () => void): Promise<void> {
    if (this.snapshot) throw new DatabaseReadOnlyError(this.path, undefined);
    this.db.pragma(`busy_timeout = ${Math.floor(this.busyTimeoutMs)}`);
    try {
      this.checkFile(undefined);
      work();
    } catch (error) {
      throw storageError(error, this.path, undefined);
    } finally {
      this.db.pragma("busy_timeout = 0");
    }
  }

  /**
   * Runs a read, with storage failures as named errors. In WAL mode a read waits for no writer;
   * the rare busy moment (another connection recovering the WAL index) is retried in short
   * synchronous pauses, at most `busyTimeoutMs`.
   */
  read<T>(threadId: string | undefined, work: () => T): T {
    const started = Date.now();
    for (;;) {
      try {
        return work();
      } catch (error) {
        if (!isBusy(error)) throw storageError(error, this.path, threadId);
        const left = started + this.busyTimeoutMs - Date.now();
        if (left <= 0) throw new DatabaseBusyError(this.path, threadId, Date.now() - started);
        pauseSync(Math.min(10, left));
      }
    }
  }

  close(): void {
    clearTimeout(this.idleCheckpoint);
    // The merging thread's connection closes first, so this one is the file's last (in this
    // process) and SQLite merges and removes the WAL.
    this.merger?.close();
    this.db.close();
  }

  /**
   * Merges the WAL into the file now, between two writes (a long run's writes keep the idle merge
   * from running): `truncate` also cuts the WAL file to nothing; without it the next write reuses
   * the WAL from its start, so its file stays as large as one merge interval. Best effort, as the
   * idle merge. While the merging thread runs, only `truncate` does anything (it waits at most
   * MERGE_WAIT_MS for the thread's pass); the thread bounds the WAL itself.
   */
  mergeWal(truncate: boolean): void {
    if (!this.file) return;
    if (!truncate) {
      if (!this.merger?.active) this.checkpointWal("PASSIVE");
      return;
    }
    this.db.pragma(`busy_timeout = ${MERGE_WAIT_MS}`);
    try {
      this.checkpointWal("TRUNCATE");
    } finally {
      this.db.pragma("busy_timeout = 0");
    }
  }

  /** A write counts for the merging thread and restarts the wait for a pause in writes. */
  private afterCommit(): void {
    this.merger?.committed();
    this.idleCheckpoint?.refresh();
  }

  /**
   * Merges the WAL into the file. Best effort: a reader or writer in another process may keep
   * part of it (SQLite then merges the rest later); a closed connection does nothing.
   */
  private checkpointWal(mode: "PASSIVE" | "TRUNCATE"): void {
    if (!this.db.open || this.db.inTransaction) return;
    try {
      this.db.pragma(`wal_checkpoint(${mode})`);
    } catch {
      // Busy or failing storage: the next write reports a real problem; the WAL waits.
    }
  }

  /** Takes the write lock if it is free right now; false if another connection holds it. */
  private tryBegin(threadId: string | undefined): boolean {
    try {
      this.begin.run();
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw storageError(error, this.path, threadId);
    }
  }

  /**
   * Refuses to write when the file at `path` (or its -wal file) is no longer the one this
   * connection opened: it was deleted, moved or replaced, and the write would reach no one.
   */
  private checkFile(threadId: string | undefined): void {
    if (!this.file) return;
    const file = identityOf(this.path);
    if (!file || file.dev !== this.file.dev || file.ino !== this.file.ino) {
      const what = `The database file "${this.path}" was ${file ? "replaced" : "deleted or moved"}`;
      throw new DatabaseReplacedError(this.path, threadId, what);
    }
    const wal = identityOf(`${this.path}-wal`);
    if (!this.wal) {
      this.wal = wal;
    } else if (!wal || wal.dev !== this.wal.dev || wal.ino !== this.wal.ino) {
      const what = `The database's -wal file "${this.path}-wal" was ${wal ? "replaced" : "deleted"}`;
      throw new DatabaseReplacedError(this.path, threadId, what);
    }
  }
}

function identityOf(path: string): FileIdentity | undefined {
  if (path === ":memory:" || path === "") return undefined;
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats && { dev: stats.dev, ino: stats.ino };
}

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

/** A SQLite failure as the named error a user can act on; anything else unchanged. */
export function storageError(error: unknown, path: string, threadId: string | undefined): unknown {
  if (error instanceof SwitchyardError) return error;
  const code = sqliteCode(error);
  if (isBusy(error)) return new DatabaseBusyError(path, threadId, 0);
  if (code === "SQLITE_FULL") return new DiskFullError(path, threadId);
  if (code.startsWith("SQLITE_READONLY")) return new DatabaseReadOnlyError(path, threadId);
  if (code === "SQLITE_NOTADB") return new NotASwitchyardDatabaseError(path);
  if (code.startsWith("SQLITE_CORRUPT")) {
    return new DatabaseUnavailableError(path, "the file is corrupt; restore it from a backup");
  }
  if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")) {
    return new DatabaseUnavailableError(path, (error as Error).message);
  }
  return error;
}

/**
 * Opens the file and brings it to the current schema. Several processes may open a new file at
 * once: a step that finds the file locked by another one's initialisation is retried until
 * `busyTimeoutMs` has passed (SQLite returns "locked" at once, without its busy handler, when it
 * switches a file to WAL). This wait happens once, at construction. A file whose folder this user
 * cannot write is opened as a read-only snapshot, so reading still works.
 */
function openDatabase(
  path: string,
  busyTimeoutMs: number,
): { db: Database.Database; snapshot: boolean } {
  if (path !== ":memory:" && path !== "") {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new DatabaseUnavailableError(
        path,
        `cannot create its folder (${(error as Error).message})`,
      );
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new DatabaseUnavailableError(path, (error as Error).message);
  }
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      initialiseSchema(db, path);
      return { db, snapshot: false };
    } catch (error) {
      if (isBusy(error) && Date.now() < deadline) {
        pauseSync(Math.min(10, deadline - Date.now()));
        continue;
      }
      db.close();
      if (sqliteCode(error) === "SQLITE_READONLY_DIRECTORY") return openSnapshot(path);
      throw storageError(error, path, undefined);
    }
  }
}

/**
 * A WAL file in a folder this user cannot write cannot be read in place (SQLite needs its -shm
 * file). When no -wal file holds unmerged changes, the main file is the whole database: read a
 * copy of it, read-only.
 */
function openSnapshot(path: string): { db: Database.Database; snapshot: boolean } {
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
    throw new DatabaseReadOnlyError(path, undefined);
  }
  const image = readFileSync(path);
  // Bytes 18 and 19 say WAL (2); the copy is read as a plain file (1).
  if (image.length > 19 && image[18] === 2 && image[19] === 2) image.fill(1, 18, 20);
  const db = new Database(image, { readonly: true });
  try {
    if (readSchemaVersion(db, path) < SCHEMA_VERSION)
      throw new DatabaseReadOnlyError(path, undefined);
    return { db, snapshot: true };
  } catch (error) {
    db.close();
    throw storageError(error, path, undefined);
  }
}

function pauseSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

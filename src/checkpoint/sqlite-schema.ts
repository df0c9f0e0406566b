import type Database from "better-sqlite3";
import { DatabaseTooNewError, NotASwitchyardDatabaseError } from "../errors.js";
import { migrateUsage } from "./sqlite-usage.js";

/** Identifies a Switchyard file in the SQLite header ("SYD1"). */
export const APPLICATION_ID = 0x53594431;

/**
 * Forward migrations of the file's own schema; entry N upgrades a file at version N to N + 1.
 * Append only: a released migration never changes.
 */
const MIGRATIONS: ReadonlyArray<string | ((db: Database.Database) => void)> = [
  `CREATE TABLE threads (
     thread_id     TEXT PRIMARY KEY,
     graph_name    TEXT,
     graph_version TEXT,
     created_at    TEXT NOT NULL,
     updated_at    TEXT NOT NULL
   );
   CREATE TABLE checkpoints (
     thread_id     TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     parent_id     TEXT,
     step          INTEGER NOT NULL,
     source        TEXT NOT NULL,
     created_at    TEXT NOT NULL,
     body          TEXT NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id)
   );
   CREATE TABLE channel_versions (
     thread_id TEXT NOT NULL,
     channel   TEXT NOT NULL,
     version   TEXT NOT NULL,
     kind      TEXT NOT NULL CHECK (kind IN ('value', 'delta')),
     previous  TEXT,
     data      TEXT NOT NULL,
     PRIMARY KEY (thread_id, channel, version)
   );
   CREATE TABLE pending_writes (
     thread_id     TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     task_id       TEXT NOT NULL,
     idx           INTEGER NOT NULL,
     channel       TEXT NOT NULL,
     data          TEXT NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id, task_id, idx)
   );
   CREATE TABLE leases (
     thread_id  TEXT PRIMARY KEY,
     owner      TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );`,
  // 2: the audit log of decisions on interrupts. Append-only; kept when a thread is deleted.
  `CREATE TABLE audit (
     seq          INTEGER PRIMARY KEY AUTOINCREMENT,
     thread_id    TEXT NOT NULL,
     at           TEXT NOT NULL,
     actor        TEXT NOT NULL,
     interrupt_id TEXT NOT NULL,
     node         TEXT NOT NULL,
     kind         TEXT NOT NULL,
     value        TEXT NOT NULL
   );
   CREATE INDEX audit_by_thread ON audit (thread_id, seq);`,
  // 3 (issue 17): a compact layout. Checkpoints are keyed by (thread, id) without a second copy
  // of the key in an index; a channel version gets an integer id, and `previous` names the row it
  // extends by that id (chains are walked by rowid); 'append' rows hold only the items a list
  // gained at its end. Existing rows keep their content.
  `CREATE TABLE checkpoints_v3 (
     thread_id     TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     parent_id     TEXT,
     step          INTEGER NOT NULL,
     source        TEXT NOT NULL,
     created_at    TEXT NOT NULL,
     body          TEXT NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id)
   ) WITHOUT ROWID;
   INSERT INTO checkpoints_v3 SELECT thread_id, checkpoint_id, parent_id, step, source, created_at, body
     FROM checkpoints;
   DROP TABLE checkpoints;
   ALTER TABLE checkpoints_v3 RENAME TO checkpoints;
   CREATE TABLE channel_versions_v3 (
     id        INTEGER PRIMARY KEY,
     thread_id TEXT NOT NULL,
     channel   TEXT NOT NULL,
     version   TEXT NOT NULL,
     kind      TEXT NOT NULL CHECK (kind IN ('value', 'delta', 'append')),
     previous  INTEGER,
     data      TEXT NOT NULL,
     UNIQUE (thread_id, channel, version)
   );
   INSERT INTO channel_versions_v3 (thread_id, channel, version, kind, previous, data)
     SELECT thread_id, channel, version, kind, NULL, data FROM channel_versions
     ORDER BY thread_id, channel, version;
   UPDATE channel_versions_v3 SET previous = (
     SELECT p.id FROM channel_versions o JOIN channel_versions_v3 p
       ON p.thread_id = o.thread_id AND p.channel = o.channel AND p.version = o.previous
     WHERE o.thread_id = channel_versions_v3.thread_id AND o.channel = channel_versions_v3.channel
       AND o.version = channel_versions_v3.version);
   DROP TABLE channel_versions;
   ALTER TABLE channel_versions_v3 RENAME TO channel_versions;`,
  // 4 (issue 16): token usage summed per thread, run and node as checkpoints are committed, so
  // budgets and getUsage read one row per node instead of every checkpoint; filled from the
  // checkpoints already stored.
  migrateUsage,
  // 5 (issue 17): a checkpoint row may carry small channel values itself (its body's `i`,
  // sqlite-inline.ts); older versions must not open such a file, since they would look for those
  // values in channel_versions. Threads, leases and pending writes (small rows, looked up by
  // their key) are keyed without a rowid, and the audit log's sequence is its rowid without
  // AUTOINCREMENT (its rows are never deleted, so it still only grows): one B-tree page fewer
  // per write of each (a run's first and last commits, an interrupt, a decision).
  `CREATE TABLE threads_v5 (
     thread_id     TEXT PRIMARY KEY,
     graph_name    TEXT,
     graph_version TEXT,
     created_at    TEXT NOT NULL,
     updated_at    TEXT NOT NULL
   ) WITHOUT ROWID;
   INSERT INTO threads_v5 SELECT thread_id, graph_name, graph_version, created_at, updated_at
     FROM threads;
   DROP TABLE threads;
   ALTER TABLE threads_v5 RENAME TO threads;
   CREATE TABLE leases_v5 (
     thread_id  TEXT PRIMARY KEY,
     owner      TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   INSERT INTO leases_v5 SELECT thread_id, owner, expires_at FROM leases;
   DROP TABLE leases;
   ALTER TABLE leases_v5 RENAME TO leases;
   CREATE TABLE pending_writes_v5 (
     thread_id     TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     task_id       TEXT NOT NULL,
     idx           INTEGER NOT NULL,
     channel       TEXT NOT NULL,
     data          TEXT NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id, task_id, idx)
   ) WITHOUT ROWID;
   INSERT INTO pending_writes_v5 SELECT thread_id, checkpoint_id, task_id, idx, channel, data
     FROM pending_writes;
   DROP TABLE pending_writes;
   ALTER TABLE pending_writes_v5 RENAME TO pending_writes;
   CREATE TABLE audit_v5 (
     seq          INTEGER PRIMARY KEY,
     thread_id    TEXT NOT NULL,
     at           TEXT NOT NULL,
     actor        TEXT NOT NULL,
     interrupt_id TEXT NOT NULL,
     node         TEXT NOT NULL,
     kind         TEXT NOT NULL,
     value        TEXT NOT NULL
   );
   INSERT INTO audit_v5 SELECT seq, thread_id, at, actor, interrupt_id, node, kind, value FROM audit;
   DROP TABLE audit;
   ALTER TABLE audit_v5 RENAME TO audit;
   CREATE INDEX audit_by_thread ON audit (thread_id, seq);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Reads only: throws unless the file is empty or a Switchyard database this version can read, and
 * returns its schema version. Its reads share one snapshot (another process initialising the file
 * meanwhile is seen entirely or not at all). Must run before anything that writes, even
 * `journal_mode`, so a foreign file is left untouched.
 */
export function readSchemaVersion(db: Database.Database, path: string): number {
  return db.transaction(() => checkFileIdentity(db, path))();
}

/**
 * Prepares a connection: refuses a foreign or newer file, switches a new file to WAL, and brings
 * an older one to SCHEMA_VERSION. A file already current and in WAL mode is not written to, so a
 * read-only file can still be opened for reading.
 */
export function initialiseSchema(db: Database.Database, path: string): void {
  const version = readSchemaVersion(db, path);
  // A new file gets 8 KB pages: rows of about 1 KB (a typical appended item) fill them to ~95%
  // where 4 KB pages hold three and waste a fifth. Only possible before the first write.
  if (version === 0 && isEmpty(db)) db.pragma(`page_size = ${PAGE_SIZE}`);
  if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated the file meanwhile.
    const current = checkFileIdentity(db, path);
    for (let next = current; next < SCHEMA_VERSION; next += 1) {
      const migration = MIGRATIONS[next] as string | ((db: Database.Database) => void);
      if (typeof migration === "string") db.exec(migration);
      else migration(db);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The page size of files this version creates. */
export const PAGE_SIZE = 8192;

function isEmpty(db: Database.Database): boolean {
  return (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n === 0;
}

function checkFileIdentity(db: Database.Database, path: string): number {
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  const version = db.pragma("user_version", { simple: true }) as number;
  if (applicationId !== APPLICATION_ID) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
    if (applicationId !== 0 || tables.n > 0) throw new NotASwitchyardDatabaseError(path);
  }
  if (version > SCHEMA_VERSION) throw new DatabaseTooNewError(path, version, SCHEMA_VERSION);
  return version;
}

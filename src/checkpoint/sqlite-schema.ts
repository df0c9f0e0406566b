import type Database from "better-sqlite3";
import { DatabaseTooNewError, NotASwitchyardDatabaseError } from "../errors.js";

/** Identifies a Switchyard file in the SQLite header ("SYD1"). */
export const APPLICATION_ID = 0x53594431;

/**
 * Forward migrations of the file's own schema; entry N upgrades a file at version N to N + 1.
 * Append only: a released migration never changes.
 */
const MIGRATIONS: ReadonlyArray<string> = [
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
  if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated the file meanwhile.
    const current = checkFileIdentity(db, path);
    for (let next = current; next < SCHEMA_VERSION; next += 1) db.exec(MIGRATIONS[next] as string);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
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

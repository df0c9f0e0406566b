// The thread that merges a SQLite file's WAL into the file, for one writing connection on the main
// thread (sqlite-wal-merger.ts starts it and documents the shared slots). Plain JavaScript with no
// import but better-sqlite3, so it loads the same under node, tsx and vitest. It never writes a
// row: it runs `wal_checkpoint(PASSIVE)` when commits pause or a write asks (the copy and its two
// fsyncs happen here, not inside a COMMIT), `wal_checkpoint(TRUNCATE)` once commits pause longer,
// and leaves after a long pause. It waits in Atomics.wait and needs no event loop.
import { workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const COMMITS = 0;
const MERGED = 1;
const STATE = 2;
const STOP = 3;
const LOG_PAGES = 4;
const PASSED = 5;
const WANT = 6;
const STARTING = 0;
const OPEN = 1;
const READY = 2;
const CLOSING = 3;
const CLOSED = 4;

const { path, buffer, pauseMs, idleMs, exitMs } = workerData;
const shared = new Int32Array(buffer);

// close() on the main thread may have claimed the slot first: then this thread opens nothing.
if (Atomics.compareExchange(shared, STATE, STARTING, OPEN) === STARTING) {
  let db;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    db.pragma("synchronous = NORMAL");
    db.pragma("wal_autocheckpoint = 0");
    Atomics.store(shared, STATE, READY);
    mergeUntilStopped(db);
  } catch {
    // Cannot open or merge (file gone, I/O error): the main connection's own checkpoint takes over.
  } finally {
    Atomics.store(shared, STATE, CLOSING);
    try {
      db?.close();
    } finally {
      Atomics.store(shared, STATE, CLOSED);
      Atomics.notify(shared, STATE);
      Atomics.notify(shared, PASSED);
    }
  }
}

function mergeUntilStopped(db) {
  const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  const truncate = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  let mergedAt = -1;
  let idleSince = Date.now();
  let truncated = false;
  for (;;) {
    if (Atomics.load(shared, STOP) !== 0) return;
    const commits = Atomics.load(shared, COMMITS);
    if (commits !== mergedAt) {
      // Commits do not wake this thread (a COMMIT costs a store, no system call): it looks every
      // pauseMs and merges once they pause, or at once when a write waits for it (WANT).
      if (Atomics.load(shared, WANT) === 0) {
        Atomics.wait(shared, WANT, 0, pauseMs);
        if (Atomics.load(shared, COMMITS) !== commits || Atomics.load(shared, WANT) !== 0) continue;
      }
      Atomics.store(shared, WANT, 0);
      // Every commit counted before this pass is in the frames it sees.
      publish(passive.get(), commits);
      mergedAt = commits;
      idleSince = Date.now();
      truncated = false;
      continue;
    }
    Atomics.wait(shared, WANT, 0, idleMs);
    if (Atomics.load(shared, COMMITS) !== commits) continue;
    if (!truncated && Date.now() - idleSince >= idleMs) {
      // Blocks writers while it runs (they wait asynchronously on the main thread); a connection
      // in another process still reading keeps the WAL, and the next pause tries again.
      db.pragma("busy_timeout = 50");
      try {
        publish(truncate.get(), commits);
      } catch {
        // Busy: nothing lost, the WAL waits for the next pause.
      } finally {
        db.pragma("busy_timeout = 0");
      }
      truncated = true;
    } else if (Date.now() - idleSince >= exitMs) {
      return; // Long idle: free the thread; the next commits start a new one.
    }
  }
}

/** Publishes a finished pass: the WAL's frames and, when it merged them all, MERGED. */
function publish(result, commits) {
  Atomics.store(shared, LOG_PAGES, result.log);
  if (result.busy === 0 && result.checkpointed === result.log) {
    Atomics.store(shared, MERGED, commits);
  }
  Atomics.store(shared, PASSED, commits);
  Atomics.notify(shared, PASSED);
}

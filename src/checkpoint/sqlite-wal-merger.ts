import { Worker } from "node:worker_threads";

/** Slots of the buffer the main thread and the merging thread share (Int32, see the worker). */
const COMMITS = 0; // commits this connection made (main thread writes)
const MERGED = 1; // the COMMITS value at the start of the last pass that merged the whole WAL
const STATE = 2; // STARTING → OPEN → READY → CLOSING → CLOSED (or STARTING → CLOSED by close())
const STOP = 3; // set by close()
const LOG_PAGES = 4; // frames in the WAL at the last pass
const PASSED = 5; // the COMMITS value at the start of the last pass
const WANT = 6; // a write waits for a pass
const SLOTS = 7;
const STARTING = 0;
const READY = 2;
const CLOSING = 3;
const CLOSED = 4;

/** Commits before a connection starts its thread: short-lived processes (a CLI `approve`) never do. */
const START_AFTER_COMMITS = 32;
/** Commits pause this long: the thread merges the WAL (a later write then restarts it). */
const PAUSE_MS = 5;
/** Commits pause this long: the thread merges and truncates the WAL to nothing. */
const IDLE_MS = 250;
/** Commits pause this long: the thread closes and leaves (the next commits start another). */
const EXIT_MS = 10_000;
/** Pages per commit assumed until a merge has measured them. */
const FIRST_PAGES_PER_COMMIT = 4;
/** The longest a write waits for a pass (a pass is a copy and two fsyncs). */
const MAX_WAIT_MS = 2000;
/** How long close() waits for the thread to let go of the file. */
const CLOSE_WAIT_MS = 5000;

const WORKER_URL = new URL("./sqlite-wal-worker.js", import.meta.url);

/**
 * Moves SQLite's WAL checkpoint off the committing thread: a `worker_threads` thread with its own
 * connection to the file copies committed pages from the WAL into the file (and pays the two
 * fsyncs) while this thread goes on committing. Commits are counted in a SharedArrayBuffer (a
 * store, no system call); the thread looks at the count every few milliseconds.
 *
 * Invariant (the WAL's bound): SQLite reuses the WAL from its start only when a write begins with
 * every frame merged. When commits pause the thread merges, and the next write restarts the WAL.
 * A writer that never pauses never meets such a merge, so once the WAL holds about `limitPages`
 * (estimated from the commits since the last restart and the pages per commit the last merge
 * measured) the next write waits, asynchronously with the event loop free, for a pass that merges
 * everything committed so far, and then restarts the WAL.
 */
export class WalMerger {
  private worker: Worker | undefined;
  private shared = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private commits = 0;
  private ready = false;
  private failed = false;
  /** The commit count at which a write last began with the whole WAL merged (a restart). */
  private restartedAt = 0;
  /** True when the WAL restarted at `restartedAt` (its frames since then are this cycle's). */
  private cycleMeasured = false;
  /** Commits after a restart before a write waits for a merge. */
  private limitCommits: number;

  /**
   * @param onReady called with true once the thread merges (the connection then turns SQLite's
   * own checkpoint off) and with false when it left (turn it back on until the next is ready).
   */
  constructor(
    private readonly path: string,
    private readonly limitPages: number,
    private readonly onReady: (merging: boolean) => void,
  ) {
    this.limitCommits = Math.max(1, Math.floor(limitPages / FIRST_PAGES_PER_COMMIT));
  }

  /** True while the thread merges the WAL (SQLite's automatic checkpoint is then off). */
  get active(): boolean {
    return this.ready;
  }

  /** Counts a commit; starts the thread when needed. */
  committed(): void {
    this.commits += 1;
    if (this.failed) return;
    const shared = this.shared;
    Atomics.store(shared, COMMITS, this.commits);
    if (this.ready) {
      if (Atomics.load(shared, STATE) >= CLOSING) this.left();
    } else if (this.worker) {
      const state = Atomics.load(shared, STATE);
      if (state === READY) {
        this.ready = true;
        // SQLite's own checkpoint may have left up to the bound in the WAL: the next write
        // waits for a first merge, which starts the WAL again.
        this.restartedAt = this.commits - this.limitCommits;
        this.cycleMeasured = false;
        this.onReady(true);
      } else if (state >= CLOSING) {
        this.left();
      }
    } else if (this.commits >= START_AFTER_COMMITS) {
      this.start();
    }
  }

  /**
   * Called before a write transaction begins: undefined to go on at once, or a promise that
   * settles once the WAL has been merged, so that this write starts it again from its beginning.
   */
  beforeWrite(): Promise<void> | undefined {
    if (!this.ready) return undefined;
    if (Atomics.load(this.shared, MERGED) === this.commits) {
      this.restartedAt = this.commits;
      this.cycleMeasured = true;
      return undefined;
    }
    if (this.commits - this.restartedAt < this.limitCommits) return undefined;
    return this.waitForMerge();
  }

  /**
   * Stops the thread and waits (synchronously, at most CLOSE_WAIT_MS) until its connection is
   * closed, so the caller's close is the file's last and SQLite removes the WAL.
   */
  close(): void {
    const shared = this.shared;
    if (!this.worker) return;
    this.worker = undefined;
    this.ready = false;
    if (Atomics.compareExchange(shared, STATE, STARTING, CLOSED) === STARTING) return;
    Atomics.store(shared, STOP, 1);
    Atomics.notify(shared, WANT);
    const deadline = Date.now() + CLOSE_WAIT_MS;
    for (let state = Atomics.load(shared, STATE); state !== CLOSED;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(shared, STATE, state, left);
      state = Atomics.load(shared, STATE);
    }
  }

  private start(): void {
    this.shared = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
    Atomics.store(this.shared, COMMITS, this.commits);
    Atomics.store(this.shared, MERGED, -1);
    Atomics.store(this.shared, PASSED, -1);
    const worker = new Worker(WORKER_URL, {
      workerData: {
        path: this.path,
        buffer: this.shared.buffer,
        pauseMs: PAUSE_MS,
        idleMs: IDLE_MS,
        exitMs: EXIT_MS,
      },
      // The thread needs none of the parent's flags (loaders included): it is plain JavaScript.
      execArgv: [],
    });
    worker.unref();
    worker.on("error", () => {
      // The thread could not run: SQLite's own checkpoint stays on for this connection.
      if (this.worker === worker) {
        this.failed = true;
        this.left();
      }
    });
    this.worker = worker;
  }

  /** The thread has left (idle, or failed): SQLite checkpoints until another is ready. */
  private left(): void {
    this.worker = undefined;
    if (this.ready) {
      this.ready = false;
      this.onReady(false);
    }
  }

  private async waitForMerge(): Promise<void> {
    const shared = this.shared;
    const target = this.commits;
    Atomics.store(shared, WANT, 1);
    Atomics.notify(shared, WANT);
    const deadline = Date.now() + MAX_WAIT_MS;
    // A pending Atomics.waitAsync does not keep the process alive; this timer does.
    const keepAlive = setTimeout(() => undefined, MAX_WAIT_MS);
    try {
      for (;;) {
        const passed = Atomics.load(shared, PASSED);
        if (passed >= target || Atomics.load(shared, STATE) >= CLOSING) break;
        const left = deadline - Date.now();
        if (left <= 0) break;
        const wait = waitAsync(shared, PASSED, passed, left);
        if (wait.async) await wait.value;
      }
    } finally {
      clearTimeout(keepAlive);
    }
    // The pass measured the WAL this cycle wrote (when the cycle began with a restart seen
    // here): the next cycle's length follows from it. A commit writes at least one page.
    const merged = Atomics.load(shared, MERGED) === target;
    if (merged && this.cycleMeasured) {
      const pages = Atomics.load(shared, LOG_PAGES);
      const pagesPerCommit = Math.max(1, pages / Math.max(1, target - this.restartedAt));
      this.limitCommits = Math.max(1, Math.floor(this.limitPages / pagesPerCommit));
    }
    // A failed merge (a reader elsewhere keeps the WAL) is tried again a cycle later.
    this.restartedAt = target;
    this.cycleMeasured = merged;
  }
}

/** Atomics.waitAsync (Node 16+), which the ES2023 library types do not declare yet. */
function waitAsync(
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
): { async: false } | { async: true; value: Promise<unknown> } {
  const atomics = Atomics as unknown as { waitAsync: typeof waitAsync };
  return atomics.waitAsync(array, index, value, timeoutMs);
}

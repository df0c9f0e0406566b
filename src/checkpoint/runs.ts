/**
 * Run and thread records of the server: what LangGraph's API calls a Run (one execution of an
 * assistant on a thread) and a thread's own metadata. They live beside the checkpoints, behind
 * this small interface, so the server never knows which database holds them.
 */
export type RunStatus = "pending" | "running" | "error" | "success" | "timeout" | "interrupted";

export type MultitaskStrategy = "reject" | "interrupt" | "rollback" | "enqueue";

export interface RunRecord {
  readonly runId: string;
  readonly threadId: string;
  readonly assistantId: string;
  readonly status: RunStatus;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly multitaskStrategy: MultitaskStrategy;
  /** The request that started the run (input, command, config, stream modes), as sent. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ThreadRecord {
  readonly threadId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One server-sent event of a run, kept so a client can rejoin the stream later. */
export interface RunEventRecord {
  /** Position in the run's stream, from 0; the SSE `id`. */
  readonly seq: number;
  readonly event: string;
  /** JSON-serialisable. */
  readonly data: unknown;
}

export interface RunListOptions {
  limit?: number;
  offset?: number;
  status?: RunStatus;
}

export interface RunStore {
  /** Creates or replaces the thread's record. */
  putThread(record: ThreadRecord): Promise<void>;
  getThread(threadId: string): Promise<ThreadRecord | undefined>;
  /** Every thread record, most recently updated first. */
  listThreads(): Promise<ThreadRecord[]>;
  /** Deletes the thread's record and all its runs. */
  deleteThread(threadId: string): Promise<void>;

  putRun(record: RunRecord): Promise<void>;
  getRun(threadId: string, runId: string): Promise<RunRecord | undefined>;
  /** The thread's runs, newest first. */
  listRuns(threadId: string, options?: RunListOptions): Promise<RunRecord[]>;
  /** Sets a run's status (and `updatedAt`); false when the run does not exist. */
  setRunStatus(runId: string, status: RunStatus, at: string): Promise<boolean>;
  deleteRun(threadId: string, runId: string): Promise<boolean>;
  /** Appends one event of a run's stream (deleted with the run or its thread). */
  appendEvent(runId: string, event: RunEventRecord): Promise<void>;
  /** The run's events with `seq` greater than `after` (all for -1), in order. */
  listEvents(runId: string, after: number): Promise<RunEventRecord[]>;
  /**
   * Deletes the stored events of runs that ended (any status but pending and running) and were
   * last updated before `at` (ISO 8601); the run records stay. Returns how many events went.
   */
  deleteEventsEndedBefore(at: string): Promise<number>;
  /**
   * Runs left pending or running (by a process that ended, when a server calls it at start,
   * before it runs anything), oldest first: the order they were started in.
   */
  listUnfinished(): Promise<RunRecord[]>;
}

/** How a queued run ended (or where it is): its status and, once finished, its output. */
export interface RunOutcome {
  readonly status: RunStatus;
  /** What `runs.wait` answers: the last `values` event, or `{ __error__ }`; `{}` before the end. */
  readonly output: unknown;
}

/**
 * A queue of runs executed by other processes (`switchyard worker`), for an API server that only
 * enqueues and relays. Events and statuses are read from the RunStore; `watch` says when to read.
 */
export interface RunQueue {
  /**
   * Records and queues a new run in one transaction, applying its multitask strategy against the
   * thread's unfinished runs (RunInProgressError for "reject").
   */
  enqueue(record: RunRecord): Promise<void>;
  /** A pending run becomes `interrupted` at once; a running one is stopped by its worker. */
  cancel(runId: string): Promise<void>;
  outcome(runId: string): Promise<RunOutcome | undefined>;
  /** The thread's oldest unfinished run. */
  activeRun(threadId: string): Promise<RunRecord | undefined>;
  /** Calls `onChange` when the run gets events or a new status; resolves once listening. */
  watch(runId: string, onChange: () => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Sorts newest first by `createdAt` (a stable sort keeps the given order on ties). */
export function newestFirst<T extends { createdAt: string }>(a: T, b: T): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

function isEnded(run: RunRecord): boolean {
  return run.status !== "pending" && run.status !== "running";
}

/** Applies status, offset and limit to a newest-first list of runs. */
export function pageOfRuns(runs: readonly RunRecord[], options: RunListOptions): RunRecord[] {
  const matching = options.status ? runs.filter((run) => run.status === options.status) : runs;
  const offset = options.offset ?? 0;
  return matching.slice(offset, options.limit === undefined ? undefined : offset + options.limit);
}

/** Run and thread records in memory, for tests and for apps that keep nothing across restarts. */
export class MemoryRunStore implements RunStore {
  private readonly threads = new Map<string, ThreadRecord>();
  private readonly runs = new Map<string, RunRecord>();
  private readonly events = new Map<string, RunEventRecord[]>();

  async putThread(record: ThreadRecord): Promise<void> {
    this.threads.set(record.threadId, record);
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    return this.threads.get(threadId);
  }

  async listThreads(): Promise<ThreadRecord[]> {
    return [...this.threads.values()].sort((a, b) =>
      a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0,
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    this.threads.delete(threadId);
    for (const run of [...this.runs.values()]) {
      if (run.threadId !== threadId) continue;
      this.runs.delete(run.runId);
      this.events.delete(run.runId);
    }
  }

  async putRun(record: RunRecord): Promise<void> {
    this.runs.set(record.runId, record);
  }

  async getRun(threadId: string, runId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    return run?.threadId === threadId ? run : undefined;
  }

  async listRuns(threadId: string, options: RunListOptions = {}): Promise<RunRecord[]> {
    // Reversed insertion order first, so runs created in the same millisecond list newest first.
    const runs = [...this.runs.values()].reverse().filter((run) => run.threadId === threadId);
    return pageOfRuns(runs.sort(newestFirst), options);
  }

  async setRunStatus(runId: string, status: RunStatus, at: string): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run) return false;
    this.runs.set(runId, { ...run, status, updatedAt: at });
    return true;
  }

  async deleteRun(threadId: string, runId: string): Promise<boolean> {
    if (this.runs.get(runId)?.threadId !== threadId) return false;
    this.events.delete(runId);
    return this.runs.delete(runId);
  }

  async appendEvent(runId: string, event: RunEventRecord): Promise<void> {
    const events = this.events.get(runId) ?? [];
    events.push(event);
    this.events.set(runId, events);
  }

  async listEvents(runId: string, after: number): Promise<RunEventRecord[]> {
    return (this.events.get(runId) ?? []).filter((event) => event.seq > after);
  }

  async deleteEventsEndedBefore(at: string): Promise<number> {
    let deleted = 0;
    for (const [runId, events] of this.events) {
      const run = this.runs.get(runId);
      if (!run || !isEnded(run) || run.updatedAt >= at) continue;
      deleted += events.length;
      this.events.delete(runId);
    }
    return deleted;
  }

  async listUnfinished(): Promise<RunRecord[]> {
    const left = [...this.runs.values()].filter(
      (run) => run.status === "pending" || run.status === "running",
    );
    // Oldest first; a stable sort keeps insertion order on ties.
    return left.sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
    );
  }
}

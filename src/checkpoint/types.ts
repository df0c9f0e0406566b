import type { UsageOptions, UsageTotals } from "./usage.js";

/**
 * The storage contract the runtime depends on. It is shaped around two writes:
 * - `putWrites` records one finished task's writes as soon as it finishes, so a crash mid-superstep
 *   loses only the tasks still running;
 * - `commit` stores a superstep's checkpoint together with the channel values it changed, atomically.
 * Channel values are stored per version, only when they change; reducer channels may be stored as
 * the step's updates (a delta on top of an earlier version) that the runtime folds back on read.
 */
export interface Checkpointer {
  /** How long a lease lasts without renewal; runs renew theirs at a third of it. */
  readonly leaseMs: number;

  /** The thread's latest checkpoint, or the one with `checkpointId`; undefined when there is none. */
  getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined>;
  /** The thread's checkpoints, newest first. */
  list(threadId: string, options?: ListOptions): AsyncIterable<CheckpointTuple>;
  /** Records the writes of one finished (or failed) task of the superstep after `checkpointId`. */
  putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [channel: string, value: unknown]>,
    options?: WriteOptions,
  ): Promise<void>;
  /**
   * `putWrites` for several tasks of the same superstep in one transaction: all stored, or none
   * (then nothing is written and the error is thrown).
   */
  putWritesBatch(
    threadId: string,
    checkpointId: string,
    tasks: ReadonlyArray<TaskWrites>,
    options?: WriteOptions,
  ): Promise<void>;
  /** Stores `checkpoint` and the channel versions it introduced, all or nothing. */
  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options?: WriteOptions,
  ): Promise<void>;

  /** The thread's record, or undefined for a thread never written. */
  getThread(threadId: string): Promise<ThreadInfo | undefined>;
  /** Records which graph (name and structural version) the thread runs on. */
  setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void>;

  /**
   * Takes the thread's lease for `owner`: at most one run per thread, across processes. Throws
   * ThreadBusyError when another owner holds an unexpired lease. An expired lease (its process died)
   * is taken over.
   */
  acquireLease(threadId: string, owner: string): Promise<void>;
  /** The thread's audit log, oldest first (entries are written with `WriteOptions.audit`). */
  getAuditLog(threadId: string): Promise<AuditEntry[]>;
  /**
   * What the thread's model calls spent (its subgraphs' included), or one run's with `runId`:
   * the sums of `metadata.usage` of every checkpoint committed to it, kept up to date by `commit`
   * in the same transaction, so reading them costs one query whatever the thread's length. Pruning
   * does not lower them; deleting the thread deletes them; a copied thread starts from none.
   */
  getUsage(threadId: string, options?: UsageOptions): Promise<UsageTotals>;

  /** Extends the lease; false when `owner` no longer holds it. */
  renewLease(threadId: string, owner: string): Promise<boolean>;
  releaseLease(threadId: string, owner: string): Promise<void>;
}

/** Retention and inspection across threads: what operators and the CLI use. */
export interface ThreadStore extends Checkpointer {
  /** Threads, most recently updated first. */
  listThreads(options?: { limit?: number }): AsyncIterable<ThreadInfo>;
  /** Deletes every checkpoint and write of the thread. Refused (ThreadBusyError) while a run holds it. */
  deleteThread(threadId: string): Promise<void>;
  /**
   * Keeps the thread's `keepLast` newest checkpoints and the head of every branch (and the stored
   * values they need), deleting the rest. Returns how many checkpoints were deleted, or with
   * `dryRun` how many would be, deleting nothing.
   */
  pruneThread(threadId: string, options: { keepLast: number; dryRun?: boolean }): Promise<number>;
  /** Deletes threads last updated before `date` (skipping threads a run holds). Returns how many. */
  deleteThreadsOlderThan(date: Date): Promise<number>;
  /**
   * Copies `fromThreadId` into a new thread `toThreadId`: the checkpoint `upTo` (default: the latest)
   * and its ancestors, with the values they need and the graph binding.
   */
  copyThread(fromThreadId: string, toThreadId: string, upTo?: string): Promise<void>;
  /** Gives the space of deleted data back to the file system. */
  vacuum(): Promise<void>;
  /**
   * Pending writes on `channel` of every thread's latest checkpoint: what unfinished supersteps
   * left, across threads (the runtime's inbox of waiting interrupts is built on it).
   */
  listPendingWrites(channel: string): AsyncIterable<PendingWrite & { threadId: string }>;
  /**
   * One page of `listPendingWrites(channel)` in the order `page.order` gives, with the number of
   * such writes in all: the store sorts and limits, so a page costs one query whatever the total.
   */
  pagePendingWrites(channel: string, page: PendingWritesQuery): Promise<PendingWritesPage>;
}

/**
 * How `pagePendingWrites` orders writes, by top-level fields of each write's value: writes whose
 * value has `first` come before those that have not, ascending by it; then ascending by `then`;
 * then by thread id and task id. Each write gets a sort key (`pendingSortKey`): a page holds the
 * `limit` writes whose keys follow `after` (the last key of the page before).
 */
export interface PendingWritesQuery {
  readonly order: { readonly first: string; readonly then: string };
  readonly limit: number;
  readonly after?: string;
}

export interface PendingWritesPage {
  readonly writes: ReadonlyArray<
    PendingWrite & { readonly threadId: string; readonly key: string }
  >;
  /** Every pending write on the channel (of latest checkpoints), on this page or not. */
  readonly total: number;
}

/** One decision on an interrupt: append-only, never edited. */
export interface AuditEntry {
  /** ISO 8601. */
  readonly at: string;
  /** `configurable.actor` of the resuming call (the CLI's `--as`), or "unknown". */
  readonly actor: string;
  readonly interruptId: string;
  readonly node: string;
  /** "resume" for a human's answer, "timeout" for a deadline's `onTimeout`. */
  readonly kind: "resume" | "timeout";
  readonly value: unknown;
}

/** One task's writes, for `putWritesBatch`. */
export interface TaskWrites {
  readonly taskId: string;
  readonly writes: ReadonlyArray<readonly [channel: string, value: unknown]>;
}

export interface WriteOptions {
  /** Refuse the write (LeaseLostError) unless this owner holds the thread's lease. */
  readonly lease?: string;
  /**
   * Entries to append to the thread's audit log in the same transaction as the write: an answer
   * to an interrupt is stored together with its audit entry, or neither is. Written with a
   * subgraph's namespace key, they go to the log of the thread the namespace belongs to.
   */
  readonly audit?: readonly AuditEntry[];
  /**
   * For `commit`: the graph to bind the thread to if it has no binding yet, in the same
   * transaction, so a thread never has checkpoints without the graph they came from.
   */
  readonly graph?: GraphIdentity;
  /**
   * For `commit`, with `lease`: takes the thread's lease for that owner in the same transaction,
   * for a run that read the thread as new (no record) and runs nothing before this commit. Refused
   * with ThreadBusyError, nothing written, when another owner holds an unexpired lease or the
   * thread has a record by now (another run wrote it since): the run then read a stale thread.
   */
  readonly acquireLease?: boolean;
  /**
   * For `commit`, with `lease`: deletes that owner's lease after the write, in the same
   * transaction: the run's last write. If the commit is refused, the lease stays held.
   */
  readonly releaseLease?: boolean;
}

/** Which graph a thread runs on. `version` is a hash of nodes, edges and state keys. */
export interface GraphIdentity {
  readonly name: string;
  readonly version: string;
}

export interface ThreadInfo {
  readonly threadId: string;
  readonly graph: GraphIdentity | undefined;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ListOptions {
  /** At most this many checkpoints. */
  limit?: number;
  /** Only checkpoints older than this checkpoint id. */
  before?: string;
  /** Only checkpoints whose metadata has these values (compared with ===). */
  filter?: Readonly<Record<string, unknown>>;
}

export type CheckpointSource = "input" | "loop" | "update" | "fork";

/** A task planned to run in the next superstep. `arg` is set for `Send` tasks. */
export interface PlannedTask {
  readonly node: string;
  readonly send: boolean;
  readonly arg?: unknown;
}

export interface CheckpointRecord {
  /** Sorts chronologically as a string. */
  readonly id: string;
  readonly parentId: string | undefined;
  readonly step: number;
  readonly source: CheckpointSource;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** For each channel that has a value: the id of the version holding it. */
  readonly versions: Readonly<Record<string, string>>;
  /** What the next superstep runs, in order. Empty when the run is finished. */
  readonly next: readonly PlannedTask[];
  /** For each join (`addEdge([a, b], c)`) waiting on some sources: the sources seen so far. */
  readonly barriers: Readonly<Record<string, readonly string[]>>;
}

/**
 * One new channel version: a full value, or updates to fold onto the `previous` version. A delta
 * also carries the folded `value`, so a checkpointer may store that instead (to bound replay).
 */
export type ChannelWrite =
  | {
      readonly channel: string;
      readonly version: string;
      readonly kind: "value";
      readonly value: unknown;
    }
  | {
      readonly channel: string;
      readonly version: string;
      readonly kind: "delta";
      /** The version the updates apply to; undefined means the channel's initial value. */
      readonly previous: string | undefined;
      readonly updates: readonly unknown[];
      readonly value: unknown;
      /**
       * Set when `value` is exactly the previous version's list followed by these items (a list
       * that grew at its end, whatever the reducer): a checkpointer may store just the items and
       * rebuild the value without the reducer. Optional; ignoring it is always correct.
       */
      readonly appended?: readonly unknown[];
    };

/** How to rebuild one channel's value: start from `base` (or the initial value), fold `deltas` in order. */
export interface StoredChannel {
  readonly hasBase: boolean;
  readonly base: unknown;
  readonly deltas: ReadonlyArray<readonly unknown[]>;
}

export interface PendingWrite {
  readonly taskId: string;
  readonly channel: string;
  readonly value: unknown;
}

export interface CheckpointTuple {
  readonly threadId: string;
  readonly checkpoint: CheckpointRecord;
  readonly channels: Readonly<Record<string, StoredChannel>>;
  readonly pendingWrites: readonly PendingWrite[];
}

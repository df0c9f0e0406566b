/**
 * The storage contract the runtime depends on. It is shaped around two writes:
 * - `putWrites` records one finished task's writes as soon as it finishes, so a crash mid-superstep
 *   loses only the tasks still running;
 * - `commit` stores a superstep's checkpoint together with the channel values it changed, atomically.
 * Channel values are stored per version, only when they change; reducer channels may be stored as
 * the step's updates (a delta on top of an earlier version) that the runtime folds back on read.
 */
export interface Checkpointer {
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
  ): Promise<void>;
  /** Stores `checkpoint` and the channel versions it introduced, all or nothing. */
  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
  ): Promise<void>;
}

export interface ListOptions {
  /** At most this many checkpoints. */
  limit?: number;
  /** Only checkpoints older than this checkpoint id. */
  before?: string;
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

import { deserialize, serialize } from "./serializer.js";
import type {
  ChannelWrite,
  CheckpointRecord,
  Checkpointer,
  CheckpointTuple,
  ListOptions,
  PendingWrite,
  StoredChannel,
} from "./types.js";

interface StoredVersion {
  readonly kind: "value" | "delta";
  /** Serialized value, or serialized array of updates for a delta. */
  readonly data: string;
  readonly previous: string | undefined;
  /** Deltas since the last full value, this one included. */
  readonly depth: number;
}

const MAX_CHAIN_LENGTH = 64;

interface ThreadData {
  /** Ordered by id, which sorts chronologically. */
  readonly checkpoints: Map<string, string>;
  readonly versions: Map<string, StoredVersion>;
  readonly pending: Map<string, Array<{ taskId: string; channel: string; data: string }>>;
  latestId: string | undefined;
}

/**
 * Keeps checkpoints in process memory, for tests and scratch runs. Values are stored serialized,
 * exactly as a database would hold them, so a node mutating its state cannot alter history and
 * anything the SQLite checkpointer would refuse is refused here too.
 */
export class MemoryCheckpointer implements Checkpointer {
  private readonly threads = new Map<string, ThreadData>();

  getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    const thread = this.threads.get(threadId);
    const id = checkpointId ?? thread?.latestId;
    if (!thread || id === undefined || !thread.checkpoints.has(id))
      return Promise.resolve(undefined);
    return Promise.resolve(this.tupleOf(threadId, thread, id));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- nothing to wait for in memory; the interface is async for databases
  async *list(threadId: string, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const thread = this.threads.get(threadId);
    if (!thread) return;
    const ids = [...thread.checkpoints.keys()].sort().reverse();
    let yielded = 0;
    for (const id of ids) {
      if (options.before !== undefined && id >= options.before) continue;
      if (options.limit !== undefined && yielded >= options.limit) return;
      yielded += 1;
      yield this.tupleOf(threadId, thread, id);
    }
  }

  putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [string, unknown]>,
  ): Promise<void> {
    const encoded = writes.map(([channel, value]) => ({
      taskId,
      channel,
      data: serialize(value, channel),
    }));
    const pending = this.thread(threadId).pending;
    const forCheckpoint = (pending.get(checkpointId) ?? []).filter(
      (write) => write.taskId !== taskId,
    );
    pending.set(checkpointId, forCheckpoint.concat(encoded));
    return Promise.resolve();
  }

  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
  ): Promise<void> {
    // Serialize everything before touching the thread, so a refused value leaves no trace.
    const record = serialize(checkpoint, "checkpoint");
    const thread = this.thread(threadId);
    const versions = channelWrites.map((write) => ({
      key: versionKey(write.channel, write.version),
      stored: this.encodeVersion(thread, write),
    }));
    for (const { key, stored } of versions) thread.versions.set(key, stored);
    // The superstep is committed: its tasks' pending writes are now in the channel versions.
    if (checkpoint.parentId !== undefined && checkpoint.source === "loop") {
      thread.pending.delete(checkpoint.parentId);
    }
    thread.checkpoints.set(checkpoint.id, record);
    if (thread.latestId === undefined || checkpoint.id > thread.latestId)
      thread.latestId = checkpoint.id;
    return Promise.resolve();
  }

  /** Deltas, with a full value every MAX_CHAIN_LENGTH versions so a read replays a bounded chain. */
  private encodeVersion(thread: ThreadData, write: ChannelWrite): StoredVersion {
    if (write.kind === "delta") {
      const previous =
        write.previous === undefined
          ? undefined
          : thread.versions.get(versionKey(write.channel, write.previous));
      const depth = (previous?.depth ?? 0) + 1;
      if (depth < MAX_CHAIN_LENGTH) {
        return {
          kind: "delta",
          data: serialize(write.updates, write.channel),
          previous: write.previous,
          depth,
        };
      }
    }
    return {
      kind: "value",
      data: serialize(write.value, write.channel),
      previous: undefined,
      depth: 0,
    };
  }

  private thread(threadId: string): ThreadData {
    let thread = this.threads.get(threadId);
    if (!thread) {
      thread = {
        checkpoints: new Map(),
        versions: new Map(),
        pending: new Map(),
        latestId: undefined,
      };
      this.threads.set(threadId, thread);
    }
    return thread;
  }

  private tupleOf(threadId: string, thread: ThreadData, id: string): CheckpointTuple {
    const checkpoint = deserialize(thread.checkpoints.get(id) as string) as CheckpointRecord;
    const channels: Record<string, StoredChannel> = {};
    for (const [channel, version] of Object.entries(checkpoint.versions)) {
      channels[channel] = this.readChannel(thread, channel, version);
    }
    const pendingWrites: PendingWrite[] = (thread.pending.get(id) ?? []).map((write) => ({
      taskId: write.taskId,
      channel: write.channel,
      value: deserialize(write.data),
    }));
    return { threadId, checkpoint, channels, pendingWrites };
  }

  private readChannel(thread: ThreadData, channel: string, version: string): StoredChannel {
    const deltas: unknown[][] = [];
    let current: string | undefined = version;
    while (current !== undefined) {
      const stored = thread.versions.get(versionKey(channel, current));
      if (!stored) break;
      if (stored.kind === "value") {
        return { hasBase: true, base: deserialize(stored.data), deltas: deltas.reverse() };
      }
      deltas.push(deserialize(stored.data) as unknown[]);
      current = stored.previous;
    }
    return { hasBase: false, base: undefined, deltas: deltas.reverse() };
  }
}

function versionKey(channel: string, version: string): string {
  return `${channel}\u0000${version}`;
}

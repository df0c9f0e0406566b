import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { migrateSchema } from "./sqlite-schema.js";
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

/** A delta chain is replaced by a full value once its bytes reach this and the last full value's size. */
const MIN_CHAIN_BYTES = 16 * 1024;
/** …or once it holds this many deltas, whatever their size, bounding the rows a read replays. */
const MAX_CHAIN_LENGTH = 1024;

interface ChainInfo {
  /** Bytes of deltas stored since the last full value. */
  readonly chainBytes: number;
  readonly chainLength: number;
  /** Size of the last full value in the chain (0 if the chain starts from the initial value). */
  readonly baseBytes: number;
}

interface VersionRow {
  kind: "value" | "delta";
  data: string;
}

interface CheckpointRow {
  checkpoint_id: string;
  parent_id: string | null;
  step: number;
  source: CheckpointRecord["source"];
  created_at: string;
  body: string;
}

/** What a checkpoint row stores besides its columns. */
type CheckpointBody = Pick<CheckpointRecord, "metadata" | "versions" | "next" | "barriers">;

/**
 * The default checkpointer: one SQLite file (or `:memory:`), safe for several processes. WAL mode,
 * a busy timeout, `BEGIN IMMEDIATE` for every write, prepared statements only. A superstep's
 * checkpoint and its channel versions are one transaction; a task's pending writes are another, so
 * a crash loses at most the tasks still running.
 *
 * Reducer channels are stored as deltas on their previous version; a full value is stored instead
 * once the deltas since the last full value outweigh it, so storage stays within about twice the
 * data written and reading any checkpoint replays at most about one value's worth of deltas.
 *
 * @example
 * const graph = builder.compile({ checkpointer: new SqliteCheckpointer("checkpoints/switchyard.db") });
 */
export class SqliteCheckpointer implements Checkpointer {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  /** The chain state of the versions this process wrote last, keyed by thread, channel, version. */
  private readonly chains = new Map<string, ChainInfo>();

  constructor(path: string) {
    this.path = path;
    if (path !== ":memory:" && !path.startsWith("file:"))
      mkdirSync(dirname(path), { recursive: true });
    this.db = openDatabase(path);
    this.statements = prepareStatements(this.db);
  }

  getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    const row =
      checkpointId === undefined
        ? (this.statements.latestCheckpoint.get(threadId) as CheckpointRow | undefined)
        : (this.statements.checkpoint.get(threadId, checkpointId) as CheckpointRow | undefined);
    return Promise.resolve(row ? this.tupleOf(threadId, row) : undefined);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- better-sqlite3 is synchronous; the interface is async for network databases
  async *list(threadId: string, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const rows = this.statements.listCheckpoints.all({
      thread: threadId,
      before: options.before ?? null,
      limit: options.limit ?? -1,
    }) as CheckpointRow[];
    for (const row of rows) yield this.tupleOf(threadId, row);
  }

  putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [string, unknown]>,
  ): Promise<void> {
    const encoded = writes.map(([channel, value]) => [channel, serialize(value, channel)] as const);
    this.immediate(() => {
      this.statements.deleteTaskWrites.run(threadId, checkpointId, taskId);
      encoded.forEach(([channel, data], index) => {
        this.statements.insertWrite.run(threadId, checkpointId, taskId, index, channel, data);
      });
    });
    return Promise.resolve();
  }

  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
  ): Promise<void> {
    // Serialize before the transaction: a value that cannot be stored aborts with nothing written.
    const { metadata, versions, next, barriers } = checkpoint;
    const body = serialize(
      { metadata, versions, next, barriers } satisfies CheckpointBody,
      "checkpoint",
    );
    const rows = channelWrites.map((write) => this.encodeVersion(threadId, write));
    this.immediate(() => {
      const now = checkpoint.createdAt;
      this.statements.upsertThread.run(threadId, now, now);
      this.statements.insertCheckpoint.run(
        threadId,
        checkpoint.id,
        checkpoint.parentId ?? null,
        checkpoint.step,
        checkpoint.source,
        checkpoint.createdAt,
        body,
      );
      for (const row of rows) {
        this.statements.insertVersion.run(
          threadId,
          row.channel,
          row.version,
          row.kind,
          row.previous,
          row.data,
        );
      }
      // The superstep is committed: its tasks' pending writes are now in the channel versions.
      if (checkpoint.parentId !== undefined && checkpoint.source === "loop") {
        this.statements.deleteCheckpointWrites.run(threadId, checkpoint.parentId);
      }
    });
    for (const row of rows)
      this.chains.set(chainKey(threadId, row.channel, row.version), row.chain);
    return Promise.resolve();
  }

  /** Closes the database file. The checkpointer cannot be used afterwards. */
  close(): void {
    this.db.close();
  }

  private encodeVersion(threadId: string, write: ChannelWrite) {
    if (write.kind === "delta") {
      const data = serialize(write.updates, write.channel);
      const previous =
        write.previous === undefined
          ? { chainBytes: 0, chainLength: 0, baseBytes: 0 }
          : this.chainOf(threadId, write.channel, write.previous);
      const chainBytes = previous.chainBytes + data.length;
      const chainLength = previous.chainLength + 1;
      const overdue =
        chainLength >= MAX_CHAIN_LENGTH ||
        chainBytes >= Math.max(MIN_CHAIN_BYTES, previous.baseBytes);
      if (!overdue) {
        return {
          channel: write.channel,
          version: write.version,
          kind: "delta" as const,
          previous: write.previous ?? null,
          data,
          chain: { chainBytes, chainLength, baseBytes: previous.baseBytes },
        };
      }
      return this.encodeValue(write.channel, write.version, write.value);
    }
    return this.encodeValue(write.channel, write.version, write.value);
  }

  private encodeValue(channel: string, version: string, value: unknown) {
    const data = serialize(value, channel);
    return {
      channel,
      version,
      kind: "value" as const,
      previous: null,
      data,
      chain: { chainBytes: 0, chainLength: 0, baseBytes: data.length },
    };
  }

  /** Chain state of a stored version: cached when this process wrote it, else read back. */
  private chainOf(threadId: string, channel: string, version: string): ChainInfo {
    const cached = this.chains.get(chainKey(threadId, channel, version));
    if (cached) return cached;
    const rows = this.statements.chain.all(threadId, channel, version, threadId, channel) as Array<
      VersionRow & { depth: number }
    >;
    let chainBytes = 0;
    let baseBytes = 0;
    for (const row of rows) {
      if (row.kind === "value") baseBytes = row.data.length;
      else chainBytes += row.data.length;
    }
    const info = {
      chainBytes,
      chainLength: rows.filter((row) => row.kind === "delta").length,
      baseBytes,
    };
    this.chains.set(chainKey(threadId, channel, version), info);
    return info;
  }

  private tupleOf(threadId: string, row: CheckpointRow): CheckpointTuple {
    const checkpoint: CheckpointRecord = {
      ...(deserialize(row.body) as CheckpointBody),
      id: row.checkpoint_id,
      parentId: row.parent_id ?? undefined,
      step: row.step,
      source: row.source,
      createdAt: row.created_at,
    };
    const channels: Record<string, StoredChannel> = {};
    for (const [channel, version] of Object.entries(checkpoint.versions)) {
      channels[channel] = this.readChannel(threadId, channel, version);
    }
    const writes = this.statements.writesOf.all(threadId, row.checkpoint_id) as Array<{
      task_id: string;
      channel: string;
      data: string;
    }>;
    const pendingWrites: PendingWrite[] = writes.map((write) => ({
      taskId: write.task_id,
      channel: write.channel,
      value: deserialize(write.data),
    }));
    return { threadId, checkpoint, channels, pendingWrites };
  }

  private readChannel(threadId: string, channel: string, version: string): StoredChannel {
    // Newest first: deltas back to (and including) the nearest full value.
    const rows = this.statements.chain.all(threadId, channel, version, threadId, channel) as Array<
      VersionRow & { depth: number }
    >;
    const deltas: unknown[][] = [];
    for (const row of rows) {
      if (row.kind === "value")
        return { hasBase: true, base: deserialize(row.data), deltas: deltas.reverse() };
      deltas.push(deserialize(row.data) as unknown[]);
    }
    return { hasBase: false, base: undefined, deltas: deltas.reverse() };
  }

  private immediate(work: () => void): void {
    this.statements.begin.run();
    try {
      work();
      this.statements.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.statements.rollback.run();
      throw error;
    }
  }
}

function chainKey(threadId: string, channel: string, version: string): string {
  return `${threadId}\u0000${channel}\u0000${version}`;
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path, { timeout: 5000 });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrateSchema(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    upsertThread: db.prepare(
      `INSERT INTO threads (thread_id, created_at, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (thread_id) DO UPDATE SET updated_at = excluded.updated_at`,
    ),
    insertCheckpoint: db.prepare(
      `INSERT INTO checkpoints (thread_id, checkpoint_id, parent_id, step, source, created_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertVersion: db.prepare(
      `INSERT OR REPLACE INTO channel_versions (thread_id, channel, version, kind, previous, data)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    latestCheckpoint: db.prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints WHERE thread_id = ?
       ORDER BY checkpoint_id DESC LIMIT 1`,
    ),
    checkpoint: db.prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints WHERE thread_id = ? AND checkpoint_id = ?`,
    ),
    listCheckpoints: db.prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = @thread AND (@before IS NULL OR checkpoint_id < @before)
       ORDER BY checkpoint_id DESC LIMIT @limit`,
    ),
    chain: db.prepare(
      `WITH RECURSIVE chain (version, kind, previous, data, depth) AS (
         SELECT version, kind, previous, data, 0 FROM channel_versions
         WHERE thread_id = ? AND channel = ? AND version = ?
         UNION ALL
         SELECT v.version, v.kind, v.previous, v.data, chain.depth + 1
         FROM chain JOIN channel_versions v
           ON v.thread_id = ? AND v.channel = ? AND v.version = chain.previous
         WHERE chain.kind = 'delta'
       )
       SELECT kind, data, depth FROM chain ORDER BY depth`,
    ),
    insertWrite: db.prepare(
      `INSERT INTO pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deleteTaskWrites: db.prepare(
      `DELETE FROM pending_writes WHERE thread_id = ? AND checkpoint_id = ? AND task_id = ?`,
    ),
    deleteCheckpointWrites: db.prepare(
      `DELETE FROM pending_writes WHERE thread_id = ? AND checkpoint_id = ?`,
    ),
    writesOf: db.prepare(
      `SELECT task_id, channel, data FROM pending_writes
       WHERE thread_id = ? AND checkpoint_id = ? ORDER BY task_id, idx`,
    ),
  };
}

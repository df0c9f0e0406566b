import type pg from "pg";
import { LeaseLostError, ThreadBusyError, ThreadNotFoundError } from "../../errors.js";
import { rootThreadOf } from "../namespace.js";
import { matchesFilter } from "../retention.js";
import { deserialize } from "../serializer.js";
import { storedCounts, totalsOf, type UsageOptions, type UsageTotals } from "../usage.js";
import type {
  AuditEntry,
  ChannelWrite,
  CheckpointRecord,
  CheckpointTuple,
  GraphIdentity,
  ListOptions,
  PendingWrite,
  PendingWritesPage,
  PendingWritesQuery,
  TaskWrites,
  ThreadInfo,
  ThreadStore,
  WriteOptions,
} from "../types.js";
import { PostgresConnection, type ConnectionOptions } from "./connection.js";
import { copyThread, deleteThread, pruneThread } from "./retention.js";
import {
  auditEntryOf,
  channelsOf,
  pendingWritesOf,
  recordOf,
  threadInfo,
  type ChainRow,
  type CheckpointRow,
  type ThreadRow,
  type UsageSumRow,
} from "./rows.js";
import { ensureSchema, quoteSchema } from "./schema.js";
import { buildStatements, type Statements } from "./statements.js";
import { ChainCache, commitValues, putWritesValues } from "./writes.js";

export interface PostgresCheckpointerOptions extends ConnectionOptions {
  /** Lease length in ms (default 30 s). A run renews its lease at a third of this. */
  readonly leaseMs?: number;
  /**
   * The Postgres schema holding Switchyard's tables (default "switchyard"), so several
   * deployments (or tests) can share one database.
   */
  readonly schema?: string;
  /**
   * Create the schema when it is missing (default true). With false, a database without
   * Switchyard's tables is refused with SCHEMA_NOT_FOUND and nothing is created (read-only tools).
   */
  readonly create?: boolean;
}

/**
 * The checkpointer for several processes and machines: every one of them points at one Postgres
 * database. The same contract and guarantees as SqliteCheckpointer: a superstep's checkpoint, its
 * channel versions (deltas for reducer channels) and the audit entries it carries are one SQL
 * statement, so one transaction and one round trip; each task's pending writes another. Leases live in a row per thread, taken with a
 * conditional upsert and timed by the server's clock; every write holds its thread's lease row
 * (FOR SHARE) until it commits, so a run that lost its lease can never interleave writes with the
 * run that took it over. Serialization failures and deadlocks are retried with backoff.
 *
 * The schema is created (or migrated) on first use; a schema written by a newer Switchyard is
 * refused with DATABASE_TOO_NEW.
 *
 * @example
 * const checkpointer = new PostgresCheckpointer(process.env.DATABASE_URL!);
 * const graph = builder.compile({ checkpointer });
 * // …
 * await checkpointer.close();
 */
export class PostgresCheckpointer implements ThreadStore {
  readonly leaseMs: number;
  readonly schema: string;
  /** The database, for messages: the connection string without its password, and the schema. */
  readonly where: string;
  private readonly connection: PostgresConnection;
  private readonly statements: Statements;
  private readonly create: boolean;
  private ready: Promise<void> | undefined;
  private readonly chains = new ChainCache();

  /** `source`: a connection string (the checkpointer makes and ends its pool) or a pg.Pool of yours. */
  constructor(source: string | pg.Pool, options: PostgresCheckpointerOptions = {}) {
    this.schema = options.schema ?? "switchyard";
    const quoted = quoteSchema(this.schema);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.create = options.create ?? true;
    this.connection = new PostgresConnection(source, this.schema, options);
    this.where = this.connection.where;
    this.statements = buildStatements(this.schema, quoted);
  }

  async getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    await this.ensureReady();
    const rows =
      checkpointId === undefined
        ? await this.query<CheckpointRow>(threadId, this.statements.latestCheckpoint, [threadId])
        : await this.query<CheckpointRow>(threadId, this.statements.checkpoint, [
            threadId,
            checkpointId,
          ]);
    const row = rows[0];
    return row ? this.tupleOf(threadId, row) : undefined;
  }

  async *list(threadId: string, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    await this.ensureReady();
    // Without a filter the limit applies in SQL; a metadata filter is matched after reading.
    const limit = options.filter === undefined ? (options.limit ?? null) : null;
    const rows = await this.query<CheckpointRow>(threadId, this.statements.listCheckpoints, [
      threadId,
      options.before ?? null,
      limit,
    ]);
    let yielded = 0;
    for (const row of rows) {
      if (options.limit !== undefined && yielded >= options.limit) return;
      const tuple = await this.tupleOf(threadId, row);
      if (!matchesFilter(tuple.checkpoint.metadata, options.filter)) continue;
      yielded += 1;
      yield tuple;
    }
  }

  async putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [string, unknown]>,
    options: WriteOptions = {},
  ): Promise<void> {
    return this.putWritesBatch(threadId, checkpointId, [{ taskId, writes }], options);
  }

  async putWritesBatch(
    threadId: string,
    checkpointId: string,
    tasks: ReadonlyArray<TaskWrites>,
    options: WriteOptions = {},
  ): Promise<void> {
    const values = putWritesValues(threadId, checkpointId, tasks, options);
    await this.ensureReady();
    const [result] = await this.connection.write<{ allowed: number }>(
      threadId,
      this.statements.putWrites,
      values,
    );
    if (result?.allowed === 0) throw new LeaseLostError(rootThreadOf(threadId));
  }

  async commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options: WriteOptions = {},
  ): Promise<void> {
    await this.ensureReady();
    const rows = await this.chains.encode(threadId, channelWrites, (channels, versions) =>
      this.query<ChainRow>(threadId, this.statements.chains, [threadId, channels, versions]),
    );
    const values = commitValues(threadId, checkpoint, rows, options);
    const { lease } = options;
    // Postgres takes and gives back a lease folded into a commit in statements of their own
    // (one round trip more each), with the same outcome: refused, nothing is written.
    if (lease !== undefined && options.acquireLease) await this.takeNewThreadLease(threadId, lease);
    try {
      const [result] = await this.connection.write<{ allowed: number }>(
        threadId,
        this.statements.commit,
        values,
      );
      if (result?.allowed === 0) throw new LeaseLostError(rootThreadOf(threadId));
    } catch (error) {
      if (lease !== undefined && options.acquireLease) {
        await this.releaseLease(threadId, lease).catch(() => undefined);
      }
      throw error;
    }
    this.chains.stored(threadId, rows);
    if (lease !== undefined && options.releaseLease) await this.releaseLease(threadId, lease);
  }

  /** WriteOptions.acquireLease: as acquireLease, and only while the thread has no record. */
  private async takeNewThreadLease(threadId: string, owner: string): Promise<void> {
    const won = await this.query(threadId, this.statements.acquireNewThreadLease, [
      threadId,
      owner,
      this.leaseMs,
    ]);
    if (won.length > 0) return;
    const [held] = await this.query<{ expires_at: Date }>(threadId, this.statements.leaseExpiry, [
      threadId,
    ]);
    throw new ThreadBusyError(threadId, held?.expires_at ?? new Date());
  }

  async getUsage(threadId: string, options: UsageOptions = {}): Promise<UsageTotals> {
    await this.ensureReady();
    const rows = await this.query<UsageSumRow>(threadId, this.statements.usage, [
      threadId,
      options.runId ?? null,
    ]);
    return totalsOf(rows.map((row) => ({ node: row.node, counts: storedCounts(row) })));
  }

  async getThread(threadId: string): Promise<ThreadInfo | undefined> {
    await this.ensureReady();
    const [row] = await this.query<ThreadRow>(threadId, this.statements.thread, [threadId]);
    return row ? threadInfo(row) : undefined;
  }

  async setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void> {
    await this.ensureReady();
    await this.query(threadId, this.statements.setThreadGraph, [
      threadId,
      graph.name,
      graph.version,
      new Date().toISOString(),
    ]);
  }

  async getAuditLog(threadId: string): Promise<AuditEntry[]> {
    await this.ensureReady();
    const rows = await this.query<Parameters<typeof auditEntryOf>[0]>(
      threadId,
      this.statements.auditLog,
      [threadId],
    );
    return rows.map(auditEntryOf);
  }

  async acquireLease(threadId: string, owner: string): Promise<void> {
    await this.ensureReady();
    // One conditional upsert decides: among processes racing for the thread, exactly one wins.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const won = await this.query(threadId, this.statements.acquireLease, [
        threadId,
        owner,
        this.leaseMs,
      ]);
      if (won.length > 0) return;
      const [held] = await this.query<{ expires_at: Date }>(threadId, this.statements.leaseExpiry, [
        threadId,
      ]);
      // Released between the two statements: try again.
      if (held) throw new ThreadBusyError(threadId, held.expires_at);
    }
    throw new ThreadBusyError(threadId, new Date());
  }

  async renewLease(threadId: string, owner: string): Promise<boolean> {
    await this.ensureReady();
    const renewed = await this.query(threadId, this.statements.renewLease, [
      threadId,
      owner,
      this.leaseMs,
    ]);
    return renewed.length > 0;
  }

  async releaseLease(threadId: string, owner: string): Promise<void> {
    await this.ensureReady();
    await this.query(threadId, this.statements.releaseLease, [threadId, owner]);
  }

  async *listThreads(options: { limit?: number } = {}): AsyncIterable<ThreadInfo> {
    await this.ensureReady();
    const rows = await this.query<ThreadRow>(undefined, this.statements.listThreads, [
      options.limit ?? null,
    ]);
    for (const row of rows) yield threadInfo(row);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.ensureReady();
    await this.connection.transaction(threadId, (client) =>
      deleteThread(client, this.statements, threadId),
    );
    this.chains.forgetThread(threadId);
  }

  async pruneThread(
    threadId: string,
    options: { keepLast: number; dryRun?: boolean },
  ): Promise<number> {
    await this.ensureReady();
    // One snapshot: a concurrent change to what it deletes is a serialization failure, retried.
    const { dropped, versions, keys } = await this.connection.transaction(
      threadId,
      (client) => pruneThread(client, this.statements, threadId, options),
      { isolation: "repeatable read" },
    );
    for (const [key, channel, version] of versions) this.chains.forget(key, channel, version);
    for (const key of keys) this.chains.forgetKey(key);
    return dropped;
  }

  async deleteThreadsOlderThan(date: Date): Promise<number> {
    await this.ensureReady();
    const rows = await this.query<{ thread_id: string }>(
      undefined,
      this.statements.threadsOlderThan,
      [date.toISOString()],
    );
    let deleted = 0;
    for (const { thread_id: threadId } of rows) {
      try {
        await this.deleteThread(threadId);
        deleted += 1;
      } catch (error) {
        // A thread a run holds right now is skipped, not an error.
        if (!(error instanceof ThreadBusyError || error instanceof ThreadNotFoundError)) {
          throw error;
        }
      }
    }
    return deleted;
  }

  async copyThread(fromThreadId: string, toThreadId: string, upTo?: string): Promise<void> {
    await this.ensureReady();
    // One snapshot of the source: a concurrent prune cannot remove a value half-way through.
    await this.connection.transaction(
      toThreadId,
      (client) => copyThread(client, this.statements, fromThreadId, toThreadId, upTo),
      { isolation: "repeatable read" },
    );
  }

  async *listPendingWrites(channel: string): AsyncIterable<PendingWrite & { threadId: string }> {
    await this.ensureReady();
    const rows = await this.query<{ thread_id: string; task_id: string; data: string }>(
      undefined,
      this.statements.latestWritesOnChannel,
      [channel],
    );
    for (const row of rows) {
      yield { threadId: row.thread_id, taskId: row.task_id, channel, value: deserialize(row.data) };
    }
  }

  async pagePendingWrites(channel: string, page: PendingWritesQuery): Promise<PendingWritesPage> {
    await this.ensureReady();
    const rows = await this.query<{
      thread_id: string;
      task_id: string;
      data: string;
      sort_key: string;
    }>(undefined, this.statements.pageWritesOnChannel, [
      channel,
      page.order.first,
      page.order.then,
      page.after ?? null,
      page.limit,
    ]);
    const [count] = await this.query<{ total: number }>(
      undefined,
      this.statements.countWritesOnChannel,
      [channel],
    );
    const writes = rows.map((row) => ({
      threadId: row.thread_id,
      taskId: row.task_id,
      channel,
      value: deserialize(row.data),
      key: row.sort_key,
    }));
    return { writes, total: count?.total ?? 0 };
  }

  /**
   * Runs VACUUM (ANALYZE) on Switchyard's tables: the space of deleted rows becomes reusable and
   * the planner's statistics fresh. (Autovacuum does this too; giving space back to the operating
   * system takes VACUUM FULL, which locks the tables: an operator's decision, not done here.)
   */
  async vacuum(): Promise<void> {
    await this.ensureReady();
    const s = quoteSchema(this.schema);
    const tables = [
      "threads",
      "checkpoints",
      "channel_versions",
      "pending_writes",
      "leases",
      "audit",
      "node_cache",
    ];
    await this.connection.query(undefined, {
      text: `VACUUM (ANALYZE) ${tables.map((table) => `${s}.${table}`).join(", ")}`,
    });
  }

  /** Ends the connection pool if the checkpointer created it (a pool passed in stays open). */
  async close(): Promise<void> {
    await this.connection.end();
  }

  /** Creates or migrates the schema once, before the first statement; a failure is tried again. */
  private ensureReady(): Promise<void> {
    this.ready ??= ensureSchema(this.connection, this.schema, this.create).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private query<Row>(
    threadId: string | undefined,
    statement: { name: string; text: string },
    values: readonly unknown[],
  ): Promise<Row[]> {
    return this.connection.query<Row>(threadId, statement, values);
  }

  private async tupleOf(threadId: string, row: CheckpointRow): Promise<CheckpointTuple> {
    const checkpoint = recordOf(row);
    const heads = Object.entries(checkpoint.versions);
    const [chains, writes] = await Promise.all([
      heads.length === 0
        ? Promise.resolve([])
        : this.query<ChainRow>(threadId, this.statements.chains, [
            threadId,
            heads.map(([channel]) => channel),
            heads.map(([, version]) => version),
          ]),
      this.query<{ task_id: string; channel: string; data: string }>(
        threadId,
        this.statements.writesOf,
        [threadId, row.checkpoint_id],
      ),
    ]);
    return {
      threadId,
      checkpoint,
      channels: channelsOf(chains),
      pendingWrites: pendingWritesOf(writes),
    };
  }
}

import {
  LeaseLostError,
  ThreadBusyError,
  ThreadExistsError,
  ThreadNotFoundError,
} from "../errors.js";
import {
  childNamespaceKeys,
  NAMESPACE_SEPARATOR,
  namespaceNeeded,
  namespaceSubtree,
  referencedNamespaces,
  rootThreadOf,
  SUBGRAPHS_CHANNEL,
} from "./namespace.js";
import { checkpointsToKeep, matchesFilter, versionKey, versionsNeeded } from "./retention.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { decodeBody, encodeBody, type InlineValues } from "./sqlite-body.js";
import { ChannelReader, type VersionKind } from "./sqlite-chains.js";
import { InlineHeads, type InlineHead } from "./sqlite-inline.js";
import { prepareStatements, type Statements } from "./sqlite-statements.js";
import { remember, VersionEncoder, type EncodedChannels } from "./sqlite-versions.js";
import { SqliteUsage } from "./sqlite-usage.js";
import { deserialize, serialize } from "./serializer.js";
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
  StoredChannel,
  TaskWrites,
  ThreadInfo,
  ThreadStore,
  WriteOptions,
} from "./types.js";
import type { UsageOptions, UsageTotals } from "./usage.js";

/** Checkpoints read per page of a history listing without a limit (or with a filter). */
const HISTORY_PAGE = 64;
/** A thread's `updated_at` is rewritten once it is this much older than its latest checkpoint. */
const THREAD_TOUCH_MS = 1000;
/**
 * A long run (one lease owner's commits on a key) merges and truncates the WAL after its last
 * write once it made more than LONG_RUN_COMMITS, so nothing but the file is left on disk when it
 * ends. During the run the connection's merging thread bounds the WAL (SqliteConnection); only
 * while that thread is not running yet does the run merge it itself after every
 * LONG_RUN_COMMITS-th commit. Short runs (S2: 11 commits) leave the WAL to the merging thread:
 * merging at the end of every run was measured to cost S2 50-75% more CPU.
 */
const LONG_RUN_COMMITS = 128;

export interface SqliteCheckpointerOptions {
  /** Lease length in ms (default 30 s). A run renews its lease at a third of this. */
  leaseMs?: number;
  /**
   * How long a write waits for another process's write transaction, in ms (default 5 s), before it
   * fails with DATABASE_BUSY. The wait does not block the event loop (except once, when opening).
   */
  busyTimeoutMs?: number;
  /** Refuse writes that would grow the file past this many bytes, with DISK_FULL (a quota). */
  maxSizeBytes?: number;
}

/** What this process knows of a thread row it wrote under a lease (see commit). */
interface ThreadRowState {
  readonly owner: string;
  readonly touchedAt: number;
  readonly bound: boolean;
  readonly commits: number;
}

/** What a commit's transaction stored: version row ids, the thread row, a new lease's expiry. */
interface Committed {
  readonly ids: readonly number[];
  readonly row: ThreadRowState;
  readonly expiresAt: number;
}

interface CheckpointRow {
  checkpoint_id: string;
  parent_id: string | null;
  step: number;
  source: CheckpointRecord["source"];
  created_at: string;
  body: string;
}

interface ThreadRow {
  thread_id: string;
  graph_name: string | null;
  graph_version: string | null;
  created_at: string;
  updated_at: string;
}

/** A stored version with the version (and row id) of the one it extends. */
interface VersionRow {
  id: number;
  kind: VersionKind;
  previous_id: number | null;
  previous: string | null;
  data: string;
}

interface VersionHead {
  channel: string;
  version: string;
  kind: VersionKind;
  previous: string | null;
}

/**
 * The default checkpointer: one SQLite file (or `:memory:`), safe for several processes. WAL mode,
 * a busy timeout, `BEGIN IMMEDIATE` for every write, prepared statements only. A superstep's
 * checkpoint and its channel versions are one transaction; a task's pending writes are another, so
 * a crash loses at most the tasks still running. A lease row per thread keeps one run per thread.
 *
 * Reducer channels are stored as deltas on their previous version, a list that grows at its end
 * as the appended items; a full value is stored once enough deltas accumulated (see FLAT_CHAIN),
 * so reading the latest state folds a bounded number of deltas whatever the thread's length.
 *
 * @example
 * const graph = builder.compile({ checkpointer: new SqliteCheckpointer("checkpoints/switchyard.db") });
 */
export class SqliteCheckpointer implements ThreadStore {
  readonly path: string;
  readonly leaseMs: number;
  private readonly connection: SqliteConnection;
  private readonly statements: Statements;
  private readonly usage: SqliteUsage;
  /** Chain states of versions this process wrote or read last, so a write needs no read. */
  private readonly versions: VersionEncoder;
  /** The latest checkpoint's inline values per thread, for the next commit's parent. */
  private readonly inlineHeads = new InlineHeads();
  /** Leases this process took or renewed, and until when: a write under one needs no read. */
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  /** Thread rows this process wrote under a lease: when `updated_at` was set, and the graph bound. */
  private readonly threadRows = new Map<string, ThreadRowState>();

  constructor(path: string, options: SqliteCheckpointerOptions = {}) {
    this.path = path;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.connection = new SqliteConnection(path, options.busyTimeoutMs ?? 5000, options);
    this.statements = prepareStatements(this.connection.db);
    this.versions = new VersionEncoder(this.statements);
    this.usage = new SqliteUsage(this.connection.db);
  }

  async getUsage(threadId: string, options: UsageOptions = {}): Promise<UsageTotals> {
    return this.connection.read(threadId, () => this.usage.read(threadId, options));
  }

  async getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    return this.connection.read(threadId, () => {
      const row =
        checkpointId === undefined
          ? (this.statements.latestCheckpoint.get(threadId) as CheckpointRow | undefined)
          : (this.statements.checkpoint.get(threadId, checkpointId) as CheckpointRow | undefined);
      if (!row) return undefined;
      const { record, inline } = this.decodeRow(row);
      if (checkpointId === undefined) {
        this.inlineHeads.set(threadId, record.id, { versions: record.versions, inline });
      }
      return this.tupleOf(threadId, record, inline, this.reader(threadId));
    });
  }

  /**
   * Newest first, in pages read with the limit in SQL. One reader serves the whole listing, so
   * each stored version is read once and each checkpoint's values are built from its neighbour's.
   */
  async *list(threadId: string, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const { limit, filter } = options;
    if (limit !== undefined && limit <= 0) return;
    const pageSize = limit !== undefined && !filter ? limit : HISTORY_PAGE;
    const reader = this.reader(threadId);
    let before = options.before;
    let yielded = 0;
    for (;;) {
      const rows = this.connection.read(threadId, () =>
        before === undefined
          ? (this.statements.newestCheckpoints.all({
              thread: threadId,
              limit: pageSize,
            }) as CheckpointRow[])
          : (this.statements.checkpointsBefore.all({
              thread: threadId,
              before,
              limit: pageSize,
            }) as CheckpointRow[]),
      );
      for (const row of rows) {
        const { record, inline } = this.decodeRow(row);
        if (!matchesFilter(record.metadata, filter)) continue;
        yield this.connection.read(threadId, () => this.tupleOf(threadId, record, inline, reader));
        yielded += 1;
        if (limit !== undefined && yielded >= limit) return;
      }
      if (rows.length < pageSize) return;
      before = rows.at(-1)?.checkpoint_id;
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
    const encoded = tasks.map(({ taskId, writes }) => ({
      taskId,
      rows: writes.map(([channel, value]) => [channel, serialize(value, channel)] as const),
    }));
    const audit = encodeAudit(options.audit);
    await this.connection.write(threadId, () => {
      this.checkLease(threadId, options.lease);
      for (const { taskId, rows } of encoded) {
        this.statements.deleteTaskWrites.run(threadId, checkpointId, taskId);
        rows.forEach(([channel, data], index) => {
          this.statements.insertWrite.run(threadId, checkpointId, taskId, index, channel, data);
        });
      }
      this.appendAudit(threadId, audit);
    });
  }

  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options: WriteOptions = {},
  ): Promise<void> {
    // Serialize before the transaction: a value that cannot be stored aborts with nothing written.
    // Reads the chains it extends and the parent's inline values (unless this process wrote them).
    let encoded: ReturnType<SqliteCheckpointer["encodeChannels"]>;
    let body: string;
    let audit: EncodedAudit[];
    try {
      encoded = this.connection.read(threadId, () =>
        this.encodeChannels(threadId, checkpoint, channelWrites),
      );
      body = encodeBody(checkpoint, encoded.inline);
      audit = encodeAudit(options.audit);
    } catch (error) {
      return Promise.reject(error);
    }
    const { rows, inline } = encoded;
    const { graph } = options;
    const touchedAt = Date.parse(checkpoint.createdAt);
    const { lease } = options;
    const acquire = lease !== undefined && options.acquireLease === true;
    let inserted: Committed | undefined;
    return this.connection.write(
      threadId,
      () => {
        const expiresAt = acquire ? this.takeNewThreadLease(threadId, lease) : 0;
        if (!acquire) this.checkLease(threadId, lease);
        // Under a lease no other process deletes the thread, so a row this process wrote stays.
        // Within one run (one lease owner) its `updated_at` is kept to within THREAD_TOUCH_MS
        // instead of being rewritten at every step; a new run always sets it.
        const cached = options.lease === undefined ? undefined : this.threadRows.get(threadId);
        const known = cached?.owner === options.lease ? cached : undefined;
        const touch = !known || !(touchedAt - known.touchedAt < THREAD_TOUCH_MS);
        if (touch) this.statements.touchThread.run({ thread: threadId, now: checkpoint.createdAt });
        if (graph && !known?.bound) {
          this.statements.bindThreadGraph.run({
            thread: threadId,
            name: graph.name,
            version: graph.version,
          });
        }
        this.statements.insertCheckpoint.run(
          threadId,
          checkpoint.id,
          checkpoint.parentId ?? null,
          checkpoint.step,
          checkpoint.source,
          checkpoint.createdAt,
          body,
        );
        const ids = rows.map(({ channel, version, kind, previous, data }) => {
          const inserted = this.statements.insertVersion.get(
            threadId,
            channel,
            version,
            kind,
            previous,
            data,
          ) as { id: number };
          return inserted.id;
        });
        // The superstep is committed (or, for new input, dropped): its pending writes are obsolete.
        if (
          checkpoint.parentId !== undefined &&
          (checkpoint.source === "loop" || checkpoint.source === "input")
        ) {
          this.statements.deleteCheckpointWrites.run(threadId, checkpoint.parentId);
        }
        this.appendAudit(threadId, audit);
        this.usage.record(threadId, checkpoint.metadata);
        if (lease !== undefined && options.releaseLease) {
          this.statements.releaseLease.run(threadId, lease);
        }
        const row = {
          owner: options.lease ?? "",
          touchedAt: touch ? touchedAt : (known?.touchedAt ?? touchedAt),
          bound: graph !== undefined || !!known?.bound,
          commits: (known?.commits ?? 0) + 1,
        };
        inserted = { ids, row, expiresAt };
      },
      () => {
        const stored = inserted;
        if (!stored) return;
        if (lease !== undefined && options.releaseLease) this.forgetLease(threadId, lease);
        else if (acquire) this.leases.set(threadId, { owner: lease, expiresAt: stored.expiresAt });
        if (lease !== undefined) {
          remember(this.threadRows, threadId, stored.row);
          const { commits } = stored.row;
          if (options.releaseLease && commits > LONG_RUN_COMMITS) this.connection.mergeWal(true);
          else if (commits % LONG_RUN_COMMITS === 0) this.connection.mergeWal(false);
        }
        rows.forEach((row, index) => {
          const { generic, genericBytes, baseBytes, appendable } = row.chain;
          const id = stored.ids[index] as number;
          const info = { id, generic, genericBytes, baseBytes, appendable };
          this.versions.remember(threadId, row.channel, row.version, info);
        });
        this.inlineHeads.set(threadId, checkpoint.id, { versions: checkpoint.versions, inline });
      },
    );
  }

  async getThread(threadId: string): Promise<ThreadInfo | undefined> {
    const row = this.connection.read(
      threadId,
      () => this.statements.thread.get(threadId) as ThreadRow | undefined,
    );
    return row ? threadInfo(row) : undefined;
  }

  async setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void> {
    const now = new Date().toISOString();
    await this.connection.write(threadId, () => {
      this.statements.setThreadGraph.run({
        thread: threadId,
        name: graph.name,
        version: graph.version,
        now,
      });
    });
  }

  async getAuditLog(threadId: string): Promise<AuditEntry[]> {
    const rows = this.connection.read(
      threadId,
      () =>
        this.statements.auditLog.all(threadId) as Array<{
          at: string;
          actor: string;
          interrupt_id: string;
          node: string;
          kind: AuditEntry["kind"];
          value: string;
        }>,
    );
    return rows.map((row) => ({
      at: row.at,
      actor: row.actor,
      interruptId: row.interrupt_id,
      node: row.node,
      kind: row.kind,
      value: deserialize(row.value),
    }));
  }

  async acquireLease(threadId: string, owner: string): Promise<void> {
    await this.connection.write(threadId, () => {
      const now = Date.now();
      const held = this.statements.lease.get(threadId) as
        { owner: string; expires_at: number } | undefined;
      if (held && held.owner !== owner && held.expires_at > now) {
        throw new ThreadBusyError(threadId, new Date(held.expires_at));
      }
      this.statements.putLease.run(threadId, owner, now + this.leaseMs);
      this.leases.set(threadId, { owner, expiresAt: now + this.leaseMs });
    });
  }

  async renewLease(threadId: string, owner: string): Promise<boolean> {
    const expiresAt = Date.now() + this.leaseMs;
    const result = await this.connection.write(threadId, () =>
      this.statements.renewLease.run(expiresAt, threadId, owner),
    );
    if (result.changes > 0) this.leases.set(threadId, { owner, expiresAt });
    else this.forgetLease(threadId, owner);
    return result.changes > 0;
  }

  async releaseLease(threadId: string, owner: string): Promise<void> {
    this.forgetLease(threadId, owner);
    await this.connection.write(threadId, () => this.statements.releaseLease.run(threadId, owner));
    const row = this.threadRows.get(threadId);
    if (row?.owner === owner && row.commits > LONG_RUN_COMMITS) this.connection.mergeWal(true);
  }

  async *listThreads(options: { limit?: number } = {}): AsyncIterable<ThreadInfo> {
    const rows = this.connection.read(
      undefined,
      () => this.statements.listThreads.all(options.limit ?? -1) as ThreadRow[],
    );
    for (const row of rows) yield threadInfo(row);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.connection.write(threadId, () => {
      this.requireThread(threadId);
      this.requireIdle(threadId);
      this.deleteThreadRows(threadId);
      this.usage.deleteThread(threadId);
      // A subgraph's checkpoints are part of the thread: they go with it.
      for (const key of this.namespaceKeysOf(threadId)) this.deleteThreadRows(key);
    });
  }

  async pruneThread(
    threadId: string,
    options: { keepLast: number; dryRun?: boolean },
  ): Promise<number> {
    return this.connection.write(threadId, () => {
      this.requireThread(threadId);
      const namespaces = this.namespaceKeysOf(threadId);
      const keepLast = Math.floor(options.keepLast);
      return this.pruneKey(threadId, namespaces, keepLast, options.dryRun === true);
    });
  }

  /**
   * Prunes the checkpoints of a thread or namespace key, then its namespaces: each one still
   * needed (namespaceNeeded) is pruned the same way, the others are deleted with everything below
   * them. Returns how many checkpoints go (or would go, with `dryRun`), namespaces' included.
   */
  private pruneKey(
    key: string,
    namespaces: readonly string[],
    keepLast: number,
    dryRun: boolean,
  ): number {
    const rows = this.statements.checkpointIds.all(key) as Array<{
      checkpoint_id: string;
      parent_id: string | null;
    }>;
    const keep = checkpointsToKeep(
      rows.map((row) => ({ id: row.checkpoint_id, parentId: row.parent_id ?? undefined })),
      keepLast,
    );
    const ids = rows.map((row) => row.checkpoint_id);
    const dropped = ids.filter((id) => !keep.has(id));
    let deleted = dropped.length;
    const referenced = referencedNamespaces(key, this.subgraphLists(key, keep));
    for (const child of childNamespaceKeys(key, namespaces)) {
      deleted += namespaceNeeded(child, keep, referenced)
        ? this.pruneKey(child, namespaces, keepLast, dryRun)
        : this.deleteNamespace(child, namespaces, dryRun);
    }
    if (dryRun) return deleted;
    for (const id of dropped) {
      this.statements.deleteCheckpoint.run(key, id);
      this.statements.deleteCheckpointWrites.run(key, id);
    }
    this.deleteUnneededVersions(
      key,
      ids.filter((id) => keep.has(id)),
    );
    return deleted;
  }

  async deleteThreadsOlderThan(date: Date): Promise<number> {
    const rows = this.connection.read(
      undefined,
      () =>
        this.statements.threadsOlderThan.all(date.toISOString()) as Array<{ thread_id: string }>,
    );
    let deleted = 0;
    for (const { thread_id: threadId } of rows) {
      try {
        await this.deleteThread(threadId);
        deleted += 1;
      } catch (error) {
        // A thread a run holds right now is skipped, not an error.
        if (!(error instanceof ThreadBusyError || error instanceof ThreadNotFoundError))
          throw error;
      }
    }
    return deleted;
  }

  async copyThread(fromThreadId: string, toThreadId: string, upTo?: string): Promise<void> {
    await this.connection.write(toThreadId, () => {
      if (this.statements.thread.get(toThreadId)) throw new ThreadExistsError(toThreadId);
      const source = this.statements.thread.get(fromThreadId) as ThreadRow | undefined;
      const head =
        upTo === undefined
          ? (this.statements.latestCheckpoint.get(fromThreadId) as CheckpointRow | undefined)
          : (this.statements.checkpoint.get(fromThreadId, upTo) as CheckpointRow | undefined);
      if (!source || !head) throw new ThreadNotFoundError(fromThreadId);
      const lineage: CheckpointRow[] = [];
      for (let row: CheckpointRow | undefined = head; row;) {
        lineage.push(row);
        row =
          row.parent_id === null
            ? undefined
            : (this.statements.checkpoint.get(fromThreadId, row.parent_id) as
                CheckpointRow | undefined);
      }
      const now = new Date().toISOString();
      this.statements.setThreadGraph.run({
        thread: toThreadId,
        name: source.graph_name,
        version: source.graph_version,
        now,
      });
      for (const row of lineage) {
        this.statements.insertCheckpoint.run(
          toThreadId,
          row.checkpoint_id,
          row.parent_id,
          row.step,
          row.source,
          row.created_at,
          row.body,
        );
      }
      this.copyInFlight(fromThreadId, toThreadId, lineage, now);
      const records = lineage.map((row) => this.recordOf(row));
      const copies: Array<VersionRow & { channel: string; version: string }> = [];
      for (const key of versionsNeeded(records, (channel, version) =>
        this.versionMeta(fromThreadId, channel, version),
      )) {
        const [channel, version] = key.split("\u0000") as [string, string];
        const stored = this.statements.versionRow.get(fromThreadId, channel, version) as
          VersionRow | undefined;
        if (stored) copies.push({ ...stored, channel, version });
      }
      // Oldest row first (a row's id is greater than its previous one's), so each copy can name
      // the copy of the row it extends.
      const copiedIds = new Map<number, number>();
      for (const copy of copies.sort((a, b) => a.id - b.id)) {
        const previous = copy.previous_id === null ? null : copiedIds.get(copy.previous_id);
        const inserted = this.statements.insertVersion.get(
          toThreadId,
          copy.channel,
          copy.version,
          copy.kind,
          previous ?? null,
          copy.data,
        ) as { id: number };
        copiedIds.set(copy.id, inserted.id);
      }
    });
  }

  async *listPendingWrites(channel: string): AsyncIterable<PendingWrite & { threadId: string }> {
    const rows = this.connection.read(
      undefined,
      () =>
        this.statements.latestWritesOnChannel.all(channel) as Array<{
          thread_id: string;
          task_id: string;
          data: string;
        }>,
    );
    for (const row of rows) {
      yield { threadId: row.thread_id, taskId: row.task_id, channel, value: deserialize(row.data) };
    }
  }

  async pagePendingWrites(channel: string, page: PendingWritesQuery): Promise<PendingWritesPage> {
    return this.connection.read(undefined, () => {
      const rows = this.statements.pageWritesOnChannel.all({
        channel,
        first: page.order.first,
        then: page.order.then,
        after: page.after ?? null,
        limit: page.limit,
      }) as Array<{ thread_id: string; task_id: string; data: string; sort_key: string }>;
      const { total } = this.statements.countWritesOnChannel.get(channel) as { total: number };
      const writes = rows.map((row) => ({
        threadId: row.thread_id,
        taskId: row.task_id,
        channel,
        value: deserialize(row.data),
        key: row.sort_key,
      }));
      return { writes, total };
    });
  }

  async vacuum(): Promise<void> {
    await this.connection.maintain(() => {
      this.connection.db.pragma("wal_checkpoint(TRUNCATE)");
      this.connection.db.exec("VACUUM");
    });
  }

  /** Closes the database file. The checkpointer cannot be used afterwards. */
  close(): void {
    this.connection.close();
  }

  /**
   * How the channels of a new checkpoint are stored: the rows to insert, and the small values the
   * checkpoint row carries itself (its own writes' and those it keeps from its parent).
   */
  private encodeChannels(
    threadId: string,
    checkpoint: CheckpointRecord,
    writes: readonly ChannelWrite[],
  ): EncodedChannels {
    const parent =
      checkpoint.parentId === undefined
        ? undefined
        : this.inlineHead(threadId, checkpoint.parentId);
    return this.versions.encode(threadId, checkpoint, writes, parent);
  }

  /** The versions and inline values of a stored checkpoint: remembered, else read. */
  private inlineHead(threadId: string, checkpointId: string): InlineHead | undefined {
    const known = this.inlineHeads.get(threadId, checkpointId);
    if (known) return known;
    const row = this.statements.checkpoint.get(threadId, checkpointId) as CheckpointRow | undefined;
    if (!row) return undefined;
    const { record, inline } = this.decodeRow(row);
    return { versions: record.versions, inline };
  }

  private reader(threadId: string): ChannelReader {
    return new ChannelReader(this.statements, threadId, (channel, version, info) =>
      this.versions.remember(threadId, channel, version, info),
    );
  }

  private recordOf(row: CheckpointRow): CheckpointRecord {
    return this.decodeRow(row).record;
  }

  private decodeRow(row: CheckpointRow): {
    record: CheckpointRecord;
    inline: InlineValues | undefined;
  } {
    const columns = {
      id: row.checkpoint_id,
      parentId: row.parent_id ?? undefined,
      step: row.step,
      source: row.source,
      createdAt: row.created_at,
    };
    const body = decodeBody(row.body, columns);
    const record: CheckpointRecord = {
      id: columns.id,
      parentId: columns.parentId,
      step: columns.step,
      source: columns.source,
      createdAt: columns.createdAt,
      metadata: body.metadata,
      versions: body.versions,
      next: body.next,
      barriers: body.barriers,
    };
    return { record, inline: body.inline };
  }

  private tupleOf(
    threadId: string,
    checkpoint: CheckpointRecord,
    inline: InlineValues | undefined,
    reader: ChannelReader,
  ): CheckpointTuple {
    const channels: Record<string, StoredChannel> = {};
    for (const [channel, version] of Object.entries(checkpoint.versions)) {
      const data = inline?.[channel];
      channels[channel] =
        data === undefined
          ? reader.read(channel, version)
          : { hasBase: true, base: deserialize(data), deltas: [] };
    }
    const writes = this.statements.writesOf.all(threadId, checkpoint.id) as Array<{
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

  private versionMeta(threadId: string, channel: string, version: string) {
    const row = this.statements.versionRow.get(threadId, channel, version) as
      VersionRow | undefined;
    return row ? { kind: row.kind, previous: row.previous ?? undefined } : undefined;
  }

  private deleteUnneededVersions(threadId: string, keptIds: readonly string[]): void {
    const kept = keptIds.map((id) =>
      this.recordOf(this.statements.checkpoint.get(threadId, id) as CheckpointRow),
    );
    const heads = this.statements.versionHeads.all(threadId) as VersionHead[];
    const meta = new Map(heads.map((head) => [versionKey(head.channel, head.version), head]));
    const needed = versionsNeeded(kept, (channel, version) => {
      const head = meta.get(versionKey(channel, version));
      return head ? { kind: head.kind, previous: head.previous ?? undefined } : undefined;
    });
    for (const head of heads) {
      if (needed.has(versionKey(head.channel, head.version))) continue;
      this.statements.deleteVersion.run(threadId, head.channel, head.version);
      this.versions.forgetVersion(threadId, head.channel, head.version);
    }
  }

  /**
   * For copyThread: from the latest checkpoint the copy goes on where the thread is, with what its
   * unfinished superstep left and the namespaces of the children it runs; from an older one it
   * goes on as a fork of that checkpoint does (that superstep runs anew). `lineage` is head first.
   */
  private copyInFlight(from: string, to: string, lineage: readonly CheckpointRow[], now: string) {
    const head = lineage[0] as CheckpointRow;
    const latest = this.statements.latestCheckpoint.get(from) as CheckpointRow;
    const inFlight = head.checkpoint_id === latest.checkpoint_id;
    for (const row of lineage) {
      if (!inFlight && row === head) continue;
      this.statements.copyCheckpointWrites.run({ to, from, checkpoint: row.checkpoint_id });
    }
    if (!inFlight) return;
    const ids = new Set(lineage.map((row) => row.checkpoint_id));
    const referenced = referencedNamespaces(from, this.subgraphLists(from, ids));
    const namespaces = this.namespaceKeysOf(from);
    for (const child of childNamespaceKeys(from, namespaces)) {
      if (!namespaceNeeded(child, ids, referenced)) continue;
      for (const key of namespaceSubtree(child, namespaces)) {
        const copy = { from: key, to: `${to}${key.slice(from.length)}`, now };
        this.statements.copyThreadRow.run(copy);
        this.statements.copyThreadCheckpoints.run(copy);
        this.statements.copyThreadVersions.run(copy);
        this.statements.copyThreadWrites.run(copy);
      }
    }
  }

  /** Every namespace key of a thread, at any depth. */
  private namespaceKeysOf(threadId: string): string[] {
    const prefix = `${threadId}${NAMESPACE_SEPARATOR}`;
    const rows = this.statements.namespacesOf.all(prefix.length, prefix) as Array<{
      thread_id: string;
    }>;
    return rows.map((row) => row.thread_id);
  }

  /** The namespace lists (SUBGRAPHS_CHANNEL) in the pending writes of `checkpoints` of `key`. */
  private subgraphLists(key: string, checkpoints: ReadonlySet<string>): unknown[] {
    const rows = this.statements.writesOnChannel.all(key, SUBGRAPHS_CHANNEL) as Array<{
      checkpoint_id: string;
      data: string;
    }>;
    return rows
      .filter((row) => checkpoints.has(row.checkpoint_id))
      .map((row) => deserialize(row.data));
  }

  /** Deletes a namespace and every namespace below it; returns how many checkpoints they held. */
  private deleteNamespace(key: string, namespaces: readonly string[], dryRun: boolean): number {
    let checkpoints = 0;
    for (const below of namespaceSubtree(key, namespaces)) {
      checkpoints += (this.statements.countCheckpoints.get(below) as { n: number }).n;
      if (!dryRun) this.deleteThreadRows(below);
    }
    return checkpoints;
  }

  private deleteThreadRows(threadId: string): void {
    this.statements.deleteThreadCheckpoints.run(threadId);
    this.statements.deleteThreadVersions.run(threadId);
    this.statements.deleteThreadWrites.run(threadId);
    this.statements.deleteThreadLease.run(threadId);
    this.statements.deleteThreadRow.run(threadId);
    this.threadRows.delete(threadId);
    this.leases.delete(threadId);
    this.inlineHeads.delete(threadId);
    this.versions.forgetThread(threadId);
  }

  private requireThread(threadId: string): void {
    if (!this.statements.thread.get(threadId)) throw new ThreadNotFoundError(threadId);
  }

  private requireIdle(threadId: string): void {
    const held = this.statements.lease.get(threadId) as
      { owner: string; expires_at: number } | undefined;
    if (held && held.expires_at > Date.now())
      throw new ThreadBusyError(threadId, new Date(held.expires_at));
  }

  /**
   * Refuses the write unless `owner` holds the thread's lease. A lease this process took or renewed
   * and that has not expired needs no read: no other process takes a lease before it expires
   * (acquireLease), deletes a thread that has one (deleteThread), and they share one clock.
   */
  private checkLease(threadId: string, owner: string | undefined): void {
    if (owner === undefined) return;
    // A subgraph namespace is written under its thread's lease.
    const root = rootThreadOf(threadId);
    const known = this.leases.get(root);
    if (known?.owner === owner && known.expiresAt - Date.now() > this.leaseMs / 10) return;
    const held = this.statements.lease.get(root) as { owner: string } | undefined;
    if (held?.owner !== owner) throw new LeaseLostError(root);
  }

  /**
   * Takes the lease of a thread the run read as new (WriteOptions.acquireLease): refused when
   * another owner holds it unexpired, or when the thread has a record by now (written since).
   */
  private takeNewThreadLease(threadId: string, owner: string): number {
    const now = Date.now();
    const held = this.statements.lease.get(threadId) as
      { owner: string; expires_at: number } | undefined;
    if (held && held.owner !== owner && held.expires_at > now) {
      throw new ThreadBusyError(threadId, new Date(held.expires_at));
    }
    if (this.statements.thread.get(threadId)) throw new ThreadBusyError(threadId, new Date(now));
    this.statements.putLease.run(threadId, owner, now + this.leaseMs);
    return now + this.leaseMs;
  }

  private forgetLease(threadId: string, owner: string): void {
    if (this.leases.get(threadId)?.owner === owner) this.leases.delete(threadId);
  }

  /** A subgraph's entries (written with its namespace key) go to its thread's log. */
  private appendAudit(key: string, entries: ReadonlyArray<EncodedAudit>): void {
    const threadId = rootThreadOf(key);
    for (const entry of entries) {
      const { at, actor, interruptId, node, kind, value } = entry;
      this.statements.appendAudit.run(threadId, at, actor, interruptId, node, kind, value);
    }
  }
}

type EncodedAudit = Omit<AuditEntry, "value"> & { readonly value: string };

/** Serialized before the transaction: a value that cannot be stored aborts with nothing written. */
function encodeAudit(entries: readonly AuditEntry[] | undefined): EncodedAudit[] {
  return (entries ?? []).map((entry) => ({
    ...entry,
    value: serialize(entry.value, "audit value"),
  }));
}

function threadInfo(row: ThreadRow): ThreadInfo {
  return {
    threadId: row.thread_id,
    graph:
      row.graph_name !== null && row.graph_version !== null
        ? { name: row.graph_name, version: row.graph_version }
        : undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

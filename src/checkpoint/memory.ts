import {
  LeaseLostError,
  ThreadBusyError,
  ThreadExistsError,
  ThreadNotFoundError,
} from "../errors.js";
import {
  childNamespaceKeys,
  isNamespaceKey,
  isNamespaceOf,
  namespaceNeeded,
  namespaceSubtree,
  referencedNamespaces,
  rootThreadOf,
  SUBGRAPHS_CHANNEL,
} from "./namespace.js";
import { checkpointsToKeep, matchesFilter, versionKey, versionsNeeded } from "./retention.js";
import { pendingSortKey } from "./pending-order.js";
import { deserialize, serialize } from "./serializer.js";
import {
  addCounts,
  totalsOf,
  usageRows,
  type UsageCounts,
  type UsageOptions,
  type UsageTotals,
} from "./usage.js";
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
  readonly checkpoints: Map<string, string>;
  /** Keyed by versionKey(channel, version). */
  readonly versions: Map<string, StoredVersion>;
  readonly pending: Map<string, Array<{ taskId: string; channel: string; data: string }>>;
  latestId: string | undefined;
  graph: GraphIdentity | undefined;
  readonly createdAt: string;
  updatedAt: string;
}

/**
 * Keeps checkpoints in process memory, for tests and scratch runs. Values are stored serialized,
 * exactly as a database would hold them, so a node mutating its state cannot alter history and
 * anything the SQLite checkpointer would refuse is refused here too. Leases work within the process.
 */
export class MemoryCheckpointer implements ThreadStore {
  readonly leaseMs: number;
  private readonly threads = new Map<string, ThreadData>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  /** Serialized audit entries per thread; kept when the thread is deleted, like SQLite's. */
  private readonly audit = new Map<string, string[]>();
  /** Usage sums per thread, by run id and node (see Checkpointer.getUsage). */
  private readonly usage = new Map<string, Map<string, Map<string, UsageCounts>>>();

  constructor(options: { leaseMs?: number } = {}) {
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  async getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    const thread = this.threads.get(threadId);
    const id = checkpointId ?? thread?.latestId;
    if (!thread || id === undefined || !thread.checkpoints.has(id)) return undefined;
    return this.tupleOf(threadId, thread, id);
  }

  async *list(threadId: string, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const thread = this.threads.get(threadId);
    if (!thread) return;
    const ids = [...thread.checkpoints.keys()].sort().reverse();
    let yielded = 0;
    for (const id of ids) {
      if (options.before !== undefined && id >= options.before) continue;
      if (options.limit !== undefined && yielded >= options.limit) return;
      const tuple = this.tupleOf(threadId, thread, id);
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
    const encoded = tasks.flatMap(({ taskId, writes }) =>
      writes.map(([channel, value]) => ({ taskId, channel, data: serialize(value, channel) })),
    );
    const audit = encodeAudit(options.audit);
    this.checkLease(threadId, options.lease);
    const replaced = new Set(tasks.map((task) => task.taskId));
    const pending = this.thread(threadId).pending;
    const others = (pending.get(checkpointId) ?? []).filter((write) => !replaced.has(write.taskId));
    pending.set(checkpointId, others.concat(encoded));
    this.appendAudit(threadId, audit);
  }

  async commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options: WriteOptions = {},
  ): Promise<void> {
    // Serialize everything before touching the thread, so a refused value leaves no trace.
    const record = serialize(checkpoint, "checkpoint");
    const existing = this.threads.get(threadId);
    const versions = channelWrites.map((write) => ({
      key: versionKey(write.channel, write.version),
      stored: encodeVersion(existing, write),
    }));
    const audit = encodeAudit(options.audit);
    const { lease } = options;
    if (lease !== undefined && options.acquireLease) this.takeNewThreadLease(threadId, lease);
    else this.checkLease(threadId, lease);
    const thread = this.thread(threadId);
    if (options.graph && !thread.graph) thread.graph = { ...options.graph };
    for (const { key, stored } of versions) thread.versions.set(key, stored);
    // The superstep is committed (or, for new input, dropped): its pending writes are obsolete.
    if (
      checkpoint.parentId !== undefined &&
      (checkpoint.source === "loop" || checkpoint.source === "input")
    ) {
      thread.pending.delete(checkpoint.parentId);
    }
    thread.checkpoints.set(checkpoint.id, record);
    if (thread.latestId === undefined || checkpoint.id > thread.latestId) {
      thread.latestId = checkpoint.id;
    }
    thread.updatedAt = checkpoint.createdAt;
    this.appendAudit(threadId, audit);
    this.addUsage(threadId, checkpoint.metadata);
    if (lease !== undefined && options.releaseLease) await this.releaseLease(threadId, lease);
  }

  async getUsage(threadId: string, options: UsageOptions = {}): Promise<UsageTotals> {
    const runs = this.usage.get(threadId);
    const rows: Array<{ node: string; counts: UsageCounts }> = [];
    for (const [runId, nodes] of runs ?? []) {
      if (options.runId !== undefined && runId !== options.runId) continue;
      for (const [node, counts] of nodes) rows.push({ node, counts });
    }
    return totalsOf(rows);
  }

  private addUsage(key: string, metadata: Readonly<Record<string, unknown>>): void {
    for (const { threadId, runId, node, counts } of usageRows(key, metadata)) {
      let runs = this.usage.get(threadId);
      if (!runs) this.usage.set(threadId, (runs = new Map<string, Map<string, UsageCounts>>()));
      let nodes = runs.get(runId);
      if (!nodes) runs.set(runId, (nodes = new Map<string, UsageCounts>()));
      nodes.set(node, addCounts(nodes.get(node), counts));
    }
  }

  async getThread(threadId: string): Promise<ThreadInfo | undefined> {
    const thread = this.threads.get(threadId);
    return thread ? infoOf(threadId, thread) : undefined;
  }

  async setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void> {
    this.thread(threadId).graph = { name: graph.name, version: graph.version };
  }

  async getAuditLog(threadId: string): Promise<AuditEntry[]> {
    return (this.audit.get(threadId) ?? []).map((entry) => deserialize(entry) as AuditEntry);
  }

  async acquireLease(threadId: string, owner: string): Promise<void> {
    const now = Date.now();
    const held = this.leases.get(threadId);
    if (held && held.owner !== owner && held.expiresAt > now) {
      throw new ThreadBusyError(threadId, new Date(held.expiresAt));
    }
    this.leases.set(threadId, { owner, expiresAt: now + this.leaseMs });
  }

  /** WriteOptions.acquireLease: as acquireLease, and only while the thread has no record. */
  private takeNewThreadLease(threadId: string, owner: string): void {
    const held = this.leases.get(threadId);
    if (held && held.owner !== owner && held.expiresAt > Date.now()) {
      throw new ThreadBusyError(threadId, new Date(held.expiresAt));
    }
    if (this.threads.has(threadId)) throw new ThreadBusyError(threadId, new Date());
    this.leases.set(threadId, { owner, expiresAt: Date.now() + this.leaseMs });
  }

  async renewLease(threadId: string, owner: string): Promise<boolean> {
    const held = this.leases.get(threadId);
    if (!held || held.owner !== owner) return false;
    held.expiresAt = Date.now() + this.leaseMs;
    return true;
  }

  async releaseLease(threadId: string, owner: string): Promise<void> {
    if (this.leases.get(threadId)?.owner === owner) this.leases.delete(threadId);
  }

  async *listThreads(options: { limit?: number } = {}): AsyncIterable<ThreadInfo> {
    const infos = [...this.threads]
      .filter(([threadId]) => !isNamespaceKey(threadId))
      .map(([threadId, thread]) => infoOf(threadId, thread))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    yield* infos.slice(0, options.limit ?? infos.length);
  }

  async deleteThread(threadId: string): Promise<void> {
    if (!this.threads.has(threadId)) throw new ThreadNotFoundError(threadId);
    const held = this.leases.get(threadId);
    if (held && held.expiresAt > Date.now()) {
      throw new ThreadBusyError(threadId, new Date(held.expiresAt));
    }
    this.threads.delete(threadId);
    this.leases.delete(threadId);
    this.usage.delete(threadId);
    // A subgraph's checkpoints are part of the thread: they go with it.
    for (const key of [...this.threads.keys()]) {
      if (isNamespaceOf(key, threadId)) this.threads.delete(key);
    }
  }

  async pruneThread(
    threadId: string,
    options: { keepLast: number; dryRun?: boolean },
  ): Promise<number> {
    if (!this.threads.has(threadId)) throw new ThreadNotFoundError(threadId);
    return this.pruneKey(threadId, Math.floor(options.keepLast), options.dryRun === true);
  }

  /**
   * Prunes the checkpoints of a thread or namespace key, then its namespaces: each one still
   * needed (namespaceNeeded) is pruned the same way, the others are deleted with everything below
   * them. Returns how many checkpoints go (or would go, with `dryRun`), namespaces' included.
   */
  private pruneKey(key: string, keepLast: number, dryRun: boolean): number {
    const thread = this.threads.get(key) as ThreadData;
    const records = [...thread.checkpoints.keys()].map((id) => this.recordOf(thread, id));
    const keep = checkpointsToKeep(records, keepLast);
    const dropped = records.filter((record) => !keep.has(record.id));
    let deleted = dropped.length;
    const referenced = referencedNamespaces(key, subgraphLists(thread, keep));
    for (const child of childNamespaceKeys(key, this.threads.keys())) {
      deleted += namespaceNeeded(child, keep, referenced)
        ? this.pruneKey(child, keepLast, dryRun)
        : this.deleteNamespace(child, dryRun);
    }
    if (dryRun) return deleted;
    for (const { id } of dropped) {
      thread.checkpoints.delete(id);
      thread.pending.delete(id);
    }
    dropUnneededVersions(
      thread,
      records.filter((record) => keep.has(record.id)),
    );
    return deleted;
  }

  /** Deletes a namespace and every namespace below it; returns how many checkpoints they held. */
  private deleteNamespace(key: string, dryRun: boolean): number {
    let checkpoints = 0;
    for (const below of namespaceSubtree(key, [...this.threads.keys()])) {
      checkpoints += this.threads.get(below)?.checkpoints.size ?? 0;
      if (!dryRun) this.threads.delete(below);
    }
    return checkpoints;
  }

  async deleteThreadsOlderThan(date: Date): Promise<number> {
    const cutoff = date.toISOString();
    let deleted = 0;
    for (const [threadId, thread] of [...this.threads]) {
      if (isNamespaceKey(threadId) || !this.threads.has(threadId)) continue;
      const held = this.leases.get(threadId);
      if (thread.updatedAt >= cutoff || (held && held.expiresAt > Date.now())) continue;
      await this.deleteThread(threadId);
      deleted += 1;
    }
    return deleted;
  }

  async copyThread(fromThreadId: string, toThreadId: string, upTo?: string): Promise<void> {
    const source = this.threads.get(fromThreadId);
    if (!source || source.latestId === undefined) {
      throw new ThreadNotFoundError(fromThreadId);
    }
    if (this.threads.has(toThreadId)) throw new ThreadExistsError(toThreadId);
    const now = new Date().toISOString();
    const copy: ThreadData = {
      checkpoints: new Map(),
      versions: new Map(source.versions),
      pending: new Map(),
      latestId: undefined,
      graph: source.graph,
      createdAt: now,
      updatedAt: now,
    };
    const head = upTo ?? source.latestId;
    for (let id: string | undefined = head; id !== undefined;) {
      const record = source.checkpoints.get(id);
      if (!record) break;
      copy.checkpoints.set(id, record);
      copy.latestId ??= id;
      id = (deserialize(record) as CheckpointRecord).parentId;
    }
    if (copy.latestId === undefined) {
      throw new ThreadNotFoundError(`${fromThreadId} at checkpoint ${upTo ?? ""}`);
    }
    // From the latest checkpoint the copy goes on where the thread is: what its unfinished
    // superstep left, and the namespaces of the children it runs. From an older one it goes on
    // as a fork of that checkpoint does: that superstep runs anew.
    const inFlight = head === source.latestId;
    for (const id of copy.checkpoints.keys()) {
      const writes = source.pending.get(id);
      if (writes && (inFlight || id !== head)) copy.pending.set(id, [...writes]);
    }
    dropUnneededVersions(
      copy,
      [...copy.checkpoints.keys()].map((id) => this.recordOf(copy, id)),
    );
    this.threads.set(toThreadId, copy);
    if (!inFlight) return;
    const lineage = new Set(copy.checkpoints.keys());
    const referenced = referencedNamespaces(fromThreadId, subgraphLists(copy, lineage));
    const keys = [...this.threads.keys()];
    for (const child of childNamespaceKeys(fromThreadId, keys)) {
      if (!namespaceNeeded(child, lineage, referenced)) continue;
      for (const key of namespaceSubtree(child, keys)) {
        const data = this.threads.get(key) as ThreadData;
        this.threads.set(`${toThreadId}${key.slice(fromThreadId.length)}`, cloneThread(data, now));
      }
    }
  }

  async *listPendingWrites(channel: string): AsyncIterable<PendingWrite & { threadId: string }> {
    for (const [threadId, thread] of this.threads) {
      if (thread.latestId === undefined || isNamespaceKey(threadId)) continue;
      for (const write of thread.pending.get(thread.latestId) ?? []) {
        if (write.channel !== channel) continue;
        yield { threadId, taskId: write.taskId, channel, value: deserialize(write.data) };
      }
    }
  }

  async pagePendingWrites(channel: string, page: PendingWritesQuery): Promise<PendingWritesPage> {
    const all: Array<PendingWrite & { threadId: string; key: string }> = [];
    for await (const write of this.listPendingWrites(channel)) {
      all.push({
        ...write,
        key: pendingSortKey(page.order, write.value, write.threadId, write.taskId),
      });
    }
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const after = page.after;
    const rest = after === undefined ? all : all.filter((write) => write.key > after);
    return { writes: rest.slice(0, page.limit), total: all.length };
  }

  async vacuum(): Promise<void> {}

  /** A subgraph's entries (written with its namespace key) go to its thread's log. */
  private appendAudit(key: string, encoded: readonly string[]): void {
    if (encoded.length === 0) return;
    const threadId = rootThreadOf(key);
    this.audit.set(threadId, [...(this.audit.get(threadId) ?? []), ...encoded]);
  }

  private checkLease(threadId: string, owner: string | undefined): void {
    if (owner === undefined) return;
    // A subgraph namespace is written under its thread's lease.
    const root = rootThreadOf(threadId);
    const held = this.leases.get(root);
    if (!held || held.owner !== owner) throw new LeaseLostError(root);
  }

  private thread(threadId: string): ThreadData {
    let thread = this.threads.get(threadId);
    if (!thread) {
      const now = new Date().toISOString();
      thread = {
        checkpoints: new Map(),
        versions: new Map(),
        pending: new Map(),
        latestId: undefined,
        graph: undefined,
        createdAt: now,
        updatedAt: now,
      };
      this.threads.set(threadId, thread);
    }
    return thread;
  }

  private recordOf(thread: ThreadData, id: string): CheckpointRecord {
    return deserialize(thread.checkpoints.get(id) as string) as CheckpointRecord;
  }

  private tupleOf(threadId: string, thread: ThreadData, id: string): CheckpointTuple {
    const checkpoint = this.recordOf(thread, id);
    const channels: Record<string, StoredChannel> = {};
    for (const [channel, version] of Object.entries(checkpoint.versions)) {
      channels[channel] = readChannel(thread, channel, version);
    }
    const pendingWrites: PendingWrite[] = (thread.pending.get(id) ?? []).map((write) => ({
      taskId: write.taskId,
      channel: write.channel,
      value: deserialize(write.data),
    }));
    return { threadId, checkpoint, channels, pendingWrites };
  }
}

/** Drops the stored versions none of `kept` needs. */
function dropUnneededVersions(thread: ThreadData, kept: readonly CheckpointRecord[]): void {
  const needed = versionsNeeded(kept, (channel, version) => {
    const stored = thread.versions.get(versionKey(channel, version));
    return stored ? { kind: stored.kind, previous: stored.previous } : undefined;
  });
  for (const key of [...thread.versions.keys()]) {
    if (!needed.has(key)) thread.versions.delete(key);
  }
}

/** The namespace lists (SUBGRAPHS_CHANNEL) in the pending writes of `checkpoints`. */
function subgraphLists(thread: ThreadData, checkpoints: Iterable<string>): unknown[] {
  const lists: unknown[] = [];
  for (const id of checkpoints) {
    for (const write of thread.pending.get(id) ?? []) {
      if (write.channel === SUBGRAPHS_CHANNEL) lists.push(deserialize(write.data));
    }
  }
  return lists;
}

function cloneThread(thread: ThreadData, now: string): ThreadData {
  return {
    checkpoints: new Map(thread.checkpoints),
    versions: new Map(thread.versions),
    pending: new Map([...thread.pending].map(([id, writes]) => [id, [...writes]])),
    latestId: thread.latestId,
    graph: thread.graph,
    createdAt: now,
    updatedAt: now,
  };
}

function encodeAudit(entries: readonly AuditEntry[] | undefined): string[] {
  return (entries ?? []).map((entry) => serialize(entry, "audit entry"));
}

/** Deltas, with a full value every MAX_CHAIN_LENGTH versions so a read replays a bounded chain. */
function encodeVersion(thread: ThreadData | undefined, write: ChannelWrite): StoredVersion {
  if (write.kind === "delta") {
    const previous =
      write.previous === undefined
        ? undefined
        : thread?.versions.get(versionKey(write.channel, write.previous));
    const depth = (previous?.depth ?? 0) + 1;
    if (depth < MAX_CHAIN_LENGTH) {
      const data = serialize(write.updates, write.channel);
      return { kind: "delta", data, previous: write.previous, depth };
    }
  }
  return {
    kind: "value",
    data: serialize(write.value, write.channel),
    previous: undefined,
    depth: 0,
  };
}

function readChannel(thread: ThreadData, channel: string, version: string): StoredChannel {
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

function infoOf(threadId: string, thread: ThreadData): ThreadInfo {
  return {
    threadId,
    graph: thread.graph,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
  };
}

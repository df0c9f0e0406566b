import { deserialize, serialize } from "../serializer.js";
import type {
  AuditEntry,
  CheckpointRecord,
  PendingWrite,
  StoredChannel,
  ThreadInfo,
} from "../types.js";

/** How rows of the Postgres schema are read into the contract's types, and written from them. */

export interface CheckpointRow {
  checkpoint_id: string;
  parent_id: string | null;
  step: number;
  source: CheckpointRecord["source"];
  created_at: string;
  body: string;
}

export interface ThreadRow {
  thread_id: string;
  graph_name: string | null;
  graph_version: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChainRow {
  channel: string;
  kind: "value" | "delta";
  data: string;
}

export interface VersionHead {
  channel: string;
  version: string;
  kind: "value" | "delta";
  previous: string | null;
}

/** What a checkpoint row stores besides its columns. */
type CheckpointBody = Pick<CheckpointRecord, "metadata" | "versions" | "next" | "barriers">;

export function encodeBody(checkpoint: CheckpointRecord): string {
  const { metadata, versions, next, barriers } = checkpoint;
  return serialize({ metadata, versions, next, barriers } satisfies CheckpointBody, "checkpoint");
}

export function recordOf(row: CheckpointRow): CheckpointRecord {
  return {
    ...(deserialize(row.body) as CheckpointBody),
    id: row.checkpoint_id,
    parentId: row.parent_id ?? undefined,
    step: row.step,
    source: row.source,
    createdAt: row.created_at,
  };
}

export function threadInfo(row: ThreadRow): ThreadInfo {
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

/** Each channel's value from its chain rows (per channel newest first, down to a full value). */
export function channelsOf(rows: readonly ChainRow[]): Record<string, StoredChannel> {
  const byChannel = new Map<string, ChainRow[]>();
  for (const row of rows) {
    const list = byChannel.get(row.channel);
    if (list) list.push(row);
    else byChannel.set(row.channel, [row]);
  }
  const channels: Record<string, StoredChannel> = {};
  for (const [channel, chain] of byChannel) channels[channel] = storedChannel(chain);
  return channels;
}

function storedChannel(chain: readonly ChainRow[]): StoredChannel {
  const deltas: unknown[][] = [];
  for (const row of chain) {
    if (row.kind === "value") {
      return { hasBase: true, base: deserialize(row.data), deltas: deltas.reverse() };
    }
    deltas.push(deserialize(row.data) as unknown[]);
  }
  return { hasBase: false, base: undefined, deltas: deltas.reverse() };
}

export function pendingWritesOf(
  rows: ReadonlyArray<{ task_id: string; channel: string; data: string }>,
): PendingWrite[] {
  return rows.map((row) => ({
    taskId: row.task_id,
    channel: row.channel,
    value: deserialize(row.data),
  }));
}

/** Audit entries as the six text columns of the audit table, for unnest(). */
export function auditColumns(entries: readonly AuditEntry[] | undefined): string[][] {
  const columns: string[][] = [[], [], [], [], [], []];
  for (const entry of entries ?? []) {
    const value = serialize(entry.value, "audit value");
    [entry.at, entry.actor, entry.interruptId, entry.node, entry.kind, value].forEach(
      (text, index) => columns[index]?.push(text),
    );
  }
  return columns;
}

export function auditEntryOf(row: {
  at: string;
  actor: string;
  interrupt_id: string;
  node: string;
  kind: AuditEntry["kind"];
  value: string;
}): AuditEntry {
  return {
    at: row.at,
    actor: row.actor,
    interruptId: row.interrupt_id,
    node: row.node,
    kind: row.kind,
    value: deserialize(row.value),
  };
}

/** One node's usage sums, as the `usage` statement returns them. */
export interface UsageSumRow {
  node: string;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost: number | null;
}

import { chainOfRows, EMPTY_CHAIN, encodeVersion, type ChainInfo } from "../delta-policy.js";
import { rootThreadOf } from "../namespace.js";
import { serialize } from "../serializer.js";
import { usageRows } from "../usage.js";
import type { ChannelWrite, CheckpointRecord, TaskWrites, WriteOptions } from "../types.js";
import { auditColumns, encodeBody, type ChainRow } from "./rows.js";

/**
 * The parameters of the `putWrites` and `commit` statements. Everything is serialized here, before
 * any statement runs: a value that cannot be stored aborts the write with nothing written.
 */

export function putWritesValues(
  threadId: string,
  checkpointId: string,
  tasks: ReadonlyArray<TaskWrites>,
  options: WriteOptions,
): unknown[] {
  const columns: [string[], number[], string[], string[]] = [[], [], [], []];
  for (const { taskId, writes } of tasks) {
    writes.forEach(([channel, value], index) => {
      columns[0].push(taskId);
      columns[1].push(index);
      columns[2].push(channel);
      columns[3].push(serialize(value, channel));
    });
  }
  return [
    threadId,
    checkpointId,
    tasks.map((task) => task.taskId),
    ...columns,
    ...auditColumns(options.audit),
    options.lease ?? null,
    // A subgraph namespace is written under its thread's lease.
    rootThreadOf(threadId),
  ];
}

export function commitValues(
  threadId: string,
  checkpoint: CheckpointRecord,
  rows: ReadonlyArray<ReturnType<typeof encodeVersion>>,
  options: WriteOptions,
): unknown[] {
  // The superstep is committed (or, for new input, dropped): its pending writes are obsolete.
  const obsolete =
    checkpoint.parentId !== undefined &&
    (checkpoint.source === "loop" || checkpoint.source === "input")
      ? checkpoint.parentId
      : null;
  return [
    threadId,
    options.graph?.name ?? null,
    options.graph?.version ?? null,
    checkpoint.createdAt,
    checkpoint.id,
    checkpoint.parentId ?? null,
    checkpoint.step,
    checkpoint.source,
    encodeBody(checkpoint),
    rows.map((row) => row.channel),
    rows.map((row) => row.version),
    rows.map((row) => row.kind),
    rows.map((row) => row.previous),
    rows.map((row) => row.data),
    obsolete,
    ...auditColumns(options.audit),
    options.lease ?? null,
    rootThreadOf(threadId),
    ...usageColumns(threadId, checkpoint),
  ];
}

/** $24–$29 of `commit`: the run id and, per node, the usage the checkpoint adds to the sums. */
function usageColumns(threadId: string, checkpoint: CheckpointRecord): unknown[] {
  const rows = usageRows(threadId, checkpoint.metadata);
  return [
    rows[0]?.runId ?? "",
    rows.map((row) => row.node),
    rows.map((row) => row.counts.input_tokens),
    rows.map((row) => row.counts.output_tokens),
    rows.map((row) => row.counts.total_tokens),
    rows.map((row) => row.counts.cost ?? null),
  ];
}

/**
 * The chain state of the versions this process wrote, so deciding between a delta and a full
 * value needs no read; versions written elsewhere are read back once.
 */
export class ChainCache {
  private readonly chains = new Map<string, ChainInfo>();

  /** Each write as a row, its chain extended from the version it follows. */
  async encode(
    threadId: string,
    writes: readonly ChannelWrite[],
    readChains: (channels: string[], versions: string[]) => Promise<ChainRow[]>,
  ): Promise<Array<ReturnType<typeof encodeVersion>>> {
    const missing: Array<[string, string]> = [];
    for (const write of writes) {
      if (write.kind !== "delta" || write.previous === undefined) continue;
      if (!this.chains.has(chainKey(threadId, write.channel, write.previous))) {
        missing.push([write.channel, write.previous]);
      }
    }
    if (missing.length > 0) {
      const rows = await readChains(
        missing.map(([channel]) => channel),
        missing.map(([, version]) => version),
      );
      for (const [channel, version] of missing) {
        const chain = chainOfRows(rows.filter((row) => row.channel === channel));
        this.chains.set(chainKey(threadId, channel, version), chain);
      }
    }
    return writes.map((write) =>
      encodeVersion(
        write,
        write.kind === "delta" && write.previous !== undefined
          ? (this.chains.get(chainKey(threadId, write.channel, write.previous)) ?? EMPTY_CHAIN)
          : EMPTY_CHAIN,
      ),
    );
  }

  /** Remembers the rows a commit stored. */
  stored(threadId: string, rows: ReadonlyArray<ReturnType<typeof encodeVersion>>): void {
    for (const row of rows)
      this.chains.set(chainKey(threadId, row.channel, row.version), row.chain);
  }

  forget(threadId: string, channel: string, version: string): void {
    this.chains.delete(chainKey(threadId, channel, version));
  }

  /** Forgets every version stored under `key` (a thread or namespace key), not below it. */
  forgetKey(key: string): void {
    for (const cached of [...this.chains.keys()]) {
      if (cached.startsWith(`${key}\u0000`)) this.chains.delete(cached);
    }
  }

  /** Forgets every version of the thread and of its namespaces. */
  forgetThread(threadId: string): void {
    for (const key of [...this.chains.keys()]) {
      if (rootThreadOf(key.slice(0, key.indexOf("\u0000"))) === threadId) this.chains.delete(key);
    }
  }
}

function chainKey(threadId: string, channel: string, version: string): string {
  return `${threadId}\u0000${channel}\u0000${version}`;
}

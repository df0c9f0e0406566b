import type { CheckpointRecord } from "./types.js";

/**
 * The stored channel versions (as `channel\0version` keys) that reading `checkpoints` needs: each
 * one's versions and, for deltas and appended items, the chain back to a full value.
 */
export function versionsNeeded(
  checkpoints: readonly CheckpointRecord[],
  lookup: (
    channel: string,
    version: string,
  ) => { kind: "value" | "delta" | "append"; previous: string | undefined } | undefined,
): Set<string> {
  const needed = new Set<string>();
  for (const checkpoint of checkpoints) {
    for (const [channel, head] of Object.entries(checkpoint.versions)) {
      for (let version: string | undefined = head; version !== undefined;) {
        const key = versionKey(channel, version);
        if (needed.has(key)) break;
        needed.add(key);
        const stored = lookup(channel, version);
        version = stored && stored.kind !== "value" ? stored.previous : undefined;
      }
    }
  }
  return needed;
}

export function matchesFilter(
  metadata: Readonly<Record<string, unknown>>,
  filter: Readonly<Record<string, unknown>> | undefined,
): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, value]) => metadata[key] === value);
}

export function versionKey(channel: string, version: string): string {
  return `${channel}\u0000${version}`;
}

/**
 * The checkpoints pruning keeps: the `keepLast` newest, and the head of every branch (a checkpoint
 * no other checkpoint names as its parent), so pruning a forked thread never removes a branch.
 * The thread's latest checkpoint, which carries what is waiting (interrupts), is always a head.
 */
export function checkpointsToKeep(
  checkpoints: ReadonlyArray<{ readonly id: string; readonly parentId: string | undefined }>,
  keepLast: number,
): Set<string> {
  const newestFirst = [...checkpoints].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const parents = new Set(newestFirst.map((checkpoint) => checkpoint.parentId));
  const kept = new Set(
    newestFirst.slice(0, Math.max(1, keepLast)).map((checkpoint) => checkpoint.id),
  );
  for (const checkpoint of newestFirst) if (!parents.has(checkpoint.id)) kept.add(checkpoint.id);
  return kept;
}

import type { CheckpointRecord } from "./types.js";

/**
 * The stored channel versions (as `channel\0version` keys) that reading `checkpoints` needs: each
 * one's versions and, for deltas, the chain back to a full value.
 */
export function versionsNeeded(
  checkpoints: readonly CheckpointRecord[],
  lookup: (
    channel: string,
    version: string,
  ) => { kind: "value" | "delta"; previous: string | undefined } | undefined,
): Set<string> {
  const needed = new Set<string>();
  for (const checkpoint of checkpoints) {
    for (const [channel, head] of Object.entries(checkpoint.versions)) {
      for (let version: string | undefined = head; version !== undefined;) {
        const key = versionKey(channel, version);
        if (needed.has(key)) break;
        needed.add(key);
        const stored = lookup(channel, version);
        version = stored?.kind === "delta" ? stored.previous : undefined;
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

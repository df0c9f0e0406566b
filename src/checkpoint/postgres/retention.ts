import { ThreadBusyError, ThreadExistsError, ThreadNotFoundError } from "../../errors.js";
import { childNamespaceKeys, namespaceNeeded, namespaceSubtree } from "../namespace.js";
import { checkpointsToKeep, versionKey, versionsNeeded } from "../retention.js";
import { run, type Queryable } from "./connection.js";
import { copyNeededNamespaces, namespaceKeysOf, referencedBy } from "./namespaces.js";
import { recordOf, type CheckpointRow, type VersionHead } from "./rows.js";
import type { Statements } from "./statements.js";

/** Retention work on one thread, each run inside the caller's transaction. */

/**
 * Deletes the thread and its namespaces. Locks the lease row first (the order every write takes
 * locks in: lease, then thread), so a run still writing finishes before, or is refused after.
 */
export async function deleteThread(
  client: Queryable,
  statements: Statements,
  threadId: string,
): Promise<void> {
  const [lease] = await run<{ expires_at: Date; live: boolean }>(client, statements.leaseLocked, [
    threadId,
  ]);
  const [thread] = await run(client, statements.lockThread, [threadId]);
  if (!thread) throw new ThreadNotFoundError(threadId);
  if (lease?.live) throw new ThreadBusyError(threadId, lease.expires_at);
  await run(client, statements.deleteThread, [threadId]);
}

/** What a prune deleted that the checkpointer's chain cache may remember. */
export interface Pruned {
  /** How many checkpoints were (or with dryRun would be) deleted, namespaces' included. */
  readonly dropped: number;
  /** The channel versions deleted, as [key, channel, version]. */
  readonly versions: Array<[string, string, string]>;
  /** The namespace keys deleted with everything under them. */
  readonly keys: string[];
}

/**
 * Keeps the `keepLast` newest checkpoints and every branch head, with the versions they need, then
 * does the same in each namespace the kept checkpoints still need (namespaceNeeded) and deletes
 * the others with every namespace below them.
 */
export async function pruneThread(
  client: Queryable,
  statements: Statements,
  threadId: string,
  options: { keepLast: number; dryRun?: boolean },
): Promise<Pruned> {
  const [thread] = await run(client, statements.lockThread, [threadId]);
  if (!thread) throw new ThreadNotFoundError(threadId);
  const namespaces = await namespaceKeysOf(client, statements, threadId);
  const pruned: Pruned = { dropped: 0, versions: [], keys: [] };
  const prune = { keepLast: Math.floor(options.keepLast), dryRun: options.dryRun === true };
  const dropped = await pruneKey(client, statements, threadId, namespaces, prune, pruned);
  return { ...pruned, dropped };
}

/** Prunes one thread or namespace key and, below it, its namespaces; returns the count dropped. */
async function pruneKey(
  client: Queryable,
  statements: Statements,
  key: string,
  namespaces: readonly string[],
  options: { keepLast: number; dryRun: boolean },
  pruned: Pruned,
): Promise<number> {
  const rows = await run<{ checkpoint_id: string; parent_id: string | null }>(
    client,
    statements.checkpointParents,
    [key],
  );
  const keep = checkpointsToKeep(
    rows.map((row) => ({ id: row.checkpoint_id, parentId: row.parent_id ?? undefined })),
    options.keepLast,
  );
  const dropped = rows.map((row) => row.checkpoint_id).filter((id) => !keep.has(id));
  let deleted = dropped.length;
  const children = childNamespaceKeys(key, namespaces);
  const referenced =
    children.length === 0 ? new Set<string>() : await referencedBy(client, statements, key, keep);
  for (const child of children) {
    if (namespaceNeeded(child, keep, referenced)) {
      deleted += await pruneKey(client, statements, child, namespaces, options, pruned);
      continue;
    }
    const below = namespaceSubtree(child, namespaces);
    const [count] = await run<{ n: number }>(client, statements.countCheckpoints, [below]);
    deleted += count?.n ?? 0;
    if (!options.dryRun) {
      await run(client, statements.deleteKeys, [below]);
      pruned.keys.push(...below);
    }
  }
  if (options.dryRun || dropped.length === 0) return deleted;
  await run(client, statements.deleteCheckpoints, [key, dropped]);

  const kept = await run<CheckpointRow>(client, statements.checkpointBodies, [key, [...keep]]);
  const heads = await run<VersionHead>(client, statements.versionHeads, [key]);
  const meta = new Map(heads.map((head) => [versionKey(head.channel, head.version), head]));
  const needed = versionsNeeded(kept.map(recordOf), (channel, version) => {
    const head = meta.get(versionKey(channel, version));
    return head ? { kind: head.kind, previous: head.previous ?? undefined } : undefined;
  });
  const unneeded = heads.filter((head) => !needed.has(versionKey(head.channel, head.version)));
  if (unneeded.length > 0) {
    await run(client, statements.deleteVersions, [
      key,
      unneeded.map((head) => head.channel),
      unneeded.map((head) => head.version),
    ]);
    for (const head of unneeded) pruned.versions.push([key, head.channel, head.version]);
  }
  return deleted;
}

/**
 * Copies checkpoint `upTo` (default: the latest) of `from` and its ancestors into a new thread,
 * with their pending writes and, from the latest checkpoint, the namespaces it needs.
 */
export async function copyThread(
  client: Queryable,
  statements: Statements,
  from: string,
  to: string,
  upTo: string | undefined,
): Promise<void> {
  if ((await run(client, statements.thread, [to])).length > 0) throw new ThreadExistsError(to);
  const [head] =
    upTo === undefined
      ? await run<CheckpointRow>(client, statements.latestCheckpoint, [from])
      : await run<CheckpointRow>(client, statements.checkpoint, [from, upTo]);
  const [source] = await run(client, statements.thread, [from]);
  if (!source || !head) throw new ThreadNotFoundError(from);
  const now = new Date().toISOString();
  const copied = await run(client, statements.copyThreadRow, [from, to, now]);
  // Created by someone else since the check above.
  if (copied.length === 0) throw new ThreadExistsError(to);
  const lineage = await run<CheckpointRow>(client, statements.lineage, [from, head.checkpoint_id]);
  const ids = lineage.map((row) => row.checkpoint_id);
  await run(client, statements.copyCheckpoints, [from, to, ids]);
  // From the latest checkpoint the copy goes on where the thread is: with what its unfinished
  // superstep left and the namespaces of the children it runs. From an older one it goes on as a
  // fork of that checkpoint does: that superstep runs anew, so neither is copied.
  const [latest] =
    upTo === undefined
      ? [head]
      : await run<CheckpointRow>(client, statements.latestCheckpoint, [from]);
  const inFlight = latest?.checkpoint_id === head.checkpoint_id;
  await run(client, statements.copyCheckpointWrites, [
    from,
    to,
    inFlight ? ids : ids.filter((id) => id !== head.checkpoint_id),
  ]);
  if (inFlight) {
    await copyNeededNamespaces(client, statements, from, to, new Set(ids), now);
  }
  const heads = await run<VersionHead>(client, statements.versionHeads, [from]);
  const meta = new Map(heads.map((row) => [versionKey(row.channel, row.version), row]));
  const needed = versionsNeeded(lineage.map(recordOf), (channel, version) => {
    const row = meta.get(versionKey(channel, version));
    return row ? { kind: row.kind, previous: row.previous ?? undefined } : undefined;
  });
  const versions = [...needed].map((key) => key.split("\u0000") as [string, string]);
  await run(client, statements.copyVersions, [
    from,
    to,
    versions.map(([channel]) => channel),
    versions.map(([, version]) => version),
  ]);
}

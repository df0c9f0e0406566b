import { ThreadBusyError, ThreadExistsError, ThreadNotFoundError } from "../../errors.js";
import { checkpointsToKeep, versionKey, versionsNeeded } from "../retention.js";
import { run, type Queryable } from "./connection.js";
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

/**
 * Keeps the `keepLast` newest checkpoints and every branch head, with the versions they need.
 * Returns how many checkpoints were (or with dryRun would be) deleted, and the versions deleted.
 */
export async function pruneThread(
  client: Queryable,
  statements: Statements,
  threadId: string,
  options: { keepLast: number; dryRun?: boolean },
): Promise<{ dropped: number; versions: Array<[string, string]> }> {
  const [thread] = await run(client, statements.lockThread, [threadId]);
  if (!thread) throw new ThreadNotFoundError(threadId);
  const rows = await run<{ checkpoint_id: string; parent_id: string | null }>(
    client,
    statements.checkpointParents,
    [threadId],
  );
  const keep = checkpointsToKeep(
    rows.map((row) => ({ id: row.checkpoint_id, parentId: row.parent_id ?? undefined })),
    Math.floor(options.keepLast),
  );
  const dropped = rows.map((row) => row.checkpoint_id).filter((id) => !keep.has(id));
  if (options.dryRun || dropped.length === 0) return { dropped: dropped.length, versions: [] };
  await run(client, statements.deleteCheckpoints, [threadId, dropped]);

  const kept = await run<CheckpointRow>(client, statements.checkpointBodies, [threadId, [...keep]]);
  const heads = await run<VersionHead>(client, statements.versionHeads, [threadId]);
  const meta = new Map(heads.map((head) => [versionKey(head.channel, head.version), head]));
  const needed = versionsNeeded(kept.map(recordOf), (channel, version) => {
    const head = meta.get(versionKey(channel, version));
    return head ? { kind: head.kind, previous: head.previous ?? undefined } : undefined;
  });
  const unneeded = heads.filter((head) => !needed.has(versionKey(head.channel, head.version)));
  if (unneeded.length > 0) {
    await run(client, statements.deleteVersions, [
      threadId,
      unneeded.map((head) => head.channel),
      unneeded.map((head) => head.version),
    ]);
  }
  return {
    dropped: dropped.length,
    versions: unneeded.map((head) => [head.channel, head.version]),
  };
}

/** Copies checkpoint `upTo` (default: the latest) of `from` and its ancestors into a new thread. */
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
  const copied = await run(client, statements.copyThreadRow, [from, to, new Date().toISOString()]);
  // Created by someone else since the check above.
  if (copied.length === 0) throw new ThreadExistsError(to);
  const lineage = await run<CheckpointRow>(client, statements.lineage, [from, head.checkpoint_id]);
  await run(client, statements.copyCheckpoints, [
    from,
    to,
    lineage.map((row) => row.checkpoint_id),
  ]);
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

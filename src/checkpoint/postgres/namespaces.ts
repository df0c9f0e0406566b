import {
  childNamespaceKeys,
  namespaceNeeded,
  namespaceSubtree,
  referencedNamespaces,
  SUBGRAPHS_CHANNEL,
} from "../namespace.js";
import { deserialize } from "../serializer.js";
import { run, type Queryable } from "./connection.js";
import type { Statements } from "./statements.js";

/** The subgraph namespaces of a thread, read and copied inside the caller's transaction. */

/** Every namespace key of `threadId`, at any depth. */
export async function namespaceKeysOf(
  client: Queryable,
  statements: Statements,
  threadId: string,
): Promise<string[]> {
  const rows = await run<{ thread_id: string }>(client, statements.namespacesOf, [threadId]);
  return rows.map((row) => row.thread_id);
}

/**
 * The storage keys of the namespaces that the pending writes of `checkpoints` of `key` list on
 * SUBGRAPHS_CHANNEL.
 */
export async function referencedBy(
  client: Queryable,
  statements: Statements,
  key: string,
  checkpoints: ReadonlySet<string>,
): Promise<Set<string>> {
  const rows = await run<{ data: string }>(client, statements.writesOnChannel, [
    key,
    SUBGRAPHS_CHANNEL,
    [...checkpoints],
  ]);
  return referencedNamespaces(
    key,
    rows.map((row) => deserialize(row.data)),
  );
}

/**
 * Copies the namespaces of `from` that its checkpoints `ids` (the copied lineage, when it ends at
 * the latest checkpoint) still need, with every namespace below them, to the same namespaces of
 * `to`: the copy's children go on where the original's are.
 */
export async function copyNeededNamespaces(
  client: Queryable,
  statements: Statements,
  from: string,
  to: string,
  ids: ReadonlySet<string>,
  now: string,
): Promise<void> {
  const namespaces = await namespaceKeysOf(client, statements, from);
  if (namespaces.length === 0) return;
  const referenced = await referencedBy(client, statements, from, ids);
  const keys: string[] = [];
  for (const child of childNamespaceKeys(from, namespaces)) {
    if (namespaceNeeded(child, ids, referenced)) keys.push(...namespaceSubtree(child, namespaces));
  }
  if (keys.length === 0) return;
  await run(client, statements.copyKeys, [
    keys,
    keys.map((key) => `${to}${key.slice(from.length)}`),
    now,
  ]);
}

/**
 * A subgraph's checkpoints live in its parent thread under a namespace (`node:taskId`, nested with
 * `|`). In storage they are kept under a key that is the parent's thread id, this separator, and
 * the namespace. Every implementation of the contract treats such a key as part of the thread
 * before the separator: writes are fenced by that thread's lease, deleting or copying the thread
 * covers its namespaces, and listings of threads (and of waiting interrupts) leave them out.
 */
export const NAMESPACE_SEPARATOR = "\u001f";

/** The storage key of namespace `namespace` inside thread (or namespace key) `threadId`. */
export function namespaceKey(threadId: string, namespace: string): string {
  return `${threadId}${NAMESPACE_SEPARATOR}${namespace}`;
}

/** The thread a storage key belongs to (the key itself for a thread). */
export function rootThreadOf(key: string): string {
  const at = key.indexOf(NAMESPACE_SEPARATOR);
  return at < 0 ? key : key.slice(0, at);
}

/** True for the key of a subgraph namespace, false for a thread's own key. */
export function isNamespaceKey(key: string): boolean {
  return key.includes(NAMESPACE_SEPARATOR);
}

/** True when `key` is a namespace (at any depth) of thread `threadId`. */
export function isNamespaceOf(key: string, threadId: string): boolean {
  return key.startsWith(`${threadId}${NAMESPACE_SEPARATOR}`);
}

/**
 * The channel of the pending write in which a task lists the namespaces of the graphs it invoked
 * (an array of namespace strings), next to what it recorded. Retention reads it: a task carried to
 * a newer checkpoint (an updateState while its child waits) keeps using a namespace named after
 * an older checkpoint.
 */
export const SUBGRAPHS_CHANNEL = "__subgraphs__";

/**
 * The keys directly below `key` (a thread or a namespace key), among `keys`: one more level of
 * namespace, not deeper.
 */
export function childNamespaceKeys(key: string, keys: Iterable<string>): string[] {
  const prefix = isNamespaceKey(key) ? `${key}|` : `${key}${NAMESPACE_SEPARATOR}`;
  const children: string[] = [];
  for (const candidate of keys) {
    if (candidate.startsWith(prefix) && !candidate.includes("|", prefix.length)) {
      children.push(candidate);
    }
  }
  return children;
}

/** `key` and every namespace below it, among `keys`. */
export function namespaceSubtree(key: string, keys: Iterable<string>): string[] {
  const prefix = isNamespaceKey(key) ? `${key}|` : `${key}${NAMESPACE_SEPARATOR}`;
  return [...keys].filter((candidate) => candidate === key || candidate.startsWith(prefix));
}

/**
 * Whether the child namespace `childKey` is still needed by its parent, given the parent's
 * checkpoints that stay (`kept`) and the namespaces their pending writes list on SUBGRAPHS_CHANNEL
 * (`referenced`, as storage keys). A namespace is named `node:taskId` and a task id starts with the
 * id of the checkpoint its task was planned from: the child is needed while that checkpoint stays
 * (its superstep may still run it, even after a crash that left no pending write) or while a
 * kept checkpoint's task still lists it. Otherwise its superstep is over or gone with the pruned
 * checkpoint, and nothing will read it again.
 */
export function namespaceNeeded(
  childKey: string,
  kept: ReadonlySet<string>,
  referenced: ReadonlySet<string>,
): boolean {
  if (referenced.has(childKey)) return true;
  const segment = childKey.slice(
    Math.max(childKey.lastIndexOf("|"), childKey.indexOf(NAMESPACE_SEPARATOR)) + 1,
  );
  // node:checkpointId:index, with #call after the first graph a task invokes.
  const parts = segment.replace(/#\d+$/, "").split(":");
  const origin = parts.at(-2);
  return origin !== undefined && kept.has(origin);
}

/** The storage keys of the namespaces listed by pending writes on SUBGRAPHS_CHANNEL. */
export function referencedNamespaces(key: string, lists: Iterable<unknown>): Set<string> {
  const root = rootThreadOf(key);
  const referenced = new Set<string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const namespace of list) {
      if (typeof namespace === "string") referenced.add(namespaceKey(root, namespace));
    }
  }
  return referenced;
}

/**
 * The node names a namespace runs under, outermost first: `["writer", "inner"]` for
 * `writer:<taskId>|inner:<taskId>` (a task id is `checkpointId:index`, with `#call` after the
 * first graph a task invokes). Empty for a thread's own graph.
 */
export function namespacePath(namespace: string): string[] {
  if (namespace === "") return [];
  return namespace.split("|").map((segment) => {
    const index = segment.lastIndexOf(":");
    return segment.slice(0, segment.lastIndexOf(":", index - 1));
  });
}

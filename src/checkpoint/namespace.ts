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

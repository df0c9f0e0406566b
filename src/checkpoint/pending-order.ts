import type { PendingWritesQuery } from "./types.js";

/**
 * The sort key of a pending write for `PendingWritesQuery.order`, as the SQL stores compute it:
 * "0" + first, or "1" without it; then `then`, the thread id and the task id, each after a \u0001
 * (below every printable character, so a shorter field sorts first). Compared as plain strings
 * (byte order; Postgres uses the "C" collation for it).
 */
export function pendingSortKey(
  order: PendingWritesQuery["order"],
  value: unknown,
  threadId: string,
  taskId: string,
): string {
  const fields = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const first = textOf(fields[order.first]);
  return [
    first === undefined ? "1" : `0${first}`,
    textOf(fields[order.then]) ?? "",
    threadId,
    taskId,
  ].join(SEPARATOR);
}

const SEPARATOR = "\u0001";

function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

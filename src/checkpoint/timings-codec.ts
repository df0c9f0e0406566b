/**
 * The compact form of a checkpoint's `metadata.timings` in the SQLite body (schema 3): storage
 * grows with what is written, and a task's timing spelled out (≈150 bytes) would cost more than a
 * small step writes. Each timing becomes `[node, task, startedBefore, durationMs, attempts]`:
 * `task` is the plan index when the task id is `<parent checkpoint id>:<index>` (else the id),
 * `startedBefore` is how many ms before the checkpoint's `createdAt` the task started; a sixth
 * element holds the rest when there is any (`e` errors, `c` cached, `u` usage). Timings are
 * compacted only when every one of them has exactly this shape (else `encodeTimings` gives
 * undefined and the caller stores them as they are); decoding gives back what was encoded.
 */
export type CompactTiming = [string, number | string, number, number, number, Extra?];

interface Extra {
  readonly e?: unknown[];
  readonly c?: true;
  readonly u?: unknown;
}

const KNOWN = new Set([
  "node",
  "taskId",
  "startedAt",
  "durationMs",
  "attempts",
  "errors",
  "cached",
  "usage",
]);

interface Place {
  readonly parentId: string | undefined;
  readonly createdAt: string;
}

export function encodeTimings(timings: unknown, place: Place): CompactTiming[] | undefined {
  if (!Array.isArray(timings)) return undefined;
  const compact: CompactTiming[] = [];
  for (const timing of timings as unknown[]) {
    const encoded = encodeOne(timing, place);
    if (!encoded) return undefined;
    compact.push(encoded);
  }
  return compact;
}

export function decodeTimings(stored: readonly unknown[], place: Place): unknown[] {
  return stored.map((item) => decodeOne(item as CompactTiming, place));
}

function encodeOne(timing: unknown, place: Place): CompactTiming | undefined {
  if (typeof timing !== "object" || timing === null || Array.isArray(timing)) return undefined;
  const fields = timing as Record<string, unknown>;
  const { node, taskId, startedAt, durationMs, attempts, errors, cached, usage } = fields;
  if (
    Object.keys(fields).some((key) => !KNOWN.has(key)) ||
    typeof node !== "string" ||
    typeof taskId !== "string" ||
    typeof startedAt !== "string" ||
    typeof durationMs !== "number" ||
    typeof attempts !== "number" ||
    !Array.isArray(errors) ||
    typeof cached !== "boolean"
  ) {
    return undefined;
  }
  const started = Date.parse(startedAt);
  const created = Date.parse(place.createdAt);
  if (!Number.isFinite(started) || new Date(started).toISOString() !== startedAt) return undefined;
  if (!Number.isFinite(created)) return undefined;
  const prefix = `${place.parentId ?? ""}:`;
  const index = taskId.startsWith(prefix) ? Number(taskId.slice(prefix.length)) : NaN;
  const task = Number.isInteger(index) && `${prefix}${index}` === taskId ? index : taskId;
  const compact: CompactTiming = [node, task, created - started, durationMs, attempts];
  const extra: { e?: unknown[]; c?: true; u?: unknown } = {};
  if (errors.length > 0) extra.e = errors;
  if (cached) extra.c = true;
  if (usage !== undefined) extra.u = usage;
  if (Object.keys(extra).length > 0) compact.push(extra);
  return compact;
}

function decodeOne(item: CompactTiming, place: Place): Record<string, unknown> {
  const [node, task, startedBefore, durationMs, attempts, extra] = item;
  const timing: Record<string, unknown> = {
    node,
    taskId: typeof task === "number" ? `${place.parentId ?? ""}:${task}` : task,
    startedAt: new Date(Date.parse(place.createdAt) - startedBefore).toISOString(),
    durationMs,
    attempts,
    errors: extra?.e ?? [],
    cached: extra?.c === true,
  };
  if (extra?.u !== undefined) timing.usage = extra.u;
  return timing;
}

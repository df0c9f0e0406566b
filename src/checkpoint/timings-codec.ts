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
  const created = createdTimes.parse(place.createdAt);
  const prefix = `${place.parentId ?? ""}:`;
  const compact: CompactTiming[] = [];
  for (const timing of timings as unknown[]) {
    if (!Number.isFinite(created)) return undefined;
    const encoded = encodeOne(timing, created, prefix);
    if (!encoded) return undefined;
    compact.push(encoded);
  }
  return compact;
}

export function decodeTimings(stored: readonly unknown[], place: Place): unknown[] {
  const created = createdTimes.parse(place.createdAt);
  const prefix = `${place.parentId ?? ""}:`;
  return stored.map((item) => decodeOne(item as CompactTiming, created, prefix));
}

/**
 * `Date.parse`, remembering the last text: a run's consecutive checkpoints and tasks mostly fall
 * in the same millisecond, and the engine hands over the same string each time.
 */
class RememberedParse {
  private text = "";
  private millis = Number.NaN;

  parse(text: string): number {
    if (text !== this.text) {
      this.millis = Date.parse(text);
      this.text = text;
    }
    return this.millis;
  }
}

const createdTimes = new RememberedParse();
const startTimes = new RememberedParse();
let isoMillis = Number.NaN;
let isoText = "";

/** `new Date(millis).toISOString()`, remembering the last answer. */
function isoOf(millis: number): string {
  if (millis !== isoMillis) {
    isoText = new Date(millis).toISOString();
    isoMillis = millis;
  }
  return isoText;
}

function encodeOne(timing: unknown, created: number, prefix: string): CompactTiming | undefined {
  if (typeof timing !== "object" || timing === null || Array.isArray(timing)) return undefined;
  const fields = timing as Record<string, unknown>;
  const { node, taskId, startedAt, durationMs, attempts, errors, cached, usage } = fields;
  if (
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
  for (const key of Object.keys(fields)) if (!KNOWN.has(key)) return undefined;
  // Only a canonical ISO string comes back as it was.
  const started = startTimes.parse(startedAt);
  if (!Number.isFinite(started) || isoOf(started) !== startedAt) return undefined;
  const index = taskId.startsWith(prefix) ? Number(taskId.slice(prefix.length)) : NaN;
  const task = Number.isInteger(index) && `${prefix}${index}` === taskId ? index : taskId;
  const compact: CompactTiming = [node, task, created - started, durationMs, attempts];
  if (errors.length === 0 && !cached && usage === undefined) return compact;
  const extra: { e?: unknown[]; c?: true; u?: unknown } = {};
  if (errors.length > 0) extra.e = errors;
  if (cached) extra.c = true;
  if (usage !== undefined) extra.u = usage;
  compact.push(extra);
  return compact;
}

function decodeOne(item: CompactTiming, created: number, prefix: string): Record<string, unknown> {
  const [node, task, startedBefore, durationMs, attempts, extra] = item;
  const timing: Record<string, unknown> = {
    node,
    taskId: typeof task === "number" ? `${prefix}${task}` : task,
    startedAt: isoOf(created - startedBefore),
    durationMs,
    attempts,
    errors: extra?.e ?? [],
    cached: extra?.c === true,
  };
  if (extra?.u !== undefined) timing.usage = extra.u;
  return timing;
}

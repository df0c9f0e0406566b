import { deserialize, serialize } from "./serializer.js";
import { decodeTimings, encodeTimings, type CompactTiming } from "./timings-codec.js";
import type { CheckpointRecord, PlannedTask } from "./types.js";

/** What a checkpoint row stores besides its columns. */
type CheckpointBody = Pick<CheckpointRecord, "metadata" | "versions" | "next" | "barriers">;

/**
 * The serialized values a checkpoint row carries itself (schema 5), by channel: small values
 * (sqlite-inline.ts) are kept in every checkpoint that references them instead of in
 * `channel_versions`, so a checkpoint with only small values is one row, written and read alone.
 * Each is the value of the channel's version in the checkpoint's versions.
 */
export type InlineValues = Readonly<Record<string, string>>;

/**
 * The body as stored since schema 3, in short keys: `m` metadata without `source` and `step` when
 * they equal the row's columns (`s: 1` then says to put them back), `v` versions with the
 * checkpoint's own id written as "" (a step's new versions carry its id), `n` next (a plain
 * node task as its name), `b` barriers when any, `t` the metadata's task timings in their compact
 * form (timings-codec.ts), `i` the inline values when any (schema 5). A body with a `versions` key
 * was stored whole, by schema 2.
 */
interface CompactBody {
  readonly m?: Readonly<Record<string, unknown>>;
  readonly s?: 1;
  readonly v: Readonly<Record<string, string>>;
  readonly n: ReadonlyArray<string | PlannedTask>;
  readonly b?: CheckpointRecord["barriers"];
  readonly t?: readonly CompactTiming[];
  readonly i?: InlineValues;
}

/** Serializes the body of `checkpoint` (throws SerializationError for a value it cannot store). */
export function encodeBody(checkpoint: CheckpointRecord, inline?: InlineValues): string {
  const { id, parentId, createdAt, metadata, versions, next, barriers, source, step } = checkpoint;
  const v: Record<string, string> = {};
  for (const channel in versions) {
    const version = versions[channel] as string;
    v[channel] = version === id ? "" : version;
  }
  // Task timings in their compact form when they have the engine's shape; else kept in `m`.
  const timings = encodeTimings(metadata.timings, { parentId, createdAt });
  const columns = metadata.source === source && metadata.step === step;
  let m: Record<string, unknown> | undefined;
  for (const key in metadata) {
    if (columns && (key === "source" || key === "step")) continue;
    if (timings && key === "timings") continue;
    (m ??= {})[key] = metadata[key];
  }
  const body: { -readonly [K in keyof CompactBody]: CompactBody[K] } = { v, n: compactNext(next) };
  if (m) body.m = m;
  if (columns) body.s = 1;
  if (hasKeys(barriers)) body.b = barriers;
  if (timings) body.t = timings;
  if (inline) body.i = inline;
  return serialize(body, "checkpoint");
}

function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/** A plain node task as its name. */
function compactNext(next: readonly PlannedTask[]): Array<string | PlannedTask> {
  const compact: Array<string | PlannedTask> = [];
  for (const task of next) compact.push(!task.send && !("arg" in task) ? task.node : task);
  return compact;
}

export function decodeBody(
  data: string,
  columns: Pick<CheckpointRecord, "id" | "parentId" | "source" | "step" | "createdAt">,
): CheckpointBody & { readonly inline: InlineValues | undefined } {
  const stored = deserialize(data) as CompactBody | CheckpointBody;
  if ("versions" in stored) return { ...stored, inline: undefined };
  const versions: Record<string, string> = {};
  for (const channel in stored.v) {
    const version = stored.v[channel] as string;
    versions[channel] = version === "" ? columns.id : version;
  }
  // Object.assign, not a spread followed by more keys (V8 gives that object a slow shape).
  const metadata: Record<string, unknown> = Object.assign({}, stored.m);
  if (stored.s) {
    metadata.source = columns.source;
    metadata.step = columns.step;
  }
  if (stored.t !== undefined) metadata.timings = decodeTimings(stored.t, columns);
  const next = stored.n.map((task): PlannedTask =>
    typeof task === "string" ? { node: task, send: false } : task,
  );
  return { metadata, versions, next, barriers: stored.b ?? {}, inline: stored.i };
}

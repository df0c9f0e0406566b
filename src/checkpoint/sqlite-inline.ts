import type { InlineValues } from "./sqlite-body.js";
import type { CheckpointRecord } from "./types.js";

/**
 * A channel value whose serialized form is at most this many characters is kept in the
 * checkpoint row (schema 5) instead of in `channel_versions`: a counter, a flag, a status, a short
 * string. Each checkpoint carries its small values again, so this is about the size of the
 * version id every checkpoint already stores per channel; what it saves is a row, an index entry
 * and a page written per commit, and a lookup per read.
 */
export const INLINE_CHARS = 64;
/**
 * At most this many characters of small values per checkpoint row, so a state of many small keys
 * does not copy all of them into every checkpoint: once a row is full, further small values get
 * version rows. A carried value keeps its place (it has no row), so a row never exceeds it.
 */
export const INLINE_BODY_CHARS = 1024;

/** How many threads' latest inline values are remembered (a commit's parent needs no read). */
const REMEMBERED_HEADS = 4096;

/** What a checkpoint says about its channels: their versions and which ones it carries inline. */
export interface InlineHead {
  readonly versions: Readonly<Record<string, string>>;
  readonly inline: InlineValues | undefined;
}

/**
 * The inline values a new checkpoint takes over from its parent: those of the channels it keeps
 * at the parent's version (the ones it writes are added by the caller). Undefined when none.
 */
export function carriedInline(
  parent: InlineHead | undefined,
  checkpoint: Pick<CheckpointRecord, "id" | "versions">,
): Record<string, string> | undefined {
  if (!parent?.inline) return undefined;
  let carried: Record<string, string> | undefined;
  for (const channel in parent.inline) {
    const version = checkpoint.versions[channel];
    if (version === undefined || version === checkpoint.id) continue;
    if (parent.versions[channel] !== version) continue;
    (carried ??= {})[channel] = parent.inline[channel] as string;
  }
  return carried;
}

/** The characters of small values a checkpoint row carries. */
export function inlineChars(inline: InlineValues | undefined): number {
  let chars = 0;
  for (const channel in inline) chars += (inline[channel] as string).length;
  return chars;
}

/** True when `previous`, the version a write extends, is held inline by the parent checkpoint. */
export function inlineInParent(
  parent: InlineHead | undefined,
  channel: string,
  previous: string | undefined,
): boolean {
  return (
    previous !== undefined &&
    parent?.inline?.[channel] !== undefined &&
    parent.versions[channel] === previous
  );
}

/**
 * The latest checkpoint this process wrote or read per thread, with its inline values, so the
 * next commit on the thread finds its parent's without reading it. Checkpoint rows never change,
 * so an entry is never stale; it may only be missing (another process wrote, or it was evicted).
 */
export class InlineHeads {
  private readonly heads = new Map<string, { readonly id: string; readonly head: InlineHead }>();

  get(threadId: string, checkpointId: string): InlineHead | undefined {
    const entry = this.heads.get(threadId);
    return entry?.id === checkpointId ? entry.head : undefined;
  }

  set(threadId: string, checkpointId: string, head: InlineHead): void {
    this.heads.delete(threadId);
    this.heads.set(threadId, { id: checkpointId, head });
    if (this.heads.size > REMEMBERED_HEADS) {
      this.heads.delete(this.heads.keys().next().value as string);
    }
  }

  delete(threadId: string): void {
    this.heads.delete(threadId);
  }
}

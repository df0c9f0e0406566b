import type { InlineValues } from "./sqlite-body.js";
import { chainInfoOf, type ChainInfo, type VersionKind } from "./sqlite-chains.js";
import {
  carriedInline,
  INLINE_BODY_CHARS,
  INLINE_CHARS,
  inlineChars,
  inlineInParent,
  type InlineHead,
} from "./sqlite-inline.js";
import type { Statements } from "./sqlite-statements.js";
import { serialize } from "./serializer.js";
import type { ChannelWrite, CheckpointRecord } from "./types.js";

/**
 * When a version is stored as a full value rather than as a delta (reducer updates) on the
 * previous one. A read folds every delta since the last full value through the reducer, so their
 * number bounds what reading the latest state costs; a full value costs its size in storage. A
 * small value is stored whole after FLAT_CHAIN deltas (once they weigh a quarter of it); a large
 * one once the deltas weigh as much as it (and at least MIN_CHAIN_BYTES), or after MAX_CHAIN.
 * A list that only grows at its end is stored as the appended items instead and needs none of it.
 */
const FLAT_CHAIN = 16;
/** A reducer's value at most this many times the size of its delta is stored whole instead. */
const SMALL_VALUE = 2;
const MAX_CHAIN = 256;
const MIN_CHAIN_BYTES = 16 * 1024;
/** How many chain states (and thread rows) of recent writes are remembered (writes need no read). */
const REMEMBERED = 4096;

export interface EncodedVersion {
  readonly channel: string;
  readonly version: string;
  readonly kind: VersionKind;
  /** The row id of the version it extends. */
  readonly previous: number | null;
  readonly data: string;
  /** The chain state once stored (its `id` is filled in by the insert). */
  readonly chain: Omit<ChainInfo, "id">;
}

/** A value small enough to be kept in the checkpoint row (sqlite-inline.ts). */
interface InlineVersion {
  readonly channel: string;
  readonly version: string;
  readonly kind: "inline";
  readonly data: string;
}

/** A new checkpoint's channels as stored: rows to insert and the values its row carries. */
export interface EncodedChannels {
  readonly rows: EncodedVersion[];
  readonly inline: InlineValues | undefined;
}

/**
 * Decides how each channel write of a commit is stored (sqlite.ts runs the statements): inline in
 * the checkpoint row when small, else a full value, a delta or appended items on the version it
 * extends. Remembers the chain state of every version this process wrote or read, so a write
 * usually needs no read.
 */
export class VersionEncoder {
  private readonly chains = new Map<string, ChainInfo>();

  constructor(private readonly statements: Statements) {}

  /** `parent`: the checkpoint the new one follows, with its inline values (undefined: none). */
  encode(
    threadId: string,
    checkpoint: CheckpointRecord,
    writes: readonly ChannelWrite[],
    parent: InlineHead | undefined,
  ): EncodedChannels {
    let inline = carriedInline(parent, checkpoint);
    let room = INLINE_BODY_CHARS - inlineChars(inline);
    const rows: EncodedVersion[] = [];
    for (const write of writes) {
      const previousInline =
        write.kind === "delta" && inlineInParent(parent, write.channel, write.previous);
      const encoded = this.encodeVersion(threadId, write, previousInline);
      if (encoded.kind !== "inline") {
        rows.push(encoded);
      } else if (encoded.data.length <= room) {
        (inline ??= {})[encoded.channel] = encoded.data;
        room -= encoded.data.length;
      } else {
        rows.push(wholeValue(encoded.channel, encoded.version, encoded.data));
      }
    }
    return { rows, inline };
  }

  /** Records the chain state of a stored version (its row id known). */
  remember(threadId: string, channel: string, version: string, info: ChainInfo): void {
    remember(this.chains, chainKey(threadId, channel, version), info);
  }

  forgetVersion(threadId: string, channel: string, version: string): void {
    this.chains.delete(chainKey(threadId, channel, version));
  }

  forgetThread(threadId: string): void {
    for (const key of [...this.chains.keys()]) {
      if (key.startsWith(`${threadId}\u0000`)) this.chains.delete(key);
    }
  }

  /**
   * A write as a row or an inline value. `previousInline`: the version it extends is held in the
   * parent checkpoint's row (small), so there is no chain to extend: the value is stored whole.
   */
  private encodeVersion(
    threadId: string,
    write: ChannelWrite,
    previousInline: boolean,
  ): EncodedVersion | InlineVersion {
    const { channel, version } = write;
    if (previousInline) return storedWhole(channel, version, serialize(write.value, channel));
    if (write.kind === "delta" && write.previous !== undefined) {
      const previous = this.chainOf(threadId, channel, write.previous);
      if (previous && write.appended && previous.appendable) {
        const data = serialize(write.appended, channel);
        const chain = { ...previous, baseBytes: previous.baseBytes + data.length };
        return { channel, version, kind: "append", previous: previous.id, data, chain };
      }
      if (previous && !write.appended) {
        const data = serialize(write.updates, channel);
        const estimate = previous.baseBytes + previous.genericBytes;
        const small = estimate <= data.length * SMALL_VALUE ? wholeIfSmall(write, data) : undefined;
        if (small) return small;
        const generic = previous.generic + 1;
        const genericBytes = previous.genericBytes + data.length;
        const overdue =
          (generic >= FLAT_CHAIN && genericBytes * 4 >= previous.baseBytes) ||
          generic >= MAX_CHAIN ||
          genericBytes >= Math.max(MIN_CHAIN_BYTES, previous.baseBytes);
        if (!overdue) {
          const chain = { ...previous, generic, genericBytes, appendable: false };
          return { channel, version, kind: "delta", previous: previous.id, data, chain };
        }
      }
    } else if (write.kind === "delta" && !write.appended) {
      // From the channel's initial value, which only the runtime knows.
      const data = serialize(write.updates, channel);
      const small = wholeIfSmall(write, data);
      if (small) return small;
      const chain = { generic: 1, genericBytes: data.length, baseBytes: 0, appendable: false };
      return { channel, version, kind: "delta", previous: null, data, chain };
    }
    // A plain value, a chain due for a full value, a list's first items, or a delta on a
    // version this file does not have (its value is what the runtime says it is).
    return storedWhole(channel, version, serialize(write.value, channel));
  }

  /** Chain state of a stored version: remembered when this process wrote or read it, else read. */
  private chainOf(threadId: string, channel: string, version: string): ChainInfo | undefined {
    const key = chainKey(threadId, channel, version);
    const cached = this.chains.get(key);
    if (cached) return cached;
    const rows = this.statements.chainSizes.all({ thread: threadId, channel, version }) as Array<{
      id: number;
      kind: VersionKind;
      bytes: number;
    }>;
    const info = chainInfoOf(rows);
    if (info) remember(this.chains, key, info);
    return info;
  }
}

/** A full value: inline when small (sqlite-inline.ts), else a row that starts a chain. */
function storedWhole(
  channel: string,
  version: string,
  data: string,
): EncodedVersion | InlineVersion {
  return data.length <= INLINE_CHARS
    ? { channel, version, kind: "inline", data }
    : wholeValue(channel, version, data);
}

function wholeValue(channel: string, version: string, data: string): EncodedVersion {
  const chain = { generic: 0, genericBytes: 0, baseBytes: data.length, appendable: true };
  return { channel, version, kind: "value", previous: null, data, chain };
}

/**
 * A reducer channel's value stored whole when it is no larger than SMALL_VALUE times its delta
 * (a counter, a flag, a short string): a delta would save nothing and cost every read a fold.
 * Called only when the value is estimated that small, so the serialization costs about a delta's.
 */
function wholeIfSmall(
  write: ChannelWrite,
  delta: string,
): EncodedVersion | InlineVersion | undefined {
  const data = serialize(write.value, write.channel);
  return data.length <= delta.length * SMALL_VALUE
    ? storedWhole(write.channel, write.version, data)
    : undefined;
}

/** Sets `key` as the newest entry of `map`, dropping the oldest past REMEMBERED entries. */
export function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as string);
}

function chainKey(threadId: string, channel: string, version: string): string {
  return `${threadId}\u0000${channel}\u0000${version}`;
}

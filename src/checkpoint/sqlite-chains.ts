import { deserialize } from "./serializer.js";
import type { Statements } from "./sqlite-statements.js";
import type { StoredChannel } from "./types.js";

/**
 * How a stored version's chain looks, which decides how the next version is stored:
 * - `generic`: deltas (reducer updates) since the last full value; a read folds each through the
 *   reducer, so their number is what a read costs beyond the value itself;
 * - `baseBytes`: bytes of the last full value plus the items appended to it (the value's size);
 * - `appendable`: the chain is a full value followed only by appended items, so a version that
 *   only appends items can be stored as those items.
 */
export interface ChainInfo {
  readonly id: number;
  readonly generic: number;
  readonly genericBytes: number;
  readonly baseBytes: number;
  readonly appendable: boolean;
}

export type VersionKind = "value" | "delta" | "append";

interface ChainRow {
  id: number;
  version: string;
  kind: VersionKind;
  previous: number | null;
  data: string;
}

interface ParsedRow {
  readonly id: number;
  readonly kind: VersionKind;
  readonly previous: number | null;
  /** The full value, the delta's updates, or the appended items. */
  readonly content: unknown;
  readonly bytes: number;
}

/** The chain state of a version, from its rows newest first (back to its full value). */
export function chainInfoOf(
  rows: ReadonlyArray<{ id: number; kind: VersionKind; bytes: number }>,
): ChainInfo | undefined {
  const head = rows[0];
  if (!head) return undefined;
  let generic = 0;
  let genericBytes = 0;
  let baseBytes = 0;
  let appendable = false;
  for (const row of rows) {
    if (row.kind === "delta") {
      generic += 1;
      genericBytes += row.bytes;
    } else {
      baseBytes += row.bytes;
      if (row.kind === "value") appendable = generic === 0;
    }
  }
  return { id: head.id, generic, genericBytes, baseBytes, appendable };
}

/**
 * Reads one thread's channel versions. It keeps every row it read and the last value it built per
 * channel, so a run of neighbouring checkpoints (a history page) reads each row once and builds
 * each value from its newer neighbour's: one delta fewer, or the appended items cut off.
 * Values it returns may share objects with each other; nothing here or in the runtime mutates them.
 */
export class ChannelReader {
  private readonly byId = new Map<number, ParsedRow>();
  private readonly ids = new Map<string, number>();
  private readonly last = new Map<string, { version: string; stored: StoredChannel }>();

  constructor(
    private readonly statements: Statements,
    private readonly threadId: string,
    /** Told the chain state of every version it walked to, for the writes that follow. */
    private readonly walked?: (channel: string, version: string, info: ChainInfo) => void,
  ) {}

  read(channel: string, version: string): StoredChannel {
    const last = this.last.get(channel);
    if (last?.version === version) return last.stored;
    const stored = (last && this.fromNewer(channel, last, version)) ?? this.walk(channel, version);
    this.last.set(channel, { version, stored });
    return stored;
  }

  /** The value of `version` when the newer version built last extends it directly. */
  private fromNewer(
    channel: string,
    newer: { version: string; stored: StoredChannel },
    version: string,
  ): StoredChannel | undefined {
    const newerRow = this.row(channel, newer.version);
    const row = this.row(channel, version);
    if (!newerRow || !row || newerRow.previous !== row.id) return undefined;
    const { stored } = newer;
    if (newerRow.kind === "delta" && stored.deltas.length > 0) {
      return { hasBase: stored.hasBase, base: stored.base, deltas: stored.deltas.slice(0, -1) };
    }
    if (newerRow.kind === "append" && stored.deltas.length === 0) {
      const list = stored.base as unknown[];
      const cut = list.length - (newerRow.content as unknown[]).length;
      return { hasBase: true, base: list.slice(0, cut), deltas: [] };
    }
    return undefined;
  }

  private row(channel: string, version: string): ParsedRow | undefined {
    const id = this.ids.get(`${channel}\u0000${version}`);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Builds `version` from its full value forward: appended items joined, deltas handed over. */
  private walk(channel: string, version: string): StoredChannel {
    if (!this.row(channel, version)) this.fetch(channel, version);
    const chain: ParsedRow[] = [];
    for (let row = this.row(channel, version); row;) {
      chain.push(row);
      row = row.kind === "value" || row.previous === null ? undefined : this.byId.get(row.previous);
    }
    const info = chainInfoOf(chain);
    if (info) this.walked?.(channel, version, info);
    let hasBase = false;
    let base: unknown = undefined;
    let list: unknown[] | undefined;
    const deltas: unknown[][] = [];
    for (let index = chain.length - 1; index >= 0; index -= 1) {
      const row = chain[index] as ParsedRow;
      if (row.kind === "value") {
        hasBase = true;
        base = row.content;
      } else if (row.kind === "append") {
        // Stored only straight after a full value or another append (see ChainInfo.appendable).
        list ??= [...(base as unknown[])];
        for (const item of row.content as unknown[]) list.push(item);
      } else {
        deltas.push(row.content as unknown[]);
      }
    }
    return { hasBase, base: list ?? base, deltas };
  }

  private fetch(channel: string, version: string): void {
    const key = { thread: this.threadId, channel, version };
    // One point lookup for a full value; the recursive walk only for a chain.
    const head = this.statements.chainHead.get(key) as ChainRow | undefined;
    let rows: ChainRow[] = head ? [head] : [];
    if (head && head.kind !== "value") rows = this.statements.chain.all(key) as ChainRow[];
    for (const row of rows) {
      this.ids.set(`${channel}\u0000${row.version}`, row.id);
      if (this.byId.has(row.id)) continue;
      this.byId.set(row.id, {
        id: row.id,
        kind: row.kind,
        previous: row.previous,
        content: deserialize(row.data),
        bytes: row.data.length,
      });
    }
  }
}

import { serialize } from "./serializer.js";
import type { ChannelWrite } from "./types.js";

/** A delta chain is replaced by a full value once its bytes reach this and the last full value's size. */
const MIN_CHAIN_BYTES = 16 * 1024;
/** …or once it holds this many deltas, whatever their size, bounding the rows a read replays. */
const MAX_CHAIN_LENGTH = 1024;

/** Where a stored version stands in its delta chain. */
export interface ChainInfo {
  /** Bytes of deltas stored since the last full value. */
  readonly chainBytes: number;
  readonly chainLength: number;
  /** Size of the last full value in the chain (0 if the chain starts from the initial value). */
  readonly baseBytes: number;
}

/** One channel version as a database row stores it. */
export interface EncodedVersion {
  readonly channel: string;
  readonly version: string;
  readonly kind: "value" | "delta";
  readonly previous: string | null;
  readonly data: string;
  readonly chain: ChainInfo;
}

export const EMPTY_CHAIN: ChainInfo = { chainBytes: 0, chainLength: 0, baseBytes: 0 };

/**
 * Decides how a database stores `write`: as a delta on its previous version, or — once the deltas
 * since the last full value outweigh it (and at least MIN_CHAIN_BYTES), or number MAX_CHAIN_LENGTH —
 * as a full value. Storage then stays within about twice the data written, and reading any version
 * replays at most about one value's worth of deltas. `previousChain` is the chain of
 * `write.previous` (EMPTY_CHAIN when there is none). Throws SerializationError for an unstorable value.
 */
export function encodeVersion(write: ChannelWrite, previousChain: ChainInfo): EncodedVersion {
  if (write.kind === "delta") {
    const data = serialize(write.updates, write.channel);
    const chainBytes = previousChain.chainBytes + data.length;
    const chainLength = previousChain.chainLength + 1;
    const overdue =
      chainLength >= MAX_CHAIN_LENGTH ||
      chainBytes >= Math.max(MIN_CHAIN_BYTES, previousChain.baseBytes);
    if (!overdue) {
      const chain = { chainBytes, chainLength, baseBytes: previousChain.baseBytes };
      const { channel, version } = write;
      return { channel, version, kind: "delta", previous: write.previous ?? null, data, chain };
    }
  }
  const data = serialize(write.value, write.channel);
  return {
    channel: write.channel,
    version: write.version,
    kind: "value",
    previous: null,
    data,
    chain: { chainBytes: 0, chainLength: 0, baseBytes: data.length },
  };
}

/** The chain state of a stored version, from its chain's rows (newest first, down to a full value). */
export function chainOfRows(
  rows: ReadonlyArray<{ readonly kind: "value" | "delta"; readonly data: string }>,
): ChainInfo {
  let chainBytes = 0;
  let chainLength = 0;
  for (const row of rows) {
    if (row.kind === "value") return { chainBytes, chainLength, baseBytes: row.data.length };
    chainBytes += row.data.length;
    chainLength += 1;
  }
  return { chainBytes, chainLength, baseBytes: 0 };
}

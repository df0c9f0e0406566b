import type { z } from "zod";
import { isCommand, isSend, START, type Send } from "../graph/constants.js";
import type { ChannelSpec } from "../graph/state.js";
import type { TokenUsage } from "../graph/types.js";
import { InvalidNodeOutputError, InvalidUpdateError } from "../errors.js";

export type Write = readonly [key: string, value: unknown];

/** What one task produced: validated writes, and where it routes (node names and Sends). */
export interface TaskOutput {
  readonly writes: readonly Write[];
  readonly goto: ReadonlyArray<string | Send>;
  /** The update as the node returned it, for the `updates` stream. */
  readonly update: unknown;
  /** Token counts the task reported (`ctx.reportUsage`), over all its attempts. */
  readonly usage?: TokenUsage;
  /** Set when the output came from the node cache: the node did not run. */
  readonly cached?: true;
}

/**
 * Validates a node's return value (or the run's input when `node` is START) against the state
 * schema. Unknown keys and values the key's schema rejects are errors; nothing is applied.
 * Keys whose value is `undefined` are treated as not written.
 */
export function parseNodeResult(
  node: string,
  result: unknown,
  channels: ReadonlyMap<string, ChannelSpec>,
): { writes: Write[]; goto: Array<string | Send>; update: unknown } {
  if (result === undefined || result === null) return { writes: [], goto: [], update: undefined };
  if (isCommand(result)) {
    const { writes } = parseNodeResult(node, result.update, channels);
    return { writes, goto: [...result.goto], update: result.update };
  }
  if (typeof result !== "object" || Array.isArray(result) || isSend(result)) {
    throw new InvalidNodeOutputError(node, describe(result));
  }
  const writes: Write[] = [];
  for (const key of Object.keys(result)) {
    const value = (result as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const channel = channels.get(key);
    if (!channel) {
      throw new InvalidUpdateError(
        node,
        key,
        `the state has no such key (keys: ${[...channels.keys()].join(", ")})`,
      );
    }
    const parsed = channel.updateSchema.safeParse(value);
    if (!parsed.success) throw new InvalidUpdateError(node, key, formatIssues(parsed.error));
    writes.push([key, parsed.data]);
  }
  return { writes, goto: [], update: result };
}

/** The input of a run: like a START node's update, but it must be an object. */
export function parseInput(input: unknown, channels: ReadonlyMap<string, ChannelSpec>): Write[] {
  if (typeof input !== "object" || input === null || Array.isArray(input) || isCommand(input)) {
    throw new InvalidUpdateError(
      START,
      undefined,
      `expected an object of state keys, got ${describe(input)}`,
    );
  }
  return parseNodeResult(START, input, channels).writes;
}

/** Returns `values` with `writes` folded in, without modifying `values`. */
export function withWrites(
  values: Readonly<Record<string, unknown>>,
  writes: readonly Write[],
  channels: ReadonlyMap<string, ChannelSpec>,
): Record<string, unknown> {
  if (writes.length === 0) return values;
  const next = { ...values };
  for (const [key, value] of writes) {
    const channel = channels.get(key) as ChannelSpec;
    next[key] = channel.reduce ? channel.reduce(currentValue(next, channel), value) : value;
  }
  return next;
}

export function currentValue(
  values: Readonly<Record<string, unknown>>,
  channel: ChannelSpec,
): unknown {
  return channel.key in values ? values[channel.key] : channel.initial?.();
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (isSend(value)) return "a Send (return Sends from a router or in Command({ goto }))";
  if (value === null) return "null";
  return typeof value === "object"
    ? "an object"
    : `a ${typeof value} (${JSON.stringify(value) ?? String(typeof value)})`;
}

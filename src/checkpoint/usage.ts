import { namespacePath, rootThreadOf } from "./namespace.js";

/** Token counts of model calls, and their cost when a budget priced them. */
export interface UsageCounts {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost?: number;
}

/** What a thread (or one run of it) spent: in total and per node. */
export interface UsageTotals {
  readonly total: UsageCounts;
  /** By node name; a subgraph's nodes as `parent|child` (the parent's node, then its own). */
  readonly nodes: Readonly<Record<string, UsageCounts>>;
}

export interface UsageOptions {
  /** Only what checkpoints with this `metadata.run_id` recorded (the server's run ids). */
  readonly runId?: string;
}

/** One increment of a thread's usage sums: what one node spent in one run. */
export interface UsageRow {
  /** The thread the usage belongs to (a subgraph's usage belongs to its parent's thread). */
  readonly threadId: string;
  /** `metadata.run_id`, or "" when the checkpoint has none. */
  readonly runId: string;
  readonly node: string;
  readonly counts: UsageCounts;
}

/** `total` plus `usage`; a missing or non-numeric count adds nothing. */
export function addCounts(
  total: UsageCounts | undefined,
  usage: Partial<Record<keyof UsageCounts, unknown>>,
): UsageCounts {
  const sum: UsageCounts = {
    input_tokens: count(total?.input_tokens) + count(usage.input_tokens),
    output_tokens: count(total?.output_tokens) + count(usage.output_tokens),
    total_tokens: count(total?.total_tokens) + count(usage.total_tokens),
  };
  // A cost is known only where a budget priced the calls: kept only when one side has it.
  if (total?.cost !== undefined || typeof usage.cost === "number") {
    sum.cost = count(total?.cost) + count(usage.cost);
  }
  return sum;
}

/**
 * The usage a checkpoint records (`metadata.usage`, by node), as increments of its thread's sums.
 * Every checkpointer adds them in the transaction that stores the checkpoint, so the sums are
 * exactly the usage of every checkpoint ever committed to the thread and its subgraphs (pruning
 * does not lower them: what was spent stays spent).
 */
export function usageRows(key: string, metadata: Readonly<Record<string, unknown>>): UsageRow[] {
  const usage = metadata.usage;
  if (typeof usage !== "object" || usage === null) return [];
  const threadId = rootThreadOf(key);
  const runId = typeof metadata.run_id === "string" ? metadata.run_id : "";
  const path = namespacePath(key.slice(threadId.length + 1));
  const rows: UsageRow[] = [];
  for (const [node, counts] of Object.entries(usage as Record<string, unknown>)) {
    if (typeof counts !== "object" || counts === null) continue;
    const name = [...path, node].join("|");
    rows.push({ threadId, runId, node: name, counts: addCounts(undefined, counts) });
  }
  return rows;
}

/** Sums stored per (run, node) into a thread's totals. */
export function totalsOf(rows: Iterable<{ node: string; counts: UsageCounts }>): UsageTotals {
  let total = addCounts(undefined, {});
  const nodes: Record<string, UsageCounts> = {};
  for (const { node, counts } of rows) {
    nodes[node] = addCounts(nodes[node], counts);
    total = addCounts(total, counts);
  }
  return { total, nodes };
}

/** A stored row of sums (a null cost: never priced) as counts. */
export function storedCounts(row: {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost: number | null;
}): UsageCounts {
  const { cost, input_tokens, output_tokens, total_tokens } = row;
  const tokens = { input_tokens, output_tokens, total_tokens };
  return addCounts(undefined, cost === null ? tokens : { ...tokens, cost });
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

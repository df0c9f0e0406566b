import type { AuditEntry, CompiledGraph, StateSnapshot, TaskTiming, TokenUsage } from "../index.js";
import type { NodeMark } from "./graph-svg.js";

/** One checkpoint as the timeline shows it. */
export interface TimelineEntry {
  readonly snapshot: StateSnapshot<unknown>;
  readonly id: string;
  readonly parentId: string | undefined;
  readonly step: number;
  readonly source: string;
  /** The nodes whose writes made this checkpoint (the tasks its parent planned). */
  readonly ran: readonly string[];
  /**
   * From the later of the parent checkpoint and the last answer given in between, to this one:
   * how long the superstep ran, without the time it waited for a human.
   */
  readonly ranMs: number | undefined;
  readonly usage: Readonly<Record<string, TokenUsage>>;
  /** How each task of the superstep that made this checkpoint ran (the engine's `timings`). */
  readonly timings: readonly TaskTiming[];
  /**
   * The superstep after this checkpoint, when it failed: its tasks' timings (failed ones with the
   * error of each attempt, and the siblings that finished). Empty otherwise.
   */
  readonly failedNext: readonly TaskTiming[];
  /** On the path from the thread's newest checkpoint back to its first. */
  readonly onCurrentBranch: boolean;
  /** The first checkpoint of a branch: its parent has another child before it. */
  readonly startsBranch: boolean;
}

export interface ThreadHistory {
  /** Oldest first. */
  readonly entries: readonly TimelineEntry[];
  readonly latest: StateSnapshot<unknown> | undefined;
}

const idOf = (snapshot: StateSnapshot<unknown>): string =>
  String(snapshot.config.configurable.checkpoint_id ?? "");

/** Every checkpoint of the thread (every branch), as timeline entries. */
export async function loadHistory(
  graph: CompiledGraph<never>,
  threadId: string,
  audit: readonly AuditEntry[],
): Promise<ThreadHistory> {
  const newestFirst: StateSnapshot<unknown>[] = [];
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) {
    newestFirst.push(snapshot);
  }
  const byId = new Map(newestFirst.map((snapshot) => [idOf(snapshot), snapshot]));
  const current = new Set<string>();
  for (let at = newestFirst[0]; at;) {
    current.add(idOf(at));
    const parent = at.parentConfig?.configurable.checkpoint_id;
    at = parent === undefined ? undefined : byId.get(String(parent));
  }
  const seenChildren = new Set<string>();
  const entries = [...newestFirst].reverse().map((snapshot): TimelineEntry => {
    const parentId = snapshot.parentConfig?.configurable.checkpoint_id;
    const parent = parentId === undefined ? undefined : byId.get(parentId);
    const startsBranch = parentId !== undefined && seenChildren.has(parentId);
    if (parentId !== undefined) seenChildren.add(parentId);
    const metadata = snapshot.metadata ?? {};
    const source = typeof metadata.source === "string" ? metadata.source : "loop";
    return {
      snapshot,
      id: idOf(snapshot),
      parentId,
      step: typeof metadata.step === "number" ? metadata.step : -1,
      source,
      ran: source === "loop" && parent ? parent.tasks.map((task) => task.name) : [],
      ranMs: source === "loop" ? ranFor(parent, snapshot, audit) : undefined,
      usage: (metadata.usage ?? {}) as Record<string, TokenUsage>,
      timings: Array.isArray(metadata.timings) ? (metadata.timings as TaskTiming[]) : [],
      failedNext: snapshot.tasks.some((task) => task.error)
        ? snapshot.tasks.flatMap((task) => (task.timing ? [task.timing] : []))
        : [],
      onCurrentBranch: current.has(idOf(snapshot)),
      startsBranch,
    };
  });
  return { entries, latest: newestFirst[0] };
}

function ranFor(
  parent: StateSnapshot<unknown> | undefined,
  snapshot: StateSnapshot<unknown>,
  audit: readonly AuditEntry[],
): number | undefined {
  if (!parent?.createdAt || !snapshot.createdAt) return undefined;
  const end = snapshot.createdAt;
  let start = parent.createdAt;
  for (const entry of audit) {
    if (entry.at > start && entry.at <= end) start = entry.at;
  }
  return Date.parse(end) - Date.parse(start);
}

/** How each node stands: done on the current branch, and what the newest checkpoint waits on. */
export function nodeMarks(history: ThreadHistory, running: boolean): Map<string, NodeMark> {
  const marks = new Map<string, NodeMark>();
  for (const entry of history.entries) {
    if (entry.onCurrentBranch) for (const node of entry.ran) marks.set(node, "done");
  }
  const latest = history.latest;
  if (!latest) return marks;
  if (latest.next.length === 0 && latest.tasks.length === 0) marks.set("__end__", "done");
  if (history.entries.length > 0) marks.set("__start__", "done");
  for (const task of latest.tasks) {
    if (task.error) marks.set(task.name, "failed");
    else if (task.interrupts.length > 0) marks.set(task.name, "waiting");
    else if (task.result === undefined) marks.set(task.name, running ? "running" : "next");
  }
  return marks;
}

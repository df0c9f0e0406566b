// Graphs and helpers shared by the checkpointer contract cases and the SQLite persistence tests.
import { z } from "zod";
import {
  append,
  END,
  START,
  StateGraph,
  type CheckpointRecord,
  type CheckpointSource,
  type ThreadStore,
} from "../../src/index.js";
import { thread } from "../support.js";

/** A state with one list key that grows by one item per step. */
export const Items = z.object({ items: append(z.string()) });

/** The item appended at position `index`, `bytes` long, so a test controls how fast state grows. */
export const item = (index: number, bytes: number) => `${index}:`.padEnd(bytes, "x");

/** The list an append loop holds after `count` steps. */
export const itemsUpTo = (count: number, bytes: number) =>
  Array.from({ length: count }, (_, index) => item(index, bytes));

/** START -> step -> step -> … -> END: each step appends one item until there are `length`. */
export function appendLoop(length: number, bytes: number) {
  const counter = { calls: 0 };
  const graph = new StateGraph(Items)
    .addNode("step", (state) => {
      counter.calls += 1;
      return { items: item(state.items.length, bytes) };
    })
    .addEdge(START, "step")
    .addConditionalEdges("step", (state) => (state.items.length < length ? "step" : END), [
      "step",
      END,
    ]);
  return { graph, counter };
}

/** A thread config for long loops: the recursion limit is not what these tests are about. */
export const longRun = (threadId: string, checkpointId?: string) => ({
  ...thread(threadId, checkpointId),
  recursionLimit: 10_000,
});

/** The thread's checkpoint ids, newest first. */
export async function checkpointIds(store: ThreadStore, threadId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const tuple of store.list(threadId)) ids.push(tuple.checkpoint.id);
  return ids;
}

/** Runs `action`, which must reject, and returns what it rejected with. */
export async function rejection(
  action: () => Promise<unknown>,
): Promise<Error & { code?: string }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the action to be refused, but it succeeded");
}

/** Blocks the event loop for `ms`: no timer (a lease renewal, say) can run meanwhile. */
export function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy wait
  }
}

/** A checkpoint record written directly to a store; ids like "cp-1" sort in commit order. */
export const checkpointRecord = (
  id: string,
  parentId: string | undefined,
  source: CheckpointSource = "loop",
  versions: Record<string, string> = {},
): CheckpointRecord => ({
  id,
  parentId,
  step: Number(id.slice(-1)),
  source,
  createdAt: new Date().toISOString(),
  metadata: { source, step: Number(id.slice(-1)), tag: `tag-${id}` },
  versions,
  next: [{ node: "a", send: false }],
  barriers: { join: ["a"] },
});

/** One full-value write of `log`, as version `id`. */
export const logWrite = (id: string) =>
  [{ channel: "log", version: id, kind: "value", value: [id] }] as const;

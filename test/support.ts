// Small helpers shared by the engine's behaviour tests.
import { z } from "zod";
import { append, END, START, StateGraph, type NodeOptions } from "../src/index.js";

/** A state with one list key that every test node appends to. */
export const Log = z.object({ log: append(z.string()) });

/**
 * START -> names[0] -> … -> END over `Log`. Each node appends its name to `log` and counts its
 * calls in `calls`.
 */
export function chain(names: readonly string[], options: NodeOptions = {}) {
  const calls: Record<string, number> = {};
  const graph = new StateGraph(Log);
  for (const name of names) {
    graph.addNode(
      name,
      () => {
        calls[name] = (calls[name] ?? 0) + 1;
        return { log: name };
      },
      options,
    );
  }
  const path = [START, ...names, END];
  for (let i = 1; i < path.length; i += 1) graph.addEdge(path[i - 1] as string, path[i] as string);
  return { graph, calls };
}

/** `{ configurable: { thread_id } }`, at `checkpoint_id` when given. */
export function thread(threadId: string, checkpointId?: string) {
  return { configurable: { thread_id: threadId, checkpoint_id: checkpointId } };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
}

/** Array.fromAsync, which Node 20 lacks. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

import { createHash } from "node:crypto";
import { Send } from "../graph/constants.js";
import type { CacheKey, NodeCache } from "../checkpoint/cache.js";
import type { PendingTask } from "./run-state.js";
import type { Task } from "./task.js";
import type { TaskOutput, Write } from "./writes.js";

/** The first part of every node cache namespace (then the graph's name and the node's). */
export const CACHE_NAMESPACE = "__switchyard_node_writes";

/** A task whose node has a `cachePolicy`: where its result is cached, and for how long. */
export interface CachedTask {
  readonly key: CacheKey;
  readonly ttl: number | undefined;
  /** Set when the cache held the task's result: it is used instead of running the node. */
  readonly hit: TaskOutput | undefined;
}

/** What the cache stores for a task: its writes and routing, as plain data. */
interface CachedOutput {
  readonly writes: readonly Write[];
  readonly goto: ReadonlyArray<string | { readonly send: string; readonly arg: unknown }>;
  readonly update: unknown;
}

/**
 * Looks up the cached results of the tasks about to run (by plan index) whose node has a
 * `cachePolicy`. A task that ran before (it has a record, or is being answered) is never served
 * from the cache: it continues where it stopped.
 */
export async function lookupCached(
  cache: NodeCache,
  graph: string,
  tasks: readonly Task[],
  todo: readonly number[],
  pending: ReadonlyMap<string, PendingTask>,
  answers: ReadonlyMap<string, unknown>,
): Promise<Map<number, CachedTask> | undefined> {
  const keyed = new Map<number, { key: CacheKey; ttl: number | undefined }>();
  for (const index of todo) {
    const task = tasks[index] as Task;
    const policy = task.node.cachePolicy;
    if (!policy || pending.has(task.id) || answers.has(task.id)) continue;
    // As LangGraph: the key function receives the node's input in a one-element list.
    const text = (policy.keyFunc ?? JSON.stringify)([task.input]);
    const key = createHash("sha256").update(text).digest("hex");
    keyed.set(index, {
      key: { namespace: [CACHE_NAMESPACE, graph, task.node.name], key },
      ttl: policy.ttl,
    });
  }
  if (keyed.size === 0) return undefined;
  const found = await cache.get([...keyed.values()].map((entry) => entry.key));
  const hits = new Map(
    found.map((entry) => [`${entry.namespace.join("|")}#${entry.key}`, entry.value]),
  );
  const result = new Map<number, CachedTask>();
  for (const [index, { key, ttl }] of keyed) {
    const value = hits.get(`${key.namespace.join("|")}#${key.key}`);
    result.set(index, { key, ttl, hit: value === undefined ? undefined : fromCache(value) });
  }
  return result;
}

/** Stores a finished task's result. A cache that fails to store is not the run's failure. */
export async function storeCached(
  cache: NodeCache,
  entry: CachedTask,
  output: TaskOutput,
): Promise<void> {
  const value: CachedOutput = {
    writes: output.writes,
    goto: output.goto.map((target) =>
      typeof target === "string" ? target : { send: target.node, arg: target.arg },
    ),
    update: output.update,
  };
  try {
    await cache.set([{ ...entry.key, value, ttl: entry.ttl }]);
  } catch {
    // The node ran and its writes are stored with the checkpoint; the next run just misses.
  }
}

function fromCache(value: unknown): TaskOutput {
  const cached = value as CachedOutput;
  return {
    writes: cached.writes,
    goto: cached.goto.map((target) =>
      typeof target === "string" ? target : new Send(target.send, target.arg),
    ),
    update: cached.update,
    cached: true,
  };
}

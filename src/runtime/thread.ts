import { randomUUID } from "node:crypto";
import type { GraphSpec } from "../graph/spec.js";
import type { RunConfig, ThreadMigration } from "../graph/types.js";
import type { Checkpointer, GraphIdentity } from "../checkpoint/types.js";
import { GraphVersionMismatchError, UnknownNodeError } from "../errors.js";
import type { PlannedTask } from "../checkpoint/types.js";

/** A run's hold on a thread: the lease owner id, renewed in the background until released. */
export interface HeldThread {
  readonly owner: string;
  release(): Promise<void>;
}

/**
 * Takes the thread's lease (THREAD_BUSY if another run holds it) and renews it at a third of its
 * length while the run lasts. If the process dies, the lease expires and the thread is free again.
 */
export async function holdThread(
  checkpointer: Checkpointer,
  threadId: string,
): Promise<HeldThread> {
  const owner = randomUUID();
  await checkpointer.acquireLease(threadId, owner);
  const timer = setInterval(
    () => {
      checkpointer.renewLease(threadId, owner).catch(() => undefined);
    },
    Math.max(10, checkpointer.leaseMs / 3),
  );
  timer.unref();
  return {
    owner,
    release: async () => {
      clearInterval(timer);
      await checkpointer.releaseLease(threadId, owner);
    },
  };
}

/**
 * Checks the thread was started by this graph's structure. A new thread is pinned to it. A thread
 * of another version needs a registered migration (returned, for the caller to apply to the state)
 * or `allowGraphChange`; otherwise GRAPH_VERSION_MISMATCH.
 */
export async function pinGraph(
  checkpointer: Checkpointer,
  threadId: string,
  spec: GraphSpec,
  config: RunConfig,
  migrations: Readonly<Record<string, ThreadMigration>>,
): Promise<{ from: GraphIdentity; migrate: ThreadMigration } | undefined> {
  const current: GraphIdentity = { name: spec.name, version: spec.version };
  const stored = (await checkpointer.getThread(threadId))?.graph;
  if (stored && stored.name === current.name && stored.version === current.version)
    return undefined;
  if (stored) {
    const migrate = migrations[stored.version];
    if (migrate) return { from: stored, migrate };
    if (!config.allowGraphChange) throw new GraphVersionMismatchError(threadId, stored, current);
  }
  await checkpointer.setThreadGraph(threadId, current);
  return undefined;
}

/** The plan a migration leaves: its `next` if given, else the old plan minus nodes that are gone. */
export function migratedPlan(
  spec: GraphSpec,
  previous: readonly PlannedTask[],
  next: readonly string[] | undefined,
): PlannedTask[] {
  if (next === undefined) return previous.filter((task) => spec.nodes.has(task.node));
  return next.map((node) => {
    if (!spec.nodes.has(node))
      throw new UnknownNodeError(node, "A migration's next", [...spec.nodes.keys()]);
    return { node, send: false };
  });
}

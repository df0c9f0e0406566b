import { randomUUID } from "node:crypto";
import type { GraphSpec } from "../graph/spec.js";
import type { RunConfig, ThreadMigration } from "../graph/types.js";
import type { Checkpointer, GraphIdentity } from "../checkpoint/types.js";
import {
  GraphVersionMismatchError,
  InvalidUpdateError,
  LeaseLostError,
  UnknownNodeError,
} from "../errors.js";
import type { PlannedTask } from "../checkpoint/types.js";
import { saveKeepingInterrupts, type CarriedState } from "./carry.js";
import { DEFAULT_ABANDONED_STEP_WAIT_MS, type RunContext } from "../runtime/run-context.js";
import type { StepTracker } from "../runtime/step-tracker.js";
import type { PendingTask, RunState } from "../runtime/run-state.js";

/** A run's hold on a thread: the lease owner id, renewed in the background until released. */
export interface HeldThread {
  readonly owner: string;
  /** True while the lease waits for the run's first commit to take it (holdThread's `deferred`). */
  readonly deferred: boolean;
  /** Takes a deferred lease now (THREAD_BUSY if another run holds it); else does nothing. */
  take(): Promise<void>;
  /** Records that a commit took the deferred lease (WriteOptions.acquireLease), `since` then. */
  takenByCommit(since: number): void;
  /** Records that a commit gave the lease back (WriteOptions.releaseLease): nothing to delete. */
  releasedByCommit(): void;
  /**
   * Resolves while the lease is surely held; throws LeaseLostError once it is not. Cheap: it asks
   * the store only when the last renewal is more than half a lease ago (a frozen process, a stalled
   * event loop), and then renews; a renewal is refused once another owner took the thread over.
   */
  check(): Promise<void>;
  /**
   * Stops renewing and deletes the lease. Never throws: a lease that cannot be deleted (the
   * storage failed) simply expires, and the thread is free again after `leaseMs`.
   */
  release(): Promise<void>;
}

/**
 * Takes the thread's lease (THREAD_BUSY if another run holds it) and renews it at a third of its
 * length while the run lasts. If the process dies, the lease expires and the thread is free again.
 * With `deferred` the lease is taken by the run's first write instead (see LeaseFoldingCheckpointer):
 * only for a run that read the thread as new and runs no user code before its first commit.
 */
export async function holdThread(
  checkpointer: Checkpointer,
  threadId: string,
  options: { deferred?: boolean } = {},
): Promise<HeldThread> {
  const owner = randomUUID();
  const { leaseMs } = checkpointer;
  let state: "deferred" | "held" | "released" = "deferred";
  let heldSince = 0;
  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  let taking: Promise<void> | undefined;
  const renew = async (): Promise<void> => {
    const at = Date.now();
    if (await checkpointer.renewLease(threadId, owner)) heldSince = Math.max(heldSince, at);
    else lost = true;
  };
  const held = (since: number): void => {
    state = "held";
    heldSince = since;
    timer = setInterval(() => void renew().catch(() => undefined), Math.max(10, leaseMs / 3));
    timer.unref();
  };
  const released = (): boolean => state === "released";
  const take = async (): Promise<void> => {
    if (state !== "deferred") return;
    taking ??= (async () => {
      const since = Date.now();
      await checkpointer.acquireLease(threadId, owner);
      // Released while the lease was being taken (the run failed meanwhile): give it back.
      if (released()) await checkpointer.releaseLease(threadId, owner);
      else held(since);
    })();
    await taking;
  };
  if (!options.deferred) await take();
  return {
    owner,
    get deferred() {
      return state === "deferred";
    },
    take,
    takenByCommit: held,
    releasedByCommit: () => {
      clearInterval(timer);
      state = "released";
    },
    check: async () => {
      if (state === "deferred") return take();
      if (state === "released")
        throw new LeaseLostError(threadId, "its durable step was not started");
      if (!lost && Date.now() - heldSince < leaseMs / 2) return;
      if (!lost) await renew();
      if (lost) throw new LeaseLostError(threadId, "its durable step was not started");
    },
    release: async () => {
      clearInterval(timer);
      const was = state;
      state = "released";
      if (was !== "held") return;
      await checkpointer.releaseLease(threadId, owner).catch(() => undefined);
    },
  };
}

/**
 * Lets go of the thread once no ctx.step of the run is running: a step an abandoned attempt is
 * inside gets recorded under the lease, so the next run reuses it instead of calling it again.
 * Past `waitMs` the caller gets its answer and the lease stays held (renewed) until the step ends.
 */
export async function releaseAfterSteps(
  held: HeldThread,
  steps: StepTracker,
  waitMs: number | undefined,
): Promise<void> {
  if (await steps.settle(waitMs ?? DEFAULT_ABANDONED_STEP_WAIT_MS)) return held.release();
  void steps
    .settle(Number.POSITIVE_INFINITY)
    .then(() => held.release())
    .catch(() => undefined);
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
): Promise<GraphPin> {
  const current: GraphIdentity = { name: spec.name, version: spec.version };
  const thread = await checkpointer.getThread(threadId);
  // A new thread is pinned by its first checkpoint's commit: a refused input leaves no trace.
  const stored = thread?.graph;
  if (!stored) return { migration: undefined };
  if (stored.name === current.name && stored.version === current.version) {
    return { migration: undefined };
  }
  const migrate = migrations[stored.version];
  if (migrate) return { migration: { from: stored, migrate } };
  if (!config.allowGraphChange) throw new GraphVersionMismatchError(threadId, stored, current);
  await checkpointer.setThreadGraph(threadId, current);
  return { migration: undefined };
}

export interface GraphPin {
  /** The registered migration to apply first, when the thread came from another version. */
  readonly migration: { from: GraphIdentity; migrate: ThreadMigration } | undefined;
}

/**
 * Replaces the thread's state with what a registered migration makes of it, in an `update`
 * checkpoint with `metadata.migratedFrom`, and pins the thread to this graph's version. Interrupts
 * of tasks the new plan keeps keep waiting; dropping one needs `discardInterrupts`.
 */
export async function migrateThread(
  run: RunContext,
  state: RunState,
  pending: ReadonlyMap<string, PendingTask>,
  migration: { from: GraphIdentity; migrate: ThreadMigration },
): Promise<CarriedState> {
  const { spec } = run;
  const migrated = await migration.migrate({
    values: state.values,
    next: state.next.map((task) => task.node),
  });
  const unknown = Object.keys(migrated.values).find((key) => !spec.channels.has(key));
  if (unknown !== undefined) {
    throw new InvalidUpdateError("migration", unknown, "the state has no such key");
  }
  const values: Record<string, unknown> = {};
  for (const channel of spec.channels.values()) {
    const value = migrated.values[channel.key];
    if (value !== undefined) values[channel.key] = value;
    else if (channel.initial) values[channel.key] = channel.initial();
  }
  const saved = await saveKeepingInterrupts(
    run,
    state,
    pending,
    {
      source: "update",
      step: state.step + 1,
      values,
      updates: new Map(),
      next: migratedPlan(spec, state.next, migrated.next),
      barriers: {},
      metadata: { ...run.config.metadata, migratedFrom: migration.from.version },
      replace: true,
    },
    `Migrating from graph version ${migration.from.version}`,
  );
  await run.checkpointer?.setThreadGraph(run.threadId as string, {
    name: spec.name,
    version: spec.version,
  });
  return saved;
}

/** The plan a migration leaves: its `next` if given, else the old plan minus nodes that are gone. */
function migratedPlan(
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

import type { GraphSpec } from "../graph/spec.js";
import type { Configurable } from "../graph/types.js";
import { isNamespaceKey, namespaceKey, rootThreadOf } from "../checkpoint/namespace.js";
import type { Checkpointer, CheckpointTuple } from "../checkpoint/types.js";
import { subgraphNamespaces } from "../runtime/subgraph-host.js";
import { knownGraph } from "./known-graphs.js";
import { checkpointConfig } from "../runtime/loop.js";
import { publicInterrupt, type PendingInterrupt } from "../runtime/interrupt.js";
import { pendingTasks, stateFromTuple, taskId } from "../runtime/run-state.js";
import type { TaskTiming } from "../runtime/task-timing.js";
import { withWrites } from "../runtime/writes.js";

export interface StateTask {
  readonly id: string;
  readonly name: string;
  /** Set when the task failed in the last attempt of this superstep. */
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
  /** Set when the task finished: the update it returned (kept even if its superstep failed). */
  readonly result?: unknown;
  readonly interrupts: readonly PendingInterrupt[];
  /** How the task ran, when it finished or failed (a committed superstep's are `metadata.timings`). */
  readonly timing?: TaskTiming;
  /**
   * With `getState(config, { subgraphs: true })`, for a waiting task of a subgraph node whose child
   * has checkpoints: the child's state, as a snapshot of its own (namespace in its config).
   */
  readonly state?: StateSnapshot<unknown>;
}

/** A checkpoint as LangGraph.js users know it. */
export interface StateSnapshot<State> {
  readonly values: State;
  /** Nodes still to run from this checkpoint (finished tasks of a failed superstep excluded). */
  readonly next: readonly string[];
  readonly tasks: readonly StateTask[];
  readonly config: { configurable: Configurable };
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  readonly createdAt: string | undefined;
  readonly parentConfig: { configurable: Configurable } | undefined;
}

export interface HistoryOptions {
  limit?: number;
  /** Only checkpoints whose metadata has these values, e.g. `{ source: "update" }`. */
  filter?: Readonly<Record<string, unknown>>;
  /** Only checkpoints older than the one this config names. */
  before?: { configurable?: Configurable };
}

/** What getState returns for a thread with no checkpoint (as LangGraph.js does). */
export function emptySnapshot(threadId: string): StateSnapshot<Record<string, never>> {
  return {
    values: {},
    next: [],
    tasks: [],
    config: { configurable: { thread_id: threadId, checkpoint_ns: "" } },
    metadata: undefined,
    createdAt: undefined,
    parentConfig: undefined,
  };
}

export function toSnapshot(spec: GraphSpec, tuple: CheckpointTuple): StateSnapshot<unknown> {
  const state = stateFromTuple(spec, tuple);
  const { checkpoint } = tuple;
  const threadId = rootThreadOf(tuple.threadId);
  const namespace = isNamespaceKey(tuple.threadId)
    ? tuple.threadId.slice(threadId.length + 1)
    : undefined;
  const pending = pendingTasks(tuple);
  const next: string[] = [];
  // Like LangGraph.js, the values include what finished tasks of an unfinished superstep wrote.
  let values = state.values;
  const tasks = checkpoint.next.map((task, index): StateTask => {
    const id = taskId(state, index);
    const known = pending.get(id);
    const timing = known?.timing;
    if (known?.output) {
      values = withWrites(values, known.output.writes, spec.channels);
      const result = known.output.update;
      return timing
        ? { id, name: task.node, interrupts: [], result, timing }
        : { id, name: task.node, interrupts: [], result };
    }
    next.push(task.node);
    const interrupts = known?.interrupt ? [publicInterrupt(known.interrupt)] : [];
    if (!known?.error) return { id, name: task.node, interrupts };
    return timing
      ? { id, name: task.node, error: known.error, interrupts, timing }
      : { id, name: task.node, error: known.error, interrupts };
  });
  return {
    values,
    next,
    tasks,
    config: snapshotConfig(threadId, namespace, checkpoint.id),
    metadata: checkpoint.metadata,
    createdAt: checkpoint.createdAt,
    parentConfig:
      checkpoint.parentId === undefined
        ? undefined
        : snapshotConfig(threadId, namespace, checkpoint.parentId),
  };
}

function snapshotConfig(
  threadId: string,
  namespace: string | undefined,
  id: string,
): { configurable: Configurable } {
  if (namespace === undefined) return checkpointConfig(threadId, id);
  return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: id } };
}

/**
 * The snapshot with each unfinished task that invoked a graph given that child's state
 * (`tasks[].state`: the last graph the task invoked, the one it waits on), nested to any depth.
 * A child is read with the structure of the node's compiled graph (`addNode(name, compiled)`), or
 * for a graph invoked from inside a node, with the graph its namespace is bound to, when that
 * graph is compiled in this process.
 */
export async function withSubgraphStates(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  tuple: CheckpointTuple,
  snapshot: StateSnapshot<unknown>,
): Promise<StateSnapshot<unknown>> {
  const pending = pendingTasks(tuple);
  const root = rootThreadOf(tuple.threadId);
  const tasks = await Promise.all(
    snapshot.tasks.map(async (task) => {
      const calls = subgraphNamespaces(pending.get(task.id)?.record.steps ?? {});
      const namespace = calls.at(-1);
      if (namespace === undefined || task.result !== undefined) return task;
      const key = namespaceKey(root, namespace);
      const declared = calls.length === 1 ? spec.nodes.get(task.name)?.subgraph : undefined;
      const child = declared ?? (await boundGraph(checkpointer, key));
      const childTuple = child && (await checkpointer.getTuple(key));
      if (!child || !childTuple) return task;
      const state = await withSubgraphStates(
        child,
        checkpointer,
        childTuple,
        toSnapshot(child, childTuple),
      );
      return { ...task, state };
    }),
  );
  return { ...snapshot, tasks };
}

/** The compiled structure of the graph a namespace is bound to, if this process knows it. */
async function boundGraph(checkpointer: Checkpointer, key: string): Promise<GraphSpec | undefined> {
  const identity = (await checkpointer.getThread(key))?.graph;
  return identity ? knownGraph(identity) : undefined;
}

import type { GraphSpec } from "../graph/spec.js";
import type { Configurable } from "../graph/types.js";
import type { CheckpointTuple } from "../checkpoint/types.js";
import { checkpointConfig } from "../runtime/loop.js";
import { publicInterrupt, type PendingInterrupt } from "../runtime/interrupt.js";
import { pendingTasks, stateFromTuple, taskId } from "../runtime/run-state.js";
import { withWrites } from "../runtime/writes.js";

export interface StateTask {
  readonly id: string;
  readonly name: string;
  /** Set when the task failed in the last attempt of this superstep. */
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
  /** Set when the task finished: the update it returned (kept even if its superstep failed). */
  readonly result?: unknown;
  readonly interrupts: readonly PendingInterrupt[];
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
  const { checkpoint, threadId } = tuple;
  const pending = pendingTasks(tuple);
  const next: string[] = [];
  // Like LangGraph.js, the values include what finished tasks of an unfinished superstep wrote.
  let values = state.values;
  const tasks = checkpoint.next.map((task, index): StateTask => {
    const id = taskId(state, index);
    const known = pending.get(id);
    if (known?.output) {
      values = withWrites(values, known.output.writes, spec.channels);
      return { id, name: task.node, interrupts: [], result: known.output.update };
    }
    next.push(task.node);
    const interrupts = known?.interrupt ? [publicInterrupt(known.interrupt)] : [];
    return known?.error
      ? { id, name: task.node, error: known.error, interrupts }
      : { id, name: task.node, interrupts };
  });
  return {
    values,
    next,
    tasks,
    config: checkpointConfig(threadId, checkpoint.id),
    metadata: checkpoint.metadata,
    createdAt: checkpoint.createdAt,
    parentConfig:
      checkpoint.parentId === undefined
        ? undefined
        : checkpointConfig(threadId, checkpoint.parentId),
  };
}

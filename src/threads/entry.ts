import { START, type Send } from "../graph/constants.js";
import { CheckpointNotFoundError, MissingInputError, SerializationError } from "../errors.js";
import { applyStep } from "../runtime/apply.js";
import { emitCheckpoint, saveStep } from "../runtime/loop.js";
import { routerContext, type RunContext } from "../runtime/run-context.js";
import {
  emptyState,
  pendingTasks,
  stateFromTuple,
  type PendingTask,
  type RunState,
} from "../runtime/run-state.js";
import { routeAfter } from "../runtime/route.js";
import { parseInput, withWrites, type TaskOutput } from "../runtime/writes.js";

export interface LoadedThread {
  readonly state: RunState;
  /** What the tasks of the superstep after this checkpoint left before it stopped. */
  readonly pending: Map<string, PendingTask>;
  /** True when the config named a checkpoint that is not the thread's latest. */
  readonly superseded: boolean;
}

/** Loads the thread's latest checkpoint, or the one `configurable.checkpoint_id` names. */
export async function loadThread(run: RunContext): Promise<LoadedThread> {
  const { checkpointer, threadId, spec } = run;
  if (!checkpointer || threadId === undefined) {
    return { state: emptyState(spec), pending: new Map(), superseded: false };
  }
  const checkpointId = run.configurable.checkpoint_id;
  const tuple = await checkpointer.getTuple(threadId, checkpointId);
  if (!tuple) {
    if (checkpointId !== undefined) throw new CheckpointNotFoundError(threadId, checkpointId);
    return { state: emptyState(spec), pending: new Map(), superseded: false };
  }
  const state = stateFromTuple(spec, tuple);
  const pending = pendingTasks(tuple);
  if (checkpointId === undefined) return { state, pending, superseded: false };
  const latest = await checkpointer.getTuple(threadId);
  return { state, pending, superseded: latest?.checkpoint.id !== tuple.checkpoint.id };
}

/** Continuing from an older checkpoint branches the thread: a copy of it marks the branch point. */
export function forkFrom(run: RunContext, state: RunState): Promise<RunState> | RunState {
  return saveStep(run, state, {
    source: "fork",
    step: state.step + 1,
    values: state.values,
    updates: new Map(),
    next: state.next,
    barriers: state.barriers,
    metadata: run.config.metadata,
  });
}

/**
 * Applies a run's input as START's writes and plans the first superstep from START's edges (or a
 * Command's goto), in one `input` checkpoint. Tasks still planned from an earlier run are dropped.
 */
export async function applyInput(
  run: RunContext,
  state: RunState,
  input: unknown,
  commandGoto: Array<string | Send> | undefined,
): Promise<RunState> {
  const { spec } = run;
  const writes = parseInput(input, spec.channels);
  if (!state.checkpoint) refuseMissingKeys(run, withWrites(state.values, writes, spec.channels));
  const ctx = routerContext(run, START, state);
  const goto =
    commandGoto && commandGoto.length > 0
      ? await routeAfter("", writes, commandGoto, state.values, ctx, spec)
      : await routeAfter(START, writes, [], state.values, ctx, spec);
  const step = state.step + 1;
  const output: TaskOutput = { writes, goto, update: input };
  const applied = applyStep(spec, state.values, {}, [START], [output], step);
  let saved: RunState;
  try {
    saved = await saveStep(run, state, {
      source: "input",
      step,
      values: applied.values,
      updates: applied.updates,
      next: applied.next,
      barriers: state.barriers,
      metadata: run.config.metadata,
    });
  } catch (error) {
    throw error instanceof SerializationError ? error.forNode(START) : error;
  }
  if (saved.checkpoint) run.observer?.checkpoint(saved.step, saved.checkpoint.id, "input");
  if (writes.length > 0 && run.emitter?.modes.has("values")) {
    run.emitter.emit("values", saved.values);
  }
  emitCheckpoint(run, saved);
  return saved;
}

/**
 * A thread's first state must satisfy the schema: every key that has no default, no reducer and
 * is not optional must be in the input (MISSING_INPUT otherwise, before anything is stored).
 */
function refuseMissingKeys(run: RunContext, values: Readonly<Record<string, unknown>>): void {
  const missing: string[] = [];
  for (const channel of run.spec.channels.values()) {
    if (channel.reduce || channel.initial || values[channel.key] !== undefined) continue;
    if (!channel.updateSchema.safeParse(undefined).success) missing.push(channel.key);
  }
  if (missing.length > 0) throw new MissingInputError(missing, run.threadId);
}

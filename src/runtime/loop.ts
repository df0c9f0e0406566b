import type { GraphSpec, NodeSpec } from "../graph/spec.js";
import type { Configurable } from "../graph/types.js";
import type { AuditEntry } from "../checkpoint/types.js";
import {
  CancelledError,
  ConcurrentUpdateError,
  RecursionLimitError,
  SerializationError,
} from "../errors.js";
import { applyStep, type AppliedStep } from "./apply.js";
import {
  advanceState,
  commitStep,
  prepareCommit,
  writeCommit,
  type StepToCommit,
} from "./commit.js";
import { failConflictingTasks } from "./failed-step.js";
import type { InterruptRecord } from "./interrupt.js";
import type { RunContext } from "./run-context.js";
import { taskId, type PendingTask, type RunState } from "./run-state.js";
import { runSuperstep, type SuperstepHooks, type SuperstepResult } from "./superstep.js";
import { isPromiseLike } from "./abort-race.js";
import type { Task } from "./task.js";
import { stepMetadata } from "./task-timing.js";
import { usageByNode } from "./usage.js";
import { withWrites, type TaskOutput } from "./writes.js";

const EMPTY_PENDING: ReadonlyMap<string, PendingTask> = new Map();
const EMPTY_ANSWERS: ReadonlyMap<string, unknown> = new Map();

export interface LoopResult {
  readonly state: RunState;
  /** What the caller sees: the state, plus what finished tasks of an unfinished superstep wrote. */
  readonly values: Readonly<Record<string, unknown>>;
  /** True when a breakpoint or an interrupt stopped the run with work left. */
  readonly paused: boolean;
  /** The interrupts the run waits on (empty after a static breakpoint). */
  readonly interrupts: readonly InterruptRecord[];
}

/**
 * The superstep loop: run the planned tasks, apply their writes at once, checkpoint, repeat until
 * nothing is planned, a breakpoint fires, a task interrupts, or the recursion limit is reached.
 * `pending` holds what the tasks of the first superstep left when an earlier run of it stopped
 * (finished outputs are reused, not re-run); `answers` resumes interrupted tasks by task id.
 * `resuming` skips the interruptBefore breakpoint the previous call stopped at.
 */
export async function runLoop(
  run: RunContext,
  start: RunState,
  pending: ReadonlyMap<string, PendingTask>,
  answers: ReadonlyMap<string, unknown>,
  resuming: boolean,
): Promise<LoopResult> {
  let state = start;
  let known = pending;
  let given = answers;
  let skipBreakpoint = resuming;
  let step = state.step + 1;
  // Made once per run: the superstep they report for is `step`'s value when they are called.
  const started = (task: Task): void => emitTaskStart(run, task, step);
  const finished = (task: Task, output: TaskOutput): void =>
    emitTaskResult(run, task, output, step);
  // A continued run starts by showing where it continues from, as LangGraph's streams do.
  if (resuming && run.emitter?.modes.has("values")) run.emitter.emit("values", state.values);
  for (let executed = 0; state.next.length > 0; executed += 1) {
    if (!skipBreakpoint && state.next.some((task) => run.interruptBefore.has(task.node))) {
      emitPaused(run, []);
      return { state, values: state.values, paused: true, interrupts: [] };
    }
    skipBreakpoint = false;
    step = state.step + 1;
    if (run.controller.signal.aborted) throw new CancelledError(step, run.threadId);
    if (executed >= run.recursionLimit)
      throw new RecursionLimitError(run.recursionLimit, run.threadId);

    const tasks = planTasks(run.spec, state);
    const observer = run.observer?.superstep(
      step,
      tasks.map((task) => task.node.name),
    );
    const hooks: SuperstepHooks = { started, finished, observer };
    let result: SuperstepResult;
    let applied: AppliedStep;
    let outputs: TaskOutput[];
    let nodes: string[];
    try {
      // Awaited even when the superstep ran synchronously: the loop yields once per superstep, so
      // a cancellation or a stream reader gets its turn however fast the nodes are.
      result = await runSuperstep(run, state, tasks, step, known, given, hooks);
      known = EMPTY_PENDING;
      given = EMPTY_ANSWERS;
      if (result.interrupts.length > 0) {
        // The superstep is not over: it commits when every interrupt has been answered.
        observer?.end("paused");
        emitPaused(run, result.interrupts);
        // As getState shows it: finished siblings' writes folded in, in plan order.
        let values = state.values;
        for (const output of result.outputs) {
          if (output) values = withWrites(values, output.writes, run.spec.channels);
        }
        return { state, values, paused: true, interrupts: result.interrupts };
      }
      outputs = result.outputs as TaskOutput[];
      nodes = tasks.map((task) => task.node.name);
      const maybeApplied = applyOrFail(run, state, tasks, nodes, outputs, result, step);
      applied = isPromiseLike(maybeApplied) ? await maybeApplied : maybeApplied;
      const usage = usageByNode(nodes, outputs);
      const toCommit: StepToCommit = {
        source: "loop",
        step,
        values: applied.values,
        updates: applied.updates,
        next: applied.next,
        barriers: applied.barriers,
        metadata: stepMetadata(run.config.metadata, usage, result.timings),
      };
      const commit = commitSuperstep(run, state, toCommit, result.uncommittedAudit);
      if (commit.written) {
        try {
          await commit.written;
        } catch (error) {
          throw namedForTask(error, result.uncommitted);
        }
      }
      state = commit.state;
    } catch (error) {
      observer?.end("failed", error);
      throw error;
    }
    if (observer) {
      if (state.checkpoint) observer.checkpoint(state.checkpoint.id);
      observer.end("committed");
    }
    if (result.uncommitted) emitTaskResult(run, result.uncommitted, outputs[0] as TaskOutput, step);
    emitStepEnd(run, state, applied.updates.size > 0);

    if (state.next.length > 0 && nodes.some((node) => run.interruptAfter.has(node))) {
      emitPaused(run, []);
      return { state, values: state.values, paused: true, interrupts: [] };
    }
  }
  return { state, values: state.values, paused: false, interrupts: [] };
}

/** Applies the superstep's writes; on CONCURRENT_UPDATE its writers are stored as failed first. */
function applyOrFail(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  nodes: readonly string[],
  outputs: readonly TaskOutput[],
  { records, timings }: Pick<SuperstepResult, "records" | "timings">,
  step: number,
): AppliedStep | Promise<AppliedStep> {
  try {
    return applyStep(run.spec, state.values, state.barriers, nodes, outputs, step);
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    return failConflictingTasks(run, state, tasks, outputs, records, timings, error).then(
      (failure) => {
        throw failure;
      },
    );
  }
}

/** Commits `step` (with `audit`, the entries of answers it stores) under the run's lease. */
export function saveStep(
  run: RunContext,
  from: RunState,
  step: StepToCommit,
  audit: readonly AuditEntry[] = [],
): Promise<RunState> | RunState {
  if (!run.checkpointer || run.threadId === undefined) return advanceState(from, step);
  return commitStep(run.spec, run.checkpointer, run.threadId, from, step, {
    lease: run.lease,
    audit,
  });
}

/**
 * Saves the superstep: the state the run moves on to, and the write to wait for when there is a
 * checkpointer. One promise per superstep: the checkpointer's.
 */
function commitSuperstep(
  run: RunContext,
  state: RunState,
  step: StepToCommit,
  audit: readonly AuditEntry[],
): { readonly state: RunState; readonly written?: Promise<void> } {
  if (!run.checkpointer || run.threadId === undefined) return { state: advanceState(state, step) };
  const prepared = prepareCommit(run.spec, state, step);
  const written = writeCommit(run.spec, run.checkpointer, run.threadId, prepared, {
    lease: run.lease,
    audit,
  });
  return { state: prepared.state, written };
}

/** A value the lone task wrote that cannot be stored names that task's node. */
function namedForTask(error: unknown, lone: Task | undefined): unknown {
  return lone && error instanceof SerializationError ? error.forNode(lone.node.name) : error;
}

function planTasks(spec: GraphSpec, state: RunState): Task[] {
  return state.next.map((planned, index) => ({
    id: taskId(state, index),
    node: spec.nodes.get(planned.node) as NodeSpec,
    input: planned.send ? planned.arg : state.values,
    send: planned.send,
  }));
}

function emitTaskStart(run: RunContext, task: Task, step: number): void {
  if (!run.emitter?.modes.has("debug")) return;
  run.emitter.emit("debug", {
    type: "task",
    timestamp: new Date().toISOString(),
    step,
    payload: { id: task.id, name: task.node.name, input: task.input, triggers: [] },
  });
}

/** Streams a task's result as soon as it finishes (LangGraph order: completion order). */
function emitTaskResult(run: RunContext, task: Task, output: TaskOutput, step: number): void {
  const emitter = run.emitter;
  if (!emitter) return;
  if (emitter.modes.has("updates")) {
    const update = { [task.node.name]: output.update ?? {} };
    // LangGraph marks a result served by the node cache so in the task's update chunk.
    emitter.emit("updates", output.cached ? { ...update, __metadata__: { cached: true } } : update);
  }
  // As LangGraph, a cached result has no task_result event: the node did not run.
  if (emitter.modes.has("debug") && !output.cached) {
    emitter.emit("debug", {
      type: "task_result",
      timestamp: new Date().toISOString(),
      step,
      payload: {
        id: task.id,
        name: task.node.name,
        result: Object.fromEntries(output.writes),
        interrupts: [],
      },
    });
  }
}

function emitStepEnd(run: RunContext, state: RunState, changed: boolean): void {
  const emitter = run.emitter;
  if (!emitter) return;
  // As in LangGraph.js, a superstep that wrote nothing yields no new `values` chunk.
  if (changed && emitter.modes.has("values")) emitter.emit("values", state.values);
  emitCheckpoint(run, state);
}

/** A `debug` event for the checkpoint `state` was just saved as. */
export function emitCheckpoint(run: RunContext, state: RunState): void {
  if (!run.emitter?.modes.has("debug") || !state.checkpoint) return;
  run.emitter.emit("debug", {
    type: "checkpoint",
    timestamp: new Date().toISOString(),
    step: state.step,
    payload: debugCheckpoint(run, state),
  });
}

/** The run paused: streamed as LangGraph does, an `__interrupt__` list in both modes. */
function emitPaused(run: RunContext, interrupts: readonly InterruptRecord[]): void {
  const payload = { __interrupt__: interrupts.map(({ id, value }) => ({ id, value })) };
  if (run.emitter?.modes.has("updates")) run.emitter.emit("updates", payload);
  if (run.emitter?.modes.has("values")) run.emitter.emit("values", payload);
}

export function debugCheckpoint(run: RunContext, state: RunState): unknown {
  return {
    config: state.checkpoint
      ? checkpointConfig(run.threadId as string, state.checkpoint.id)
      : undefined,
    values: state.values,
    metadata: state.checkpoint?.metadata ?? { source: "loop", step: state.step },
    next: state.next.map((task) => task.node),
    parentConfig:
      state.checkpoint?.parentId !== undefined
        ? checkpointConfig(run.threadId as string, state.checkpoint.parentId)
        : undefined,
  };
}

export function checkpointConfig(
  threadId: string,
  checkpointId: string,
): { configurable: Configurable } {
  return { configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: checkpointId } };
}

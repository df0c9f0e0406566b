import type { GraphSpec, NodeSpec } from "../graph/spec.js";
import type { Configurable, RunConfig } from "../graph/types.js";
import type { Checkpointer } from "../checkpoint/types.js";
import {
  CancelledError,
  RecursionLimitError,
  SerializationError,
  SwitchyardError,
} from "../errors.js";
import { applyStep } from "./apply.js";
import { advanceState, commitStep, type StepToCommit } from "./commit.js";
import { encodeTaskOutput, ERROR_CHANNEL, taskId, type RunState } from "./run-state.js";
import { runTask, type Task, type TaskEnvironment } from "./task.js";
import type { TaskOutput } from "./writes.js";

export type StreamMode = "values" | "updates" | "custom" | "debug";

export interface Emitter {
  readonly modes: ReadonlySet<StreamMode>;
  emit(mode: StreamMode, payload: unknown): void;
}

/** One call of invoke/stream: fixed for its whole duration. */
export interface RunContext {
  readonly spec: GraphSpec;
  readonly checkpointer: Checkpointer | undefined;
  readonly threadId: string | undefined;
  readonly config: RunConfig;
  readonly configurable: Configurable;
  /** Aborted on cancellation (reason CANCELLED) or when a task fails (reason TASK_FAILED). */
  readonly controller: AbortController;
  readonly emitter: Emitter | undefined;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly recursionLimit: number;
  readonly maxConcurrency: number;
  /** The owner id of the thread lease this run holds; every write is refused without it. */
  readonly lease: string | undefined;
}

export const CANCELLED = Symbol("cancelled");
export const TASK_FAILED = Symbol("task failed");

export interface LoopResult {
  readonly state: RunState;
  /** True when a breakpoint stopped the run with work left. */
  readonly paused: boolean;
}

/**
 * The superstep loop: run the planned tasks, apply their writes at once, checkpoint, repeat until
 * nothing is planned, a breakpoint fires, or the recursion limit is reached. `finished` holds the
 * outputs of tasks that completed before an earlier run of this superstep stopped; they are reused,
 * not re-run. `resuming` skips the interruptBefore breakpoint the previous call stopped at.
 */
export async function runLoop(
  run: RunContext,
  start: RunState,
  finished: ReadonlyMap<string, TaskOutput>,
  resuming: boolean,
): Promise<LoopResult> {
  let state = start;
  let done = finished;
  let skipBreakpoint = resuming;
  for (let executed = 0; state.next.length > 0; executed += 1) {
    if (!skipBreakpoint && state.next.some((task) => run.interruptBefore.has(task.node))) {
      emitPaused(run);
      return { state, paused: true };
    }
    skipBreakpoint = false;
    const step = state.step + 1;
    if (run.controller.signal.aborted) throw new CancelledError(step, run.threadId);
    if (executed >= run.recursionLimit)
      throw new RecursionLimitError(run.recursionLimit, run.threadId);

    const tasks = planTasks(run.spec, state);
    emitTaskStarts(run, tasks, step);
    const outputs = await runTasks(run, state, tasks, step, done);
    done = new Map();
    const nodes = tasks.map((task) => task.node.name);
    const applied = applyStep(run.spec, state.values, state.barriers, nodes, outputs, step);
    const toCommit: StepToCommit = {
      source: "loop",
      step,
      ...applied,
      metadata: run.config.metadata,
    };
    state = await saveStep(run, state, toCommit);
    emitStepEnd(run, state, step, applied.updates.size > 0);

    if (state.next.length > 0 && nodes.some((node) => run.interruptAfter.has(node))) {
      emitPaused(run);
      return { state, paused: true };
    }
  }
  return { state, paused: false };
}

export function saveStep(
  run: RunContext,
  from: RunState,
  step: StepToCommit,
): Promise<RunState> | RunState {
  if (!run.checkpointer || run.threadId === undefined) return advanceState(from, step);
  return commitStep(run.spec, run.checkpointer, run.threadId, from, step, run.lease);
}

function planTasks(spec: GraphSpec, state: RunState): Task[] {
  return state.next.map((planned, index) => ({
    id: taskId(state, index),
    node: spec.nodes.get(planned.node) as NodeSpec,
    input: planned.send ? planned.arg : state.values,
    send: planned.send,
  }));
}

/**
 * Runs the superstep's unfinished tasks concurrently (up to maxConcurrency). Each finished task's
 * output is persisted as pending writes before the superstep commits. On the first failure the
 * running siblings are aborted and the failure is thrown; finished siblings keep their writes.
 */
async function runTasks(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  step: number,
  finished: ReadonlyMap<string, TaskOutput>,
): Promise<TaskOutput[]> {
  const outputs: Array<TaskOutput | undefined> = tasks.map((task) => finished.get(task.id));
  const todo = tasks.flatMap((_, index) => (outputs[index] ? [] : [index]));
  tasks.forEach((task, index) => {
    const reused = outputs[index];
    if (reused) emitTaskResult(run, task, reused, step);
  });
  if (todo.length === 0) return outputs as TaskOutput[];
  const signal = run.controller.signal;
  const env: TaskEnvironment = {
    spec: run.spec,
    config: run.config,
    configurable: run.configurable,
    threadId: run.threadId,
    step,
    signal,
    values: state.values,
    writer: run.emitter?.modes.has("custom")
      ? (_node: string, event: unknown) => run.emitter?.emit("custom", event)
      : () => undefined,
  };
  const checkpointId = state.checkpoint?.id;
  const persist = run.checkpointer && run.threadId !== undefined && checkpointId !== undefined;
  let failure: { error: unknown } | undefined;
  let cursor = 0;
  const worker = async (): Promise<void> => {
    while (cursor < todo.length && failure === undefined && !signal.aborted) {
      const index = todo[cursor] as number;
      cursor += 1;
      const task = tasks[index] as Task;
      try {
        const output = await runTask(task, env);
        if (persist) await persistOutput(run, checkpointId, task, output);
        outputs[index] = output;
        emitTaskResult(run, task, output, step);
      } catch (error) {
        if (signal.aborted) return;
        failure = { error };
        run.controller.abort(TASK_FAILED);
        if (persist) await recordFailure(run, checkpointId, task.id, error);
      }
    }
  };
  const workers = Math.min(run.maxConcurrency, todo.length);
  if (workers === 1) await worker();
  else await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  if (signal.aborted) throw new CancelledError(step, run.threadId);
  return outputs as TaskOutput[];
}

async function persistOutput(
  run: RunContext,
  checkpointId: string,
  task: Task,
  output: TaskOutput,
): Promise<void> {
  try {
    const writes = encodeTaskOutput(output);
    await run.checkpointer?.putWrites(run.threadId as string, checkpointId, task.id, writes, {
      lease: run.lease,
    });
  } catch (error) {
    throw error instanceof SerializationError ? error.forNode(task.node.name) : error;
  }
}

async function recordFailure(
  run: RunContext,
  checkpointId: string,
  id: string,
  error: unknown,
): Promise<void> {
  const described = {
    name: error instanceof Error ? error.name : "Error",
    code: error instanceof SwitchyardError ? error.code : undefined,
    message: error instanceof Error ? error.message : String(error),
  };
  try {
    const writes = [[ERROR_CHANNEL, described]] as const;
    await run.checkpointer?.putWrites(run.threadId as string, checkpointId, id, writes, {
      lease: run.lease,
    });
  } catch {
    // The task's own error is what the caller needs; failing to record it must not mask it.
  }
}

function emitTaskStarts(run: RunContext, tasks: readonly Task[], step: number): void {
  if (!run.emitter?.modes.has("debug")) return;
  for (const task of tasks) {
    run.emitter.emit("debug", {
      type: "task",
      timestamp: new Date().toISOString(),
      step,
      payload: { id: task.id, name: task.node.name, input: task.input, triggers: [] },
    });
  }
}

/** Streams a task's result as soon as it finishes (LangGraph order: completion order). */
function emitTaskResult(run: RunContext, task: Task, output: TaskOutput, step: number): void {
  const emitter = run.emitter;
  if (!emitter) return;
  if (emitter.modes.has("updates"))
    emitter.emit("updates", { [task.node.name]: output.update ?? {} });
  if (emitter.modes.has("debug")) {
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

function emitStepEnd(run: RunContext, state: RunState, step: number, changed: boolean): void {
  const emitter = run.emitter;
  if (!emitter) return;
  // As in LangGraph.js, a superstep that wrote nothing yields no new `values` chunk.
  if (changed && emitter.modes.has("values")) emitter.emit("values", state.values);
  if (emitter.modes.has("debug") && state.checkpoint) {
    emitter.emit("debug", {
      type: "checkpoint",
      timestamp: new Date().toISOString(),
      step,
      payload: debugCheckpoint(run, state),
    });
  }
}

/** A breakpoint stopped the run: LangGraph streams an empty interrupt list in both modes. */
export function emitPaused(run: RunContext): void {
  if (run.emitter?.modes.has("updates")) run.emitter.emit("updates", { __interrupt__: [] });
  if (run.emitter?.modes.has("values")) run.emitter.emit("values", { __interrupt__: [] });
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

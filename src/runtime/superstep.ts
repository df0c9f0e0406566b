import { CancelledError, InvalidResumeError } from "../errors.js";
import {
  EMPTY_RECORD,
  InterruptSignal,
  recordOf,
  Rejection,
  type InterruptRecord,
  type TaskRecord,
  type TaskScope,
} from "./interrupt.js";
import type { RunContext } from "./loop.js";
import type { PendingTask, RunState } from "./run-state.js";
import { createTaskScope } from "./step.js";
import { StepTracker } from "./step-tracker.js";
import { runTask, type Task, type TaskEnvironment } from "./task.js";
import { TaskStore } from "./task-store.js";
import type { TaskOutput } from "./writes.js";

/** Aborts the run's signal when a task fails, so its running siblings stop. */
export const TASK_FAILED = Symbol("task failed");

export interface SuperstepResult {
  /** Per task, in plan order; undefined for tasks that are waiting on an interrupt. */
  readonly outputs: ReadonlyArray<TaskOutput | undefined>;
  /** Per task, in plan order: what it established (answers, durable steps). */
  readonly records: readonly TaskRecord[];
  /** Interrupts the superstep is waiting on: raised now, or still unanswered from before. */
  readonly interrupts: readonly InterruptRecord[];
  /**
   * A lone task whose writes were not stored as pending writes: the superstep's commit stores
   * them, one transaction instead of two. Report it (hooks.finished) once that commit is done.
   */
  readonly uncommitted: Task | undefined;
}

export interface SuperstepHooks {
  readonly started: (task: Task) => void;
  readonly finished: (task: Task, output: TaskOutput) => void;
}

/**
 * Runs the superstep's tasks concurrently (up to maxConcurrency). A task that finished before
 * (`pending` output) is reused; one waiting on an interrupt nobody answered stays waiting; the rest
 * run, an answered one with its answer. Each finished task's output is persisted as pending writes
 * before the superstep commits (except a lone task's: see `uncommitted`); an interrupted task
 * persists its record and the interrupt. On the
 * first failure the running siblings are aborted and the failure is thrown; finished siblings keep
 * their writes.
 */
export async function runSuperstep(
  run: RunContext,
  state: RunState,
  tasks: readonly Task[],
  step: number,
  pending: ReadonlyMap<string, PendingTask>,
  answers: ReadonlyMap<string, unknown>,
  hooks: SuperstepHooks,
): Promise<SuperstepResult> {
  const outputs: Array<TaskOutput | undefined> = [];
  const interrupts: InterruptRecord[] = [];
  const todo: number[] = [];
  const records = tasks.map((task) => pending.get(task.id)?.record ?? EMPTY_RECORD);
  tasks.forEach((task, index) => {
    const known = pending.get(task.id);
    outputs.push(known?.output);
    if (known?.output) hooks.finished(task, known.output);
    else if (known?.interrupt && !answers.has(task.id)) interrupts.push(known.interrupt);
    else todo.push(index);
  });
  if (todo.length === 0) return { outputs, records, interrupts, uncommitted: undefined };
  // With a single task there is no sibling whose failure could need this task's writes later.
  const lone = tasks.length === 1 ? (tasks[0] as Task) : undefined;
  let uncommitted: Task | undefined;

  const signal = run.controller.signal;
  const env: TaskEnvironment = {
    spec: run.spec,
    config: run.config,
    configurable: run.configurable,
    threadId: run.threadId,
    step,
    signal,
    abandonedStepWaitMs: run.abandonedStepWaitMs,
    values: state.values,
    writer: run.emitter?.modes.has("custom")
      ? (_node: string, event: unknown) => run.emitter?.emit("custom", event)
      : () => undefined,
    // LangGraph's [chunk, metadata] shape; both its key names and Switchyard's are given.
    onToken: run.emitter?.modes.has("messages")
      ? (node, superstep, chunk) =>
          run.emitter?.emit("messages", [
            chunk,
            { node, superstep, langgraph_node: node, langgraph_step: superstep },
          ])
      : undefined,
  };
  const checkpointId = state.checkpoint?.id;
  const store =
    run.checkpointer && run.threadId !== undefined && checkpointId !== undefined
      ? new TaskStore(run, checkpointId)
      : undefined;
  let failure: { error: unknown } | undefined;
  let cursor = 0;
  const worker = async (): Promise<void> => {
    while (cursor < todo.length && failure === undefined && !signal.aborted) {
      const index = todo[cursor] as number;
      cursor += 1;
      const task = tasks[index] as Task;
      const known = pending.get(task.id);
      const scope = taskScope(run, task, known, answers.get(task.id), store);
      hooks.started(task);
      try {
        const output = await runTask(task, env, scope);
        // A task is finished once the steps it started are recorded (a node may not await one).
        await scope.inFlight.settle(run.abandonedStepWaitMs);
        outputs[index] = output;
        records[index] = recordOf(scope);
        if (task === lone && store) {
          uncommitted = task;
        } else {
          await store?.finished(task, output, records[index]);
          hooks.finished(task, output);
        }
      } catch (error) {
        if (error instanceof InterruptSignal) {
          await scope.inFlight.settle(run.abandonedStepWaitMs);
          await store?.interrupted(task, scope, error.interrupt);
          interrupts.push(error.interrupt);
          continue;
        }
        if (signal.aborted) return;
        failure = { error };
        run.controller.abort(TASK_FAILED);
        // An invalid answer changes nothing: the task keeps waiting on its interrupt.
        if (!(error instanceof InvalidResumeError)) await store?.failed(task, scope, error);
      } finally {
        await store?.audit(task, scope, known, answers);
      }
    }
  };
  const workers = Math.min(run.maxConcurrency, todo.length);
  if (workers === 1) await worker();
  else await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  if (signal.aborted) throw new CancelledError(step, run.threadId);
  return { outputs, records, interrupts, uncommitted };
}

function taskScope(
  run: RunContext,
  task: Task,
  known: PendingTask | undefined,
  answer: unknown,
  store: TaskStore | undefined,
): TaskScope {
  const resumes = [...(known?.record.resumes ?? [])];
  const rejections = new Map(
    Object.entries(known?.record.rejections ?? {}).map(([index, reason]) => [
      Number(index),
      reason,
    ]),
  );
  const interrupt = known?.interrupt;
  if (interrupt && answer instanceof Rejection) {
    resumes[interrupt.index] = null;
    rejections.set(interrupt.index, answer.reason);
  } else if (interrupt && answer !== undefined) {
    resumes[interrupt.index] = answer;
  }
  return createTaskScope({
    taskId: task.id,
    node: task.node.name,
    durable: store !== undefined,
    resumes,
    rejections,
    steps: { ...known?.record.steps },
    inFlight: new StepTracker(run.steps),
    save: (record) => store?.record(task, record) ?? Promise.resolve(),
    beforeStep: run.beforeStep,
  });
}

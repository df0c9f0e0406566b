import { Rejection, type TaskScope } from "./interrupt.js";
import type { TaskObserver } from "./observer.js";
import type { RunContext } from "./run-context.js";
import type { PendingTask } from "./run-state.js";
import { createTaskScope } from "./step.js";
import { StepTracker } from "./step-tracker.js";
import type { SubgraphHost } from "./subgraph-host.js";
import type { Task } from "./task.js";
import type { TaskStore } from "./task-store.js";

/**
 * The scope a task's attempts run in: what an earlier run of it recorded (`known`: answers, durable
 * steps), plus the answer this run gives it. Durable when the run stores pending writes (`store`).
 */
export function taskScope(
  run: RunContext,
  task: Task,
  known: PendingTask | undefined,
  answer: unknown,
  store: TaskStore | undefined,
  observer: TaskObserver | undefined,
  host: SubgraphHost | undefined,
): TaskScope {
  const resumes = known ? [...known.record.resumes] : [];
  const rejections = new Map<number, string>();
  for (const [index, reason] of Object.entries(known?.record.rejections ?? {})) {
    rejections.set(Number(index), reason);
  }
  const interrupt = known?.interrupt;
  if (interrupt && answer instanceof Rejection) {
    resumes[interrupt.index] = null;
    rejections.set(interrupt.index, answer.reason);
  } else if (interrupt && answer !== undefined) {
    resumes[interrupt.index] = answer;
  }
  const scope: TaskScope = createTaskScope({
    taskId: task.id,
    node: task.node.name,
    durable: store !== undefined,
    resumes,
    rejections,
    steps: { ...known?.record.steps },
    inFlight: new StepTracker(run.steps),
    save: (record) => store?.record(task, scope, record) ?? Promise.resolve(),
    beforeStep: run.beforeStep,
    host: store ? host : undefined,
    observer,
  });
  return scope;
}

/** What a graph invoked inside a task of superstep `step` checkpoints with; none without storage. */
export function subgraphHost(run: RunContext, step: number): SubgraphHost | undefined {
  if (!run.checkpointer || run.threadId === undefined) return undefined;
  return {
    checkpointer: run.checkpointer,
    storageKey: run.threadId,
    threadId: run.userThreadId ?? run.threadId,
    namespace: run.namespace,
    step,
    lease: run.lease,
    beforeStep: run.beforeStep,
    steps: run.steps,
    answerKind: run.answerKind,
    allowGraphChange: run.config.allowGraphChange === true,
    emitter: run.emitter,
    budget: run.budget,
  };
}

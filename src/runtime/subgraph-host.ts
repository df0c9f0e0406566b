import type { Checkpointer } from "../checkpoint/types.js";
import type { BudgetTracker } from "./budget.js";
import type { Emitter } from "./run-context.js";
import type { StepTracker } from "./step-tracker.js";

/**
 * What a task offers a graph invoked inside it (`addNode("name", compiled)` or
 * `sub.invoke(input, ctx.runnableConfig)`): the parent thread's storage, lease and steps, so the
 * child checkpoints in the parent thread under a namespace, fenced by the parent's lease.
 * Reached through the task's scope, never through keys of a config object.
 */
export interface SubgraphHost {
  readonly checkpointer: Checkpointer;
  /** The parent's storage key: its thread id, or its own namespace key when it is a child. */
  readonly storageKey: string;
  /** The thread the user sees (the root of every namespace). */
  readonly threadId: string;
  /** The parent's namespace ("" for a thread's own graph). */
  readonly namespace: string;
  /** The parent's superstep. */
  readonly step: number;
  readonly lease: string | undefined;
  readonly beforeStep: () => Promise<void>;
  readonly steps: StepTracker;
  readonly answerKind: "resume" | "timeout";
  /** The run's `allowGraphChange`: a child in flight may go on with a changed structure. */
  readonly allowGraphChange: boolean;
  /** The parent run's stream, when it has one. */
  readonly emitter: Emitter | undefined;
  /** The parent run's budget: a child's model calls count against it. */
  readonly budget: BudgetTracker | undefined;
}

/** The namespace of the `call`-th graph invoked by a task (`node:taskId`, nested with `|`). */
export function childNamespace(host: SubgraphHost, node: string, taskId: string, call: number) {
  const own = call === 0 ? `${node}:${taskId}` : `${node}:${taskId}#${call}`;
  return host.namespace === "" ? own : `${host.namespace}|${own}`;
}

/** Where a task records how many of its answers the child in `namespace` has taken. */
export function answersTakenKey(namespace: string): string {
  return `\u001fsubgraph ${namespace}`;
}

/** Where a task records the namespace of the `call`-th graph it invoked. */
export function subgraphCallKey(call: number): string {
  return `\u001fsubgraph call ${call}`;
}

/** The namespaces of the graphs a task invoked, in call order, from its record's steps. */
export function subgraphNamespaces(steps: Readonly<Record<string, unknown>>): string[] {
  const namespaces: string[] = [];
  for (let call = 0; typeof steps[subgraphCallKey(call)] === "string"; call += 1) {
    namespaces.push(steps[subgraphCallKey(call)] as string);
  }
  return namespaces;
}

export { namespacePath } from "../checkpoint/namespace.js";

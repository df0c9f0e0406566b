import type { GraphSpec } from "../graph/spec.js";
import type { RunConfig } from "../graph/types.js";
import type { NodeCache } from "../checkpoint/cache.js";
import { namespaceKey } from "../checkpoint/namespace.js";
import {
  EmptyInputError,
  InvalidConfigError,
  NodeFailedError,
  SubgraphVersionMismatchError,
} from "../errors.js";
import { InterruptSignal, Rejection, type AttemptScope } from "../runtime/interrupt.js";
import { runLoop, type LoopResult } from "../runtime/loop.js";
import { CommandFromChild, forParent, ParentCommandSignal } from "../runtime/parent-command.js";
import { createRunContext, type Emitter, type RunContext } from "../runtime/run-context.js";
import {
  answersTakenKey,
  childNamespace,
  namespacePath,
  subgraphCallKey,
  type SubgraphHost,
} from "../runtime/subgraph-host.js";
import { observeRun, type RunTelemetry } from "../telemetry/run-span.js";
import { applyInput, loadThread } from "./entry.js";
import { waitingInterrupts } from "./resume.js";

export interface SubgraphGraph {
  readonly spec: GraphSpec;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly cache: NodeCache | undefined;
}

/**
 * Runs a graph invoked inside a task of a parent run, checkpointing in the parent thread under the
 * namespace `node:taskId` (nested with `|`). The task id is stable across re-runs of the parent
 * task, so a re-run finds the child where it stopped:
 * - waiting on an interrupt: the parent's answer (given to the parent task's interrupt, which has
 *   the child's interrupt id) resumes the child at the interrupted node; finished nodes and
 *   durable steps are not run again;
 * - stopped by a failure or a crash: the unfinished superstep is run again, finished tasks reused;
 * - finished: its result is returned without running it again.
 * An interrupt the child waits on stops the parent task with the same id and value.
 */
export async function runSubgraph(
  graph: SubgraphGraph,
  input: unknown,
  config: RunConfig,
  attempt: AttemptScope,
  host: SubgraphHost,
): Promise<LoopResult> {
  const task = attempt.task;
  if (graph.interruptBefore.size > 0 || graph.interruptAfter.size > 0) {
    throw new InvalidConfigError(
      `The graph "${graph.spec.name}" run as a subgraph by node "${task.node}" has static breakpoints ` +
        `(interruptBefore/interruptAfter), which subgraphs do not support yet. Compile it without ` +
        `them and call interrupt() in the node that should wait.`,
    );
  }
  // The namespace is fixed by the call's first run and kept in the task's record, so it survives
  // the task being carried to a new checkpoint (an updateState while the child waits).
  const callKey = subgraphCallKey(attempt.subgraphCalls);
  const known = task.steps[callKey];
  const namespace =
    typeof known === "string"
      ? known
      : childNamespace(host, task.node, task.taskId, attempt.subgraphCalls);
  task.steps[callKey] = namespace;
  attempt.subgraphCalls += 1;
  const configurable = { ...config.configurable, checkpoint_ns: namespace };
  delete configurable.checkpoint_id;
  const threadId = namespaceKey(host.threadId, namespace);
  const telemetry = observeRun({
    spec: graph.spec,
    threadId: host.threadId,
    namespace,
    parentTask: task.observer,
    input,
  });
  const run = createRunContext({
    observer: telemetry,
    cache: graph.cache,
    budget: host.budget,
    spec: graph.spec,
    config: { ...config, configurable, allowGraphChange: host.allowGraphChange },
    emitter: childEmitter(host.emitter, namespace),
    checkpointer: host.checkpointer,
    threadId,
    lease: host.lease,
    steps: host.steps,
    checkLease: host.beforeStep,
    answerKind: host.answerKind,
    interruptBefore: graph.interruptBefore,
    interruptAfter: graph.interruptAfter,
    subgraph: { namespace, threadId: host.threadId },
  });
  const signal = config.signal;
  const onAbort = (): void => run.controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await continueChild(run, input, attempt, namespace, telemetry);
    telemetry?.end({ paused: result.paused, interrupts: result.interrupts.length });
    if (result.paused && result.interrupts.length > 0) {
      throw surfaced(attempt, result.interrupts[0] as (typeof result.interrupts)[number]);
    }
    return result;
  } catch (error) {
    if (error instanceof ParentCommandSignal) {
      telemetry?.end({ paused: false, interrupts: 0 });
      throw new CommandFromChild(forParent(error.command));
    }
    if (!(error instanceof InterruptSignal)) telemetry?.end(undefined, error);
    if (error instanceof NodeFailedError && !error.node.startsWith(`${task.node} › `)) {
      // Named by its path from the thread's graph: parent node › child node.
      throw new NodeFailedError(
        `${task.node} › ${error.node}`,
        host.step,
        host.threadId,
        error.attempts,
        error.cause,
      );
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

async function continueChild(
  run: ReturnType<typeof createRunContext>,
  input: unknown,
  attempt: AttemptScope,
  namespace: string,
  telemetry: RunTelemetry | undefined,
): Promise<LoopResult> {
  const { state, pending } = await loadThread(run);
  if (!state.checkpoint) {
    if (input === null || input === undefined) throw new EmptyInputError(run.userThreadId);
    const started = await applyInput(run, state, input, undefined);
    return runLoop(run, started, new Map(), new Map(), false);
  }
  await checkPin(run);
  const scope = attempt.task;
  const takenKey = answersTakenKey(namespace);
  const stored = scope.steps[takenKey];
  const taken = typeof stored === "number" ? stored : 0;
  // The parent task's answers up to here went to its own interrupts and to this child's earlier ones.
  const index = attempt.interrupts + taken;
  attempt.interrupts = index;
  const waiting = waitingInterrupts(state, pending);
  const first = waiting[0];
  if (first) {
    if (index >= scope.resumes.length) {
      return { state, values: state.values, paused: true, interrupts: [first.interrupt] };
    }
    const reason = scope.rejections.get(index);
    const answer = reason === undefined ? scope.resumes[index] : new Rejection(reason);
    // Taken once the child ran with it: recorded with the parent task's next write. The child's
    // run audits the answer, in the transaction that stores it there.
    attempt.interrupts = index + 1;
    scope.steps[takenKey] = taken + 1;
    telemetry?.resumes([first.interrupt.traceparent]);
    return runLoop(run, state, pending, new Map([[first.taskId, answer]]), true);
  }
  if (state.next.length > 0) return runLoop(run, state, pending, new Map(), true);
  return { state, values: state.values, paused: false, interrupts: [] };
}

/**
 * A child in flight goes on only with the structure it started with: a graph invoked from inside a
 * node is not part of its parent's structural version, so the parent's pin cannot see it change.
 * With `allowGraphChange` the namespace is re-pinned to the new structure instead.
 */
async function checkPin(run: RunContext): Promise<void> {
  const { checkpointer, threadId, spec } = run;
  if (!checkpointer || threadId === undefined) return;
  const stored = (await checkpointer.getThread(threadId))?.graph;
  const current = { name: spec.name, version: spec.version };
  if (!stored || stored.version === current.version) return;
  if (!run.config.allowGraphChange) {
    const path = namespacePath(run.namespace).join(" › ");
    throw new SubgraphVersionMismatchError(run.userThreadId ?? threadId, path, stored, current);
  }
  await checkpointer.setThreadGraph(threadId, current);
}

/**
 * The child's interrupt as the parent task's own: same id and value, the parent's call index, and
 * named by its path from the parent (parent node › child node), as the inbox and the audit show it.
 */
function surfaced(attempt: AttemptScope, child: LoopResult["interrupts"][number]): InterruptSignal {
  const index = attempt.interrupts;
  attempt.interrupts = index + 1;
  return new InterruptSignal({ ...child, node: `${attempt.task.node} › ${child.node}`, index });
}

/**
 * What the child streams: everything, under its namespace, when the stream asked for subgraphs;
 * otherwise only its model tokens (`messages`), as LangGraph streams a child's tokens too.
 */
function childEmitter(parent: Emitter | undefined, namespace: string): Emitter | undefined {
  if (!parent) return undefined;
  if (parent.forSubgraph) return parent.forSubgraph(namespace);
  if (!parent.modes.has("messages")) return undefined;
  return { modes: new Set(["messages"]), emit: (mode, payload) => parent.emit(mode, payload) };
}

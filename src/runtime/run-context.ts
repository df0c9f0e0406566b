import { setMaxListeners } from "node:events";
import type { GraphSpec } from "../graph/spec.js";
import type { Configurable, NodeContext, RunConfig } from "../graph/types.js";
import type { NodeCache } from "../checkpoint/cache.js";
import type { Checkpointer } from "../checkpoint/types.js";
import { InvalidConfigError, OutsideNodeError, UnknownNodeError } from "../errors.js";
import { AbortRace } from "./abort-race.js";
import type { BudgetTracker } from "./budget.js";
import type { RunObserver } from "./observer.js";
import type { RunState } from "./run-state.js";
import { StepTracker } from "./step-tracker.js";

export type StreamMode = "values" | "updates" | "custom" | "debug" | "messages";

export interface Emitter {
  readonly modes: ReadonlySet<StreamMode>;
  emit(mode: StreamMode, payload: unknown): void;
  /** Set when the stream wants subgraphs' events: the emitter for the child in `namespace`. */
  readonly forSubgraph?: (namespace: string) => Emitter;
}

/** One call of invoke/stream: fixed for its whole duration. */
export interface RunContext {
  readonly spec: GraphSpec;
  readonly checkpointer: Checkpointer | undefined;
  /** The storage key of the run's checkpoints: the thread id, or a subgraph's namespace key. */
  readonly threadId: string | undefined;
  /** For a subgraph, the thread it runs in (what errors name); undefined otherwise. */
  readonly userThreadId: string | undefined;
  /** The subgraph namespace the run checkpoints under ("" for a thread's own graph). */
  readonly namespace: string;
  readonly config: RunConfig;
  readonly configurable: Configurable;
  /** Aborted on cancellation (reason CANCELLED) or when a task fails (reason TASK_FAILED). */
  readonly controller: AbortController;
  /** Races the run's waits on nodes and routers against the controller's signal. */
  readonly race: AbortRace;
  readonly emitter: Emitter | undefined;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly recursionLimit: number;
  readonly maxConcurrency: number;
  /** The owner id of the thread lease this run holds; every write is refused without it. */
  readonly lease: string | undefined;
  /** How answers given by this run are audited: a human's, or a deadline's `onTimeout`. */
  readonly answerKind: "resume" | "timeout";
  /** Every ctx.step function of the run still running; the thread is held until they end. */
  readonly steps: StepTracker;
  /** Resolves when a step may start: the run still holds its thread (LEASE_LOST otherwise). */
  readonly beforeStep: () => Promise<void>;
  /** See RunConfig.abandonedStepWaitMs. */
  readonly abandonedStepWaitMs: number;
  /** Told about supersteps, tasks and checkpoints (telemetry); undefined when nobody listens. */
  readonly observer: RunObserver | undefined;
  /** Where nodes with a `cachePolicy` find and keep their results (`compile({ cache })`). */
  readonly cache: NodeCache | undefined;
  /** What model calls may still spend (`compile({ budget })`); undefined without a budget. */
  readonly budget: BudgetTracker | undefined;
}

/** Aborts the run's signal when the caller cancels it. */
export const CANCELLED = Symbol("cancelled");

const DEFAULT_RECURSION_LIMIT = 25;
export const DEFAULT_ABANDONED_STEP_WAIT_MS = 30_000;

export interface RunContextParams {
  readonly spec: GraphSpec;
  readonly config: RunConfig;
  readonly emitter: Emitter | undefined;
  readonly checkpointer: Checkpointer | undefined;
  readonly threadId: string | undefined;
  readonly lease: string | undefined;
  readonly answerKind: "resume" | "timeout";
  /** The graph's compile-time breakpoints; the config's are added to them. */
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  /** The tracker of the run's steps, when the thread's holder waits for them before letting go. */
  readonly steps?: StepTracker;
  /** Checks the run still holds its thread; absent without one. */
  readonly checkLease?: () => Promise<void>;
  /** For a subgraph: its namespace and the thread it runs in. */
  readonly subgraph?: { readonly namespace: string; readonly threadId: string };
  readonly observer?: RunObserver;
  readonly cache?: NodeCache;
  readonly budget?: BudgetTracker;
}

/** Validates a call's config and fixes everything the run needs for its whole duration. */
export function createRunContext(params: RunContextParams): RunContext {
  const { spec, config } = params;
  const recursionLimit = config.recursionLimit ?? DEFAULT_RECURSION_LIMIT;
  if (!Number.isInteger(recursionLimit) || recursionLimit < 1) {
    throw new InvalidConfigError(
      `recursionLimit must be a whole number of at least 1, got ${String(recursionLimit)}.`,
    );
  }
  const maxConcurrency = config.maxConcurrency ?? Number.POSITIVE_INFINITY;
  if (!(maxConcurrency >= 1)) {
    throw new InvalidConfigError(
      `maxConcurrency must be at least 1, got ${String(config.maxConcurrency)}.`,
    );
  }
  const abandonedStepWaitMs = config.abandonedStepWaitMs ?? DEFAULT_ABANDONED_STEP_WAIT_MS;
  if (!(abandonedStepWaitMs >= 0)) {
    throw new InvalidConfigError(
      `abandonedStepWaitMs must be a number of milliseconds (0 or more), got ${String(config.abandonedStepWaitMs)}.`,
    );
  }
  const controller = new AbortController();
  // The engine adds one listener (AbortRace), but each task's own code may listen on ctx.signal
  // (a fetch, a model call): a wide fan-out is not a listener leak.
  setMaxListeners(0, controller.signal);
  return {
    spec,
    checkpointer: params.checkpointer,
    threadId: params.threadId,
    userThreadId: params.subgraph?.threadId,
    namespace: params.subgraph?.namespace ?? "",
    config,
    configurable: config.configurable ?? {},
    controller,
    race: new AbortRace(controller.signal),
    emitter: params.emitter,
    interruptBefore: breakpoints(
      spec,
      params.interruptBefore,
      config.interruptBefore,
      "interruptBefore",
    ),
    interruptAfter: breakpoints(
      spec,
      params.interruptAfter,
      config.interruptAfter,
      "interruptAfter",
    ),
    recursionLimit,
    maxConcurrency,
    lease: params.lease,
    answerKind: params.answerKind,
    steps: params.steps ?? new StepTracker(),
    beforeStep: params.checkLease ?? (() => Promise.resolve()),
    abandonedStepWaitMs,
    observer: params.observer,
    cache: params.cache,
    budget: params.budget,
  };
}

function breakpoints(
  spec: GraphSpec,
  compiled: ReadonlySet<string>,
  extra: readonly string[] | undefined,
  option: string,
): ReadonlySet<string> {
  if (!extra || extra.length === 0) return compiled;
  for (const name of extra) {
    if (!spec.nodes.has(name)) {
      throw new UnknownNodeError(name, `The { ${option} } option`, [...spec.nodes.keys()]);
    }
  }
  return new Set([...compiled, ...extra]);
}

/** The context a router outside a task (START's, or updateState's) is called with. */
export function routerContext(run: RunContext, node: string, state: RunState): NodeContext {
  return {
    configurable: run.configurable,
    config: run.config,
    signal: run.controller.signal,
    writer: () => undefined,
    node,
    superstep: state.step + 1,
    attempt: 1,
    taskId: `${node}:${state.step + 1}`,
    interrupt: () => {
      throw new OutsideNodeError("interrupt() (a router cannot interrupt)");
    },
    step: () =>
      Promise.reject(new OutsideNodeError("ctx.step() (a router cannot run durable steps)")),
    runnableConfig: { signal: run.controller.signal, configurable: run.configurable },
    // Outside a task there is no superstep to record usage in (START's router, updateState).
    reportUsage: () => undefined,
  };
}

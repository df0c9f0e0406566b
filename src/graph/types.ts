import type { RunnableConfig } from "@langchain/core/runnables";
import type { z } from "zod";
import type { Command, Send } from "./constants.js";

/** Values under `config.configurable`, LangGraph-shaped: `thread_id` selects the thread. */
export interface Configurable {
  thread_id?: string;
  /** Continue from this checkpoint instead of the thread's latest (a fork when it is not the latest). */
  checkpoint_id?: string;
  checkpoint_ns?: string;
  [key: string]: unknown;
}

/** Per-call configuration of `invoke`, `stream` and the thread methods. */
export interface RunConfig {
  configurable?: Configurable;
  /** Maximum supersteps one call may run (default 25). */
  recursionLimit?: number;
  /** Aborting it cancels the run: every running node's `ctx.signal` fires. */
  signal?: AbortSignal;
  /** Maximum tasks running at once within a superstep (default: unbounded). */
  maxConcurrency?: number;
  /** Pause before these nodes run (adds to the graph's compile-time breakpoints). */
  interruptBefore?: readonly string[];
  /** Pause after these nodes run (adds to the graph's compile-time breakpoints). */
  interruptAfter?: readonly string[];
  /** Merged into the metadata of every checkpoint this call writes. */
  metadata?: Record<string, unknown>;
  /**
   * Continue a thread that a structurally different graph started, without a migration. The thread
   * is then pinned to this graph's version.
   */
  allowGraphChange?: boolean;
  /**
   * Start over with new input even though the thread waits on interrupts (which are dropped).
   * Without it such input is refused with THREAD_INTERRUPTED.
   */
  discardInterrupts?: boolean;
  /** Replaces the graph's `compile({ budget })` for this call. */
  budget?: Budget;
  /**
   * When the run stops waiting for a node attempt that is inside a `ctx.step` (a timeout, a retry,
   * a failed sibling, a cancellation the node ignores), how long it waits for that step to end so
   * its result is recorded before it retries, returns or lets go of the thread (default 30 000 ms).
   * Past it the call returns; the thread stays held until the step ends and is recorded.
   */
  abandonedStepWaitMs?: number;
}

/**
 * Turns the latest state of a thread started by an older graph version into state for this one.
 * `next` (node names) replaces what runs next; when omitted, planned nodes this graph lacks are dropped.
 */
export type ThreadMigration = (state: {
  readonly values: Readonly<Record<string, unknown>>;
  readonly next: readonly string[];
}) =>
  | { values: Record<string, unknown>; next?: readonly string[] }
  | Promise<{ values: Record<string, unknown>; next?: readonly string[] }>;

/** What to do when an interrupt's deadline passes: resume with a value, or reject the request. */
export type OnTimeout = { readonly resume: unknown } | { readonly reject: string };

export interface InterruptOptions<Resume> {
  /** Resume values must parse with this schema; others are refused with INVALID_RESUME. */
  resume?: z.ZodType<Resume>;
  /** After this moment `sweepExpired()` applies `onTimeout`. */
  deadline?: Date | string;
  onTimeout?: OnTimeout;
}

/** Token counts of model calls (the fields of `@langchain/core`'s `usage_metadata`). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** What the calls cost, when the graph's budget has prices for their models. */
  cost?: number;
}

/** Limits on what model calls may spend: tokens (input + output) and cost (in `prices`' unit). */
export interface BudgetLimits {
  tokens?: number;
  cost?: number;
}

/**
 * Caps what model calls may spend, per run (one invoke/stream call) and per thread (every run of
 * it), checked as nodes report usage (`ctx.reportUsage`, `chatNode`). The task that goes over
 * finishes (its answer was paid for); before the next task starts, `onExceeded` acts: `"stop"`
 * fails the run with BUDGET_EXCEEDED, `"ask"` pauses it with an approval interrupt (needs a
 * checkpointer) answered with `{ raise: { tokens?, cost? } }` to go on or `{ stop: true }`.
 *
 * @example
 * compile({ checkpointer, budget: {
 *   thread: { cost: 0.5 },
 *   prices: { "gpt-4o-mini": { input: 0.15, output: 0.6 } }, // per million tokens
 *   onExceeded: "ask",
 * } });
 */
export interface Budget {
  run?: BudgetLimits;
  thread?: BudgetLimits;
  /** Price per million input and output tokens, by model name; `"*"` for any other model. */
  prices?: Readonly<Record<string, { readonly input: number; readonly output: number }>>;
  /** Default "stop". */
  onExceeded?: "stop" | "ask";
}

/** What a budget's approval interrupt is answered with. */
export type BudgetDecision = { raise: BudgetLimits } | { stop: true };

/** What a node receives besides the state. */
export interface NodeContext {
  /** `config.configurable` of the run, e.g. `ctx.configurable.thread_id`. */
  readonly configurable: Configurable;
  /** The whole run config (LangGraph nodes read `config.configurable`). */
  readonly config: RunConfig;
  /** Fires when the run is cancelled, a sibling fails, or this node's timeout passes. */
  readonly signal: AbortSignal;
  /** Emits a `custom` stream event. */
  readonly writer: (event: unknown) => void;
  readonly node: string;
  /** The superstep this task belongs to. */
  readonly superstep: number;
  /** 1 on the first try, 2 on the first retry, … */
  readonly attempt: number;
  /** Stable across retries and re-runs of the same task. */
  readonly taskId: string;
  /**
   * Pauses for a human; returns the resume value when the node runs again. Same as the
   * importable `interrupt()`.
   */
  readonly interrupt: <Resume = unknown>(
    value: unknown,
    options?: InterruptOptions<Resume>,
  ) => Resume;
  /**
   * Runs `fn` once per task and records its result; when the node runs again after an interrupt
   * or a crash, the recorded result is returned and `fn` is not called.
   */
  readonly step: <T>(name: string, fn: () => T | Promise<T>) => Promise<T>;
  /**
   * The config to pass to `@langchain/core` calls, e.g. `model.invoke(messages, ctx.runnableConfig)`:
   * this node's `signal`, the run's `configurable`, and, when the run streams `"messages"`, the
   * callback that streams the model's tokens.
   */
  readonly runnableConfig: RunnableConfig;
  /**
   * Adds a model call's token counts to this task's usage, recorded per node in the superstep's
   * checkpoint metadata (`metadata.usage`) and summed by `graph.getUsage(threadId)`. `chatNode`
   * reports its calls itself. `call.model` names the model (traced as `gen_ai.request.model`).
   */
  readonly reportUsage: (usage: TokenUsage, call?: { readonly model?: string }) => void;
}

export type NodeResult<Update> = Update | Command<Update> | void | null | undefined;

export type NodeFunction<State, Update> = (
  state: State,
  ctx: NodeContext,
) => NodeResult<Update> | Promise<NodeResult<Update>>;

export type RouteResult = string | Send | ReadonlyArray<string | Send>;

/** Chooses where to go after a node; sees the state with that node's own writes applied. */
export type Router<State> = (state: State, ctx: NodeContext) => RouteResult | Promise<RouteResult>;

/** Names the router may return (a list), or a map from router result to node name. */
export type PathMap = readonly string[] | Readonly<Record<string, string>>;

/** When and how often a failing node is retried. Field names and defaults follow LangGraph.js. */
export interface RetryPolicy {
  /** Total tries including the first (default 3). */
  maxAttempts?: number;
  /** Milliseconds before the first retry (default 500). */
  initialInterval?: number;
  /** Multiplier per retry (default 2). */
  backoffFactor?: number;
  /** Upper bound of one wait in milliseconds (default 128000). */
  maxInterval?: number;
  /** Randomise each wait by up to +50% (default true). */
  jitter?: boolean;
  /** Which errors to retry (default: all but Switchyard's own errors, cancellation and timeouts of the run). */
  retryOn?: (error: unknown) => boolean;
}

/**
 * Caches a node's result by its input (`compile({ cache })` says where), as LangGraph's
 * `cachePolicy`: a task whose input key was cached within `ttl` returns the cached writes without
 * running the node.
 */
export interface CachePolicy {
  /** The cache key of the node's input; receives `[input]`, as in LangGraph (default JSON). */
  keyFunc?: (args: readonly unknown[]) => string;
  /** Seconds an entry lives (default: forever). */
  ttl?: number;
}

/**
 * A guardrail check: passes when it returns `true` or nothing; fails with `false` or a string (the
 * reason). A zod schema passes when the value parses (its refinements' messages are the reason).
 */
export type GuardCheck =
  ((value: unknown) => boolean | string | void | Promise<boolean | string | void>) | z.ZodType;

/**
 * Checks on a node's input (the state, or a Send's argument) before it runs and on its output (its
 * update) after. A failing check fails the node with GUARDRAIL_FAILED, or with `onFail: "review"`
 * pauses for a person: an interrupt `{ type: "guardrail_review", node, check, value, reason }`
 * answered `{ action: "accept" }`, `{ action: "edit", value }` or `{ action: "reject", reason? }`.
 * A reviewed output is not computed again: the node's result is kept while it waits.
 */
export interface GuardOptions {
  input?: GuardCheck | readonly GuardCheck[];
  output?: GuardCheck | readonly GuardCheck[];
  /** Default "error". */
  onFail?: "error" | "review";
}

/** What a guardrail review interrupt is answered with. */
export type ReviewDecision =
  { action: "accept" } | { action: "edit"; value: unknown } | { action: "reject"; reason?: string };

export interface NodeOptions {
  retryPolicy?: RetryPolicy;
  /** Checks on the node's input and output; see `GuardOptions` and `reviewBelow`. */
  guard?: GuardOptions;
  /** Reuse the node's result for an input seen before; needs `compile({ cache })`. */
  cachePolicy?: CachePolicy;
  /** Abort the node (its `ctx.signal` fires) and fail it with NODE_TIMEOUT after this many ms. */
  timeoutMs?: number;
  /** Nodes a `Command` from this node may go to; used for drawing and reachability checks. */
  ends?: readonly string[];
  /** Shown by `switchyard graphs` and in drawings. */
  description?: string;
}

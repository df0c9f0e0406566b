import type { BaseMessageChunk } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Command, END, isCommand, isSend, type Send } from "../graph/constants.js";
import { pathMapTargets, type GraphSpec, type NodeSpec, type RouterSpec } from "../graph/spec.js";
import type {
  Configurable,
  NodeContext,
  RetryPolicy,
  RouteResult,
  RunConfig,
  TokenUsage,
} from "../graph/types.js";
import {
  InvalidRouteError,
  NodeFailedError,
  NodeTimeoutError,
  SwitchyardError,
  UnknownNodeError,
} from "../errors.js";
import { interruptIn, InterruptSignal, runInScope, type TaskScope } from "./interrupt.js";
import { CommandFromChild, ParentCommandSignal } from "./parent-command.js";
import { endAttempt, startAttempt, stepIn } from "./step.js";
import type { BudgetTracker } from "./budget.js";
import { guardInput, guardOutput, keptOutput } from "./guard.js";
import { keepUsage, keptUsage } from "./kept-usage.js";
import type { TaskClock } from "./task-timing.js";
import { TokenStreamHandler } from "./token-stream.js";
import { addUsage } from "./usage.js";
import { parseNodeResult, withWrites, type TaskOutput } from "./writes.js";

export interface Task {
  readonly id: string;
  readonly node: NodeSpec;
  /** The state for edge-triggered tasks, the Send argument for Send tasks. */
  readonly input: unknown;
  readonly send: boolean;
}

/** Everything a task needs from its run and superstep. */
export interface TaskEnvironment {
  readonly spec: GraphSpec;
  readonly config: RunConfig;
  readonly configurable: Configurable;
  readonly threadId: string | undefined;
  readonly step: number;
  /** Aborted when the run is cancelled or a sibling fails. */
  readonly signal: AbortSignal;
  /** How long to wait for an abandoned attempt's steps before another attempt starts. */
  readonly abandonedStepWaitMs: number;
  /** The state at the start of the superstep. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly writer: (node: string, event: unknown) => void;
  /** Set when the run streams "messages": receives each model token a node's model call streams. */
  readonly onToken?: (node: string, step: number, chunk: BaseMessageChunk) => void;
  /** The run's budget: checked before the node runs, told of its usage. */
  readonly budget?: BudgetTracker;
}

const RETRY_DEFAULTS = {
  maxAttempts: 3,
  initialInterval: 500,
  backoffFactor: 2,
  maxInterval: 128_000,
  jitter: true,
} as const;

function defaultRetryOn(error: unknown): boolean {
  return !(error instanceof SwitchyardError) || error instanceof NodeTimeoutError;
}

/**
 * Runs one task to completion with its node's retry policy and timeout. Throws the node's error
 * wrapped in NodeFailedError after the last attempt, a definition error (invalid update, unknown
 * route) as is, or the run signal's reason when the run was aborted.
 */
export async function runTask(
  task: Task,
  env: TaskEnvironment,
  scope: TaskScope,
  clock?: TaskClock,
): Promise<TaskOutput> {
  // Tokens spent by failed attempts count too (they were paid for), and so do those of earlier
  // runs that stopped this task: it finishes with all of them, or keeps them in its record.
  // The clock, when given, is where the spend is summed, so the task's timing record carries it.
  const spent: { usage?: TokenUsage } = clock ?? {};
  const kept = keptUsage(scope);
  if (kept) spent.usage = addUsage(spent.usage, kept);
  try {
    return await runAttempts(task, env, scope, spent, clock);
  } catch (error) {
    keepUsage(scope, spent.usage);
    throw error;
  }
}

async function runAttempts(
  task: Task,
  env: TaskEnvironment,
  scope: TaskScope,
  spent: { usage?: TokenUsage },
  clock: TaskClock | undefined,
): Promise<TaskOutput> {
  const policy: RetryPolicy | undefined = task.node.retryPolicy;
  const maxAttempts = Math.max(1, policy ? (policy.maxAttempts ?? RETRY_DEFAULTS.maxAttempts) : 1);
  const retryOn = policy?.retryOn ?? defaultRetryOn;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await attemptTask(task, env, attempt, scope, spent);
    } catch (error) {
      if (error instanceof InterruptSignal || error instanceof ParentCommandSignal) throw error;
      if (env.signal.aborted) throw env.signal.reason;
      const definitionError =
        error instanceof SwitchyardError && !(error instanceof NodeTimeoutError);
      const last = attempt >= maxAttempts || !retryOn(error) || definitionError;
      scope.observer?.attemptFailed(attempt, error, !last);
      clock?.attemptFailed(attempt, error);
      if (last) {
        if (error instanceof SwitchyardError) throw error;
        throw new NodeFailedError(task.node.name, env.step, env.threadId, attempt, error);
      }
      // A step the abandoned attempt is still inside must be recorded before the next attempt
      // could call it again; if it does not end in time, the task fails rather than risk it.
      if (!(await scope.inFlight.settle(env.abandonedStepWaitMs))) {
        throw new NodeFailedError(task.node.name, env.step, env.threadId, attempt, error);
      }
      await sleep(retryDelay(policy as RetryPolicy, attempt), env.signal);
    }
  }
}

async function attemptTask(
  task: Task,
  env: TaskEnvironment,
  number: number,
  scope: TaskScope,
  spent: { usage?: TokenUsage },
): Promise<TaskOutput> {
  const node = task.node;
  // Each attempt starts the node over: interrupts and steps are matched by call order again.
  const attempt = startAttempt(scope, number);
  let signal = env.signal;
  let timer: NodeJS.Timeout | undefined;
  if (node.timeoutMs !== undefined) {
    const timeout = new AbortController();
    signal = AbortSignal.any([env.signal, timeout.signal]);
    const timeoutMs = node.timeoutMs;
    timer = setTimeout(
      () => timeout.abort(new NodeTimeoutError(node.name, timeoutMs, env.step, env.threadId)),
      timeoutMs,
    );
  }
  try {
    const ctx: NodeContext = {
      configurable: env.configurable,
      config: env.config,
      signal,
      writer: (event: unknown) => env.writer(node.name, event),
      node: node.name,
      superstep: env.step,
      attempt: number,
      taskId: task.id,
      interrupt: (value, options) => interruptIn(attempt, value, options),
      step: (name, fn) => stepIn(attempt, name, fn),
      runnableConfig: runnableConfig(env, node.name, signal),
      reportUsage: (usage, call) => {
        const recorded = env.budget ? env.budget.record(usage, call?.model) : usage;
        spent.usage = addUsage(spent.usage, recorded);
        scope.observer?.usage(usage, call?.model);
      },
    };
    let result: unknown;
    try {
      env.budget?.gate(attempt, env.step, env.threadId);
      const kept = node.guard ? keptOutput(attempt) : undefined;
      if (kept) {
        // The reviewed result: what it cost is kept with the task (see kept-usage.ts).
        result = kept.result;
      } else {
        const input = node.guard
          ? await guardInput(node, task.input, attempt, placeOf(env))
          : task.input;
        const observer = scope.observer;
        result = observer
          ? observer.within(() => runInScope(attempt, () => node.run(input, ctx)))
          : runInScope(attempt, () => node.run(input, ctx));
        if (isPromiseLike(result)) result = await untilAborted(result, signal);
      }
    } catch (error) {
      // A child graph's Command.PARENT: this node's result.
      if (!(error instanceof CommandFromChild)) throw error;
      result = error.command;
    }
    if (node.guard) result = await guardOutput(node, result, attempt, placeOf(env));
    if (isCommand(result) && result.graph === Command.PARENT) {
      throw new ParentCommandSignal(result, node.name);
    }
    const parsed = parseNodeResult(node.name, result, env.spec.channels);
    const goto = await routeAfter(node.name, parsed.writes, parsed.goto, env.values, ctx, env.spec);
    const output = { writes: parsed.writes, goto, update: parsed.update };
    return spent.usage ? { ...output, usage: spent.usage } : output;
  } finally {
    if (timer) clearTimeout(timer);
    endAttempt(attempt, whyEnded(signal));
  }
}

function placeOf(env: TaskEnvironment): { step: number; threadId: string | undefined } {
  return { step: env.step, threadId: env.threadId };
}

function whyEnded(signal: AbortSignal): string {
  if (!signal.aborted) return "the attempt had already returned or thrown";
  const reason: unknown = signal.reason;
  if (reason instanceof NodeTimeoutError) return `it timed out after ${reason.timeoutMs} ms`;
  return "the run was cancelled or a sibling task failed";
}

/** What a node passes to `@langchain/core` calls: its signal, and the token stream when wanted. */
function runnableConfig(env: TaskEnvironment, node: string, signal: AbortSignal): RunnableConfig {
  const config: RunnableConfig = { signal, configurable: env.configurable };
  // A graph invoked by the node writes the run's metadata (the server's run_id) too.
  if (env.config.metadata) config.metadata = env.config.metadata;
  const onToken = env.onToken;
  if (onToken) {
    config.callbacks = [new TokenStreamHandler((chunk) => onToken(node, env.step, chunk))];
  }
  return config;
}

/**
 * Where a node (or START) leads after writing `writes`: its Command goto, its static edges, then
 * its routers' choices. Routers see the superstep's state with only this node's writes applied.
 */
export async function routeAfter(
  node: string,
  writes: TaskOutput["writes"],
  commandGoto: Array<string | Send>,
  values: Readonly<Record<string, unknown>>,
  ctx: NodeContext,
  spec: GraphSpec,
): Promise<Array<string | Send>> {
  const goto = checkGoto(node, commandGoto, spec);
  const out = spec.outgoing.get(node);
  if (!out) return goto;
  goto.push(...out.edges);
  if (out.routers.length === 0) return goto;
  const view = withWrites(values, writes, spec.channels);
  for (const router of out.routers) {
    let route: unknown = router.route(view, ctx);
    if (isPromiseLike(route)) route = await untilAborted(route, ctx.signal);
    goto.push(...resolveRoute(router, route as RouteResult, spec));
  }
  return goto;
}

/** Maps a router's result through its path map and checks every target exists. */
export function resolveRoute(
  router: RouterSpec,
  result: RouteResult,
  spec: GraphSpec,
): Array<string | Send> {
  const items: readonly unknown[] = Array.isArray(result) ? result : [result];
  const targets: Array<string | Send> = [];
  for (const item of items) {
    if (isSend(item)) {
      targets.push(checkSend(router.source, item, spec));
      continue;
    }
    if (typeof item !== "string") {
      throw new InvalidRouteError(
        router.source,
        `returned ${item === undefined ? "undefined" : typeof item}; a router must return a node name, END, a Send, or a list of these.`,
      );
    }
    let target = item;
    if (router.pathMap && !Array.isArray(router.pathMap)) {
      const mapped = (router.pathMap as Record<string, string>)[item];
      if (mapped === undefined) {
        throw new InvalidRouteError(
          router.source,
          `returned "${item}", which is not a key of its path map (${Object.keys(router.pathMap).join(", ")}).`,
        );
      }
      target = mapped;
    } else if (router.pathMap && !pathMapTargets(router.pathMap).includes(item)) {
      throw new InvalidRouteError(
        router.source,
        `returned "${item}", which is not in its path map (${pathMapTargets(router.pathMap).join(", ")}).`,
      );
    }
    if (target !== END && !spec.nodes.has(target)) {
      throw new UnknownNodeError(target, `The router of "${router.source}"`, [
        ...spec.nodes.keys(),
      ]);
    }
    targets.push(target);
  }
  return targets;
}

function checkGoto(
  node: string,
  goto: Array<string | Send>,
  spec: GraphSpec,
): Array<string | Send> {
  for (const target of goto) {
    if (isSend(target)) checkSend(node, target, spec);
    else if (target !== END && !spec.nodes.has(target)) {
      throw new UnknownNodeError(target, `Command({ goto }) from "${node}"`, [
        ...spec.nodes.keys(),
      ]);
    }
  }
  return goto;
}

function checkSend(source: string, send: Send, spec: GraphSpec): Send {
  if (!spec.nodes.has(send.node)) {
    throw new UnknownNodeError(send.node, `A Send from "${source}"`, [...spec.nodes.keys()]);
  }
  return send;
}

function retryDelay(policy: RetryPolicy, attempt: number): number {
  const initial = policy.initialInterval ?? RETRY_DEFAULTS.initialInterval;
  const factor = policy.backoffFactor ?? RETRY_DEFAULTS.backoffFactor;
  const max = policy.maxInterval ?? RETRY_DEFAULTS.maxInterval;
  const base = Math.min(max, initial * factor ** (attempt - 1));
  const jitter = policy.jitter ?? RETRY_DEFAULTS.jitter;
  return jitter ? base * (1 + Math.random() * 0.5) : base;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return untilAborted(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

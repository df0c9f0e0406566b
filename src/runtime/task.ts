import type { BaseMessageChunk } from "@langchain/core/messages";
import { Command, isCommand, type Send } from "../graph/constants.js";
import type { GraphSpec, NodeSpec } from "../graph/spec.js";
import type { Configurable, RetryPolicy, RunConfig } from "../graph/types.js";
import { NodeFailedError, NodeTimeoutError, SwitchyardError } from "../errors.js";
import { isPromiseLike, untilAborted, type AbortRace } from "./abort-race.js";
import type { BudgetTracker } from "./budget.js";
import { guardInput, guardOutput, keptOutput } from "./guard.js";
import { keepUsage, keptUsage } from "./kept-usage.js";
import { InterruptSignal, runInScope, type AttemptScope, type TaskScope } from "./interrupt.js";
import { TaskContext, type SpentUsage } from "./node-context.js";
import { CommandFromChild, ParentCommandSignal } from "./parent-command.js";
import { routeAfter } from "./route.js";
import { ATTEMPT_RETURNED, endAttempt, startAttempt } from "./step.js";
import type { TaskClock } from "./task-timing.js";
import { addUsage } from "./usage.js";
import { parseNodeResult, type TaskOutput } from "./writes.js";

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
  /** Races waits on `signal` with one listener for the whole run. */
  readonly race: AbortRace;
  /** How long to wait for an abandoned attempt's steps before another attempt starts. */
  readonly abandonedStepWaitMs: number;
  /** The state at the start of the superstep. */
  readonly values: Readonly<Record<string, unknown>>;
  writer(node: string, event: unknown): void;
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
 *
 * Synchronous when the node is: a node that returns a value costs no promise. A failed first
 * attempt, and everything after it, goes the asynchronous way (`retryAfter`).
 */
export function runTask(
  task: Task,
  env: TaskEnvironment,
  scope: TaskScope,
  clock?: TaskClock,
): TaskOutput | Promise<TaskOutput> {
  // Tokens spent by failed attempts count too (they were paid for), and so do those of earlier
  // runs that stopped this task: it finishes with all of them, or keeps them in its record. The
  // clock, when given, is where they are summed, so the task's timing carries them.
  const spent: SpentUsage = clock ?? {};
  const kept = keptUsage(scope);
  if (kept) spent.usage = addUsage(spent.usage, kept);
  return new TaskAttempt(task, env, scope, 1, spent, clock).start();
}

/** After attempt `failed` threw `error`: the next attempts, or the error to fail the task with. */
async function retryAfter(
  task: Task,
  env: TaskEnvironment,
  scope: TaskScope,
  spent: SpentUsage,
  clock: TaskClock | undefined,
  error: unknown,
  failed: number,
): Promise<TaskOutput> {
  const policy: RetryPolicy | undefined = task.node.retryPolicy;
  const maxAttempts = Math.max(1, policy ? (policy.maxAttempts ?? RETRY_DEFAULTS.maxAttempts) : 1);
  const retryOn = policy?.retryOn ?? defaultRetryOn;
  for (let attempt = failed; ; attempt += 1) {
    if (attempt > failed) {
      try {
        return await new TaskAttempt(task, env, scope, attempt, spent, clock).start();
      } catch (next) {
        error = next;
      }
    }
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

/**
 * One attempt of a task: runs the node in the task's scope, then parses and routes its result.
 * Synchronous for a node that returns a value; for one that returns a promise, a single
 * continuation on the (raced) promise does the rest. Each attempt starts the node over:
 * interrupts and steps are matched by call order again.
 */
class TaskAttempt {
  private readonly attempt: AttemptScope;
  private readonly signal: AbortSignal;
  private readonly timer: NodeJS.Timeout | undefined;
  private ctx: TaskContext | undefined;

  constructor(
    private readonly task: Task,
    private readonly env: TaskEnvironment,
    private readonly scope: TaskScope,
    private readonly number: number,
    private readonly spent: SpentUsage,
    private readonly clock: TaskClock | undefined,
  ) {
    this.attempt = startAttempt(scope, number);
    const node = task.node;
    if (node.timeoutMs === undefined) {
      this.signal = env.signal;
      return;
    }
    const timeout = new AbortController();
    this.signal = AbortSignal.any([env.signal, timeout.signal]);
    const timeoutMs = node.timeoutMs;
    this.timer = setTimeout(
      () => timeout.abort(new NodeTimeoutError(node.name, timeoutMs, env.step, env.threadId)),
      timeoutMs,
    );
  }

  start(): TaskOutput | Promise<TaskOutput> {
    const { task, env, attempt } = this;
    let result: unknown;
    try {
      const ctx = new TaskContext(env, attempt, this.signal, this.spent);
      this.ctx = ctx;
      env.budget?.gate(attempt, env.step, env.threadId);
      if (task.node.guard) {
        return guardedAttempt(task, env, attempt, ctx, this.spent).then(
          (output) => this.done(output),
          (error: unknown) => this.fail(error),
        );
      }
      try {
        const observer = this.scope.observer;
        result = observer
          ? observer.within(() => runInScope(attempt, task.node.run, task.input, ctx))
          : runInScope(attempt, task.node.run, task.input, ctx);
      } catch (error) {
        result = commandOf(error);
      }
    } catch (error) {
      return this.fail(error);
    }
    if (!isPromiseLike(result)) return this.finish(result);
    if (this.signal === env.signal) {
      return env.race.then(
        result,
        (value) => this.finish(value),
        (error: unknown) => this.rejected(error),
      );
    }
    return untilAborted(result, this.signal).then(
      (value) => this.finish(value),
      (error: unknown) => this.rejected(error),
    );
  }

  /** The node's promise rejected (or the wait on it was aborted). */
  private rejected(error: unknown): TaskOutput | Promise<TaskOutput> {
    let command: unknown;
    try {
      command = commandOf(error);
    } catch (thrown) {
      return this.fail(thrown);
    }
    return this.finish(command);
  }

  /** The node returned `result`: the attempt's output (a promise only if a router is async). */
  private finish(result: unknown): TaskOutput | Promise<TaskOutput> {
    let output: TaskOutput | Promise<TaskOutput>;
    try {
      output = outputOf(this.task, this.env, result, this.ctx as TaskContext, this.spent);
    } catch (error) {
      return this.fail(error);
    }
    if (!isPromiseLike(output)) return this.done(output);
    return output.then(
      (value) => this.done(value),
      (error: unknown) => this.fail(error),
    );
  }

  private done(output: TaskOutput): TaskOutput {
    this.end();
    return output;
  }

  /** The attempt failed: the first one hands over to `retryAfter`; a later one's caller does. */
  private fail(error: unknown): Promise<TaskOutput> {
    this.end();
    if (this.number > 1) throw error;
    const { task, env, scope, spent, clock } = this;
    return retryAfter(task, env, scope, spent, clock, error, 1).catch((thrown: unknown) => {
      // The task stops unfinished (interrupt, failure): what it spent stays in its record.
      keepUsage(scope, spent.usage);
      throw thrown;
    });
  }

  private end(): void {
    if (this.timer) clearTimeout(this.timer);
    endAttempt(this.attempt, whyEnded(this.signal));
  }
}

/** A node with guards: its input and output are reviewed, and a reviewed result is kept. */
async function guardedAttempt(
  task: Task,
  env: TaskEnvironment,
  attempt: AttemptScope,
  ctx: TaskContext,
  spent: SpentUsage,
): Promise<TaskOutput> {
  const node = task.node;
  let result: unknown;
  try {
    const kept = keptOutput(attempt);
    if (kept) {
      // The reviewed result: what it cost is kept with the task (see kept-usage.ts).
      result = kept.result;
    } else {
      const input = await guardInput(node, task.input, attempt, placeOf(env));
      const observer = attempt.task.observer;
      result = observer
        ? observer.within(() => runInScope(attempt, node.run, input, ctx))
        : runInScope(attempt, node.run, input, ctx);
      if (isPromiseLike(result)) {
        result = await (ctx.signal === env.signal
          ? env.race.wait(result)
          : untilAborted(result, ctx.signal));
      }
    }
  } catch (error) {
    result = commandOf(error);
  }
  result = await guardOutput(node, result, attempt, placeOf(env));
  return outputOf(task, env, result, ctx, spent);
}

/** A child graph's Command.PARENT is this node's result; anything else thrown is rethrown. */
function commandOf(error: unknown): unknown {
  if (error instanceof CommandFromChild) return error.command;
  throw error;
}

/** The node's result as the task's output: validated writes and where it routes. */
function outputOf(
  task: Task,
  env: TaskEnvironment,
  result: unknown,
  ctx: TaskContext,
  spent: SpentUsage,
): TaskOutput | Promise<TaskOutput> {
  const node = task.node.name;
  if (isCommand(result) && result.graph === Command.PARENT) {
    throw new ParentCommandSignal(result, node);
  }
  const parsed = parseNodeResult(node, result, env.spec.channels);
  const goto = routeAfter(node, parsed.writes, parsed.goto, env.values, ctx, env.spec, env.race);
  if (!isPromiseLike(goto)) return taskOutput(parsed, goto, spent);
  return goto.then((targets) => taskOutput(parsed, targets, spent));
}

function taskOutput(
  parsed: { writes: TaskOutput["writes"]; update: unknown },
  goto: Array<string | Send>,
  spent: SpentUsage,
): TaskOutput {
  const output = { writes: parsed.writes, goto, update: parsed.update };
  return spent.usage ? { ...output, usage: spent.usage } : output;
}

function placeOf(env: TaskEnvironment): { step: number; threadId: string | undefined } {
  return { step: env.step, threadId: env.threadId };
}

function whyEnded(signal: AbortSignal): string {
  if (!signal.aborted) return ATTEMPT_RETURNED;
  const reason: unknown = signal.reason;
  if (reason instanceof NodeTimeoutError) return `it timed out after ${reason.timeoutMs} ms`;
  return "the run was cancelled or a sibling task failed";
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

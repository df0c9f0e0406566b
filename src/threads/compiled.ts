import type { z } from "zod";
import { Command, isCommand, START } from "../graph/constants.js";
import { drawMermaid } from "../graph/mermaid.js";
import type { GraphSpec } from "../graph/spec.js";
import { graphStructure, type GraphStructure } from "../graph/structure.js";
import type { StateOf, UpdateOf } from "../graph/state.js";
import type { Budget, Configurable, RunConfig, ThreadMigration } from "../graph/types.js";
import type { AuditEntry, Checkpointer, GraphIdentity, ThreadStore } from "../checkpoint/types.js";
import {
  CancelledError,
  CheckpointNotFoundError,
  EmptyInputError,
  InvalidConfigError,
  InvalidResumeError,
  InvalidThreadIdError,
  MissingThreadIdError,
  isStorageFailure,
  NoCheckpointerError,
  NoParentGraphError,
  SwitchyardError,
  ThreadBusyError,
} from "../errors.js";
import { startResume } from "./command-input.js";
import { applyInput, forkFrom, loadThread } from "./entry.js";
import { checkpointConfig, runLoop, type LoopResult } from "../runtime/loop.js";
import {
  CANCELLED,
  createRunContext,
  type Emitter,
  type RunContext,
  type StreamMode,
} from "../runtime/run-context.js";
import type { RunObserver } from "../runtime/observer.js";
import { CACHE_NAMESPACE } from "../runtime/node-cache.js";
import { BudgetTracker } from "../runtime/budget.js";
import type { NodeCache } from "../checkpoint/cache.js";
import { observeRun, type RunTelemetry } from "../telemetry/run-span.js";
import {
  emptyState,
  pendingTasks,
  stateFromTuple,
  type PendingTask,
} from "../runtime/run-state.js";
import {
  emptySnapshot,
  toSnapshot,
  withSubgraphStates,
  type HistoryOptions,
  type StateSnapshot,
} from "./snapshot.js";
import { StreamQueue } from "./stream.js";
import { rememberGraph } from "./known-graphs.js";
import { waitingRecords } from "./inbox.js";
import { currentAttempt, Rejection } from "../runtime/interrupt.js";
import { runSubgraph } from "./subgraph.js";
import { CommandFromChild, forParent, ParentCommandSignal } from "../runtime/parent-command.js";
import {
  matchAnswers,
  refuseIfPastDeadline,
  refuseIfWaiting,
  waitingInterrupts,
} from "./resume.js";
import { StepTracker } from "../runtime/step-tracker.js";
import { holdThread, migrateThread, pinGraph, releaseAfterSteps } from "./thread.js";
import { LeaseFoldingCheckpointer } from "./lease-folding.js";
import { writeUpdate } from "./update-state.js";
import type { ThreadUsage } from "../runtime/usage.js";
import type { UsageOptions } from "../checkpoint/usage.js";
import { threadUsage } from "./usage.js";

export type { GraphStructure, HistoryOptions, StateSnapshot, StreamMode };
export type { StateTask } from "./snapshot.js";

export interface StreamConfig extends RunConfig {
  /** One mode yields its payloads; a list yields `[mode, payload]` tuples. Default "updates". */
  streamMode?: StreamMode | readonly StreamMode[];
  /**
   * Also yield the events of subgraphs, LangGraph's shape: every item is `[namespace, payload]`
   * (or `[namespace, mode, payload]` with a list of modes), `namespace` being `[]` for this graph
   * and `["node:taskId", …]` for a child, one entry per level.
   */
  subgraphs?: boolean;
}

interface CompiledOptions<Schema extends z.ZodObject> {
  readonly schema: Schema;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly checkpointer: Checkpointer | undefined;
  readonly cache: NodeCache | undefined;
  readonly budget: Budget | undefined;
  readonly migrations: Readonly<Record<string, ThreadMigration>>;
  /** Compiles the same builder again with these options over the original ones. */
  readonly recompile: (overrides: RecompileOptions) => CompiledGraph<Schema>;
}

/** What `recompile` may change: where threads are stored and the name they are pinned to. */
export interface RecompileOptions {
  readonly checkpointer?: Checkpointer;
  readonly name?: string;
}

/** A run's hold on its thread, and the migration to apply when the thread came from another graph. */
interface ThreadAccess {
  readonly lease: string | undefined;
  readonly migration: { from: GraphIdentity; migrate: ThreadMigration } | undefined;
  /** The run's ctx.step functions still running: the thread is let go only once they end. */
  readonly steps: StepTracker | undefined;
  readonly checkLease: (() => Promise<void>) | undefined;
  /** What the run writes through (the lease folded into its commits); default: the graph's. */
  readonly checkpointer?: Checkpointer;
}

/**
 * What `invoke` returns: the state, and when the run paused, `__interrupt__` with what it waits on
 * (empty after a static breakpoint), as in LangGraph.js.
 */
export type RunOutput<State> = State & {
  __interrupt__?: Array<{ id: string; value: unknown }>;
};

/** An interrupt `sweepExpired()` applied its timeout to (or tried to: `error` says why not). */
export interface SweptInterrupt {
  readonly threadId: string;
  readonly interruptId: string;
  readonly error?: { readonly code: string; readonly message: string };
}

const NO_THREAD: ThreadAccess = {
  lease: undefined,
  migration: undefined,
  steps: undefined,
  checkLease: undefined,
};

/** A validated graph, ready to run. Create it with `StateGraph.compile()`. */
export class CompiledGraph<Schema extends z.ZodObject> {
  /** The state schema the graph was built with (e.g. for a JSON Schema of its input and state). */
  readonly schema: Schema;
  readonly name: string;
  /** Structural version (hash of state keys, nodes, edges); threads are pinned to it. */
  readonly version: string;
  readonly checkpointer: Checkpointer | undefined;

  constructor(
    private readonly spec: GraphSpec,
    private readonly options: CompiledOptions<Schema>,
  ) {
    this.schema = options.schema;
    this.name = spec.name;
    this.version = spec.version;
    this.checkpointer = options.checkpointer;
    rememberGraph(spec);
  }

  /**
   * The same graph compiled again with another checkpointer or name (its other compile options
   * kept): how the CLI runs a graph file that exports a compiled graph on its own database.
   */
  recompile(overrides: RecompileOptions): CompiledGraph<Schema> {
    return this.options.recompile(overrides);
  }

  /**
   * Runs the graph to completion (or to a breakpoint) and returns the final state.
   * `input` starts a run; `null` continues the thread's latest checkpoint (with a checkpointer).
   */
  async invoke(
    input: UpdateOf<Schema> | Command<unknown> | null | undefined,
    config: RunConfig = {},
  ): Promise<RunOutput<StateOf<Schema>>> {
    const result = await this.execute(input, config, undefined);
    if (!result.paused) return result.values as StateOf<Schema>;
    const __interrupt__ = result.interrupts.map(({ id, value }) => ({ id, value }));
    return { ...result.values, __interrupt__ } as RunOutput<StateOf<Schema>>;
  }

  /**
   * Runs the graph and yields events as it goes: `values` (the state after each superstep),
   * `updates` (`{ node: update }` per task), `custom` (what nodes pass to `ctx.writer`), `debug`,
   * `messages` (`[messageChunk, { node, superstep }]` per model token, as it arrives).
   * Breaking out of the loop cancels the run.
   */
  stream(
    input: UpdateOf<Schema> | Command<unknown> | null | undefined,
    config: StreamConfig = {},
  ): AsyncIterableIterator<unknown> {
    const requested = config.streamMode ?? "updates";
    const modes = new Set<StreamMode>(typeof requested === "string" ? [requested] : requested);
    const tuples = typeof requested !== "string";
    const stopped = new AbortController();
    const queue = new StreamQueue<unknown>(() => stopped.abort());
    const emitter = streamEmitter(modes, tuples, config.subgraphs === true, [], (item) =>
      queue.push(item),
    );
    const signal = config.signal
      ? AbortSignal.any([config.signal, stopped.signal])
      : stopped.signal;
    this.execute(input, { ...config, signal }, emitter).then(
      () => queue.close(),
      (error: unknown) => queue.fail(error),
    );
    return queue;
  }

  /**
   * The thread's latest state, or the state at `configurable.checkpoint_id`. With
   * `{ subgraphs: true }`, a waiting subgraph node's task carries its child's state in `state`.
   */
  async getState(
    config: RunConfig,
    options: { subgraphs?: boolean } = {},
  ): Promise<StateSnapshot<StateOf<Schema>>> {
    const { checkpointer, threadId } = this.thread(config, "getState()");
    const checkpointId = config.configurable?.checkpoint_id;
    const tuple = await checkpointer.getTuple(threadId, checkpointId);
    if (tuple && options.subgraphs) {
      const snapshot = toSnapshot(this.spec, tuple);
      return (await withSubgraphStates(this.spec, checkpointer, tuple, snapshot)) as StateSnapshot<
        StateOf<Schema>
      >;
    }
    if (tuple) return toSnapshot(this.spec, tuple) as StateSnapshot<StateOf<Schema>>;
    if (checkpointId !== undefined) throw new CheckpointNotFoundError(threadId, checkpointId);
    return emptySnapshot(threadId) as StateSnapshot<StateOf<Schema>>;
  }

  /** Every checkpoint of the thread, newest first. */
  async *getStateHistory(
    config: RunConfig,
    options: HistoryOptions = {},
  ): AsyncIterableIterator<StateSnapshot<StateOf<Schema>>> {
    const { checkpointer, threadId } = this.thread(config, "getStateHistory()");
    const before = options.before?.configurable?.checkpoint_id;
    const { limit, filter } = options;
    for await (const tuple of checkpointer.list(threadId, { limit, before, filter })) {
      yield toSnapshot(this.spec, tuple) as StateSnapshot<StateOf<Schema>>;
    }
  }

  /**
   * Writes `values` as if node `asNode` had returned them, as a new checkpoint (source "update"),
   * and plans what would run after that node. Returns the new checkpoint's config.
   * Without `asNode`, the node that ran last is used when there was exactly one.
   */
  async updateState(
    config: RunConfig,
    values: UpdateOf<Schema>,
    asNode?: string,
  ): Promise<{ configurable: Configurable }> {
    const { checkpointer, threadId } = this.thread(config, "updateState()");
    return this.holding(checkpointer, threadId, config, async (access) => {
      const checkpointId = config.configurable?.checkpoint_id;
      const tuple = await checkpointer.getTuple(threadId, checkpointId);
      if (!tuple && checkpointId !== undefined) {
        throw new CheckpointNotFoundError(threadId, checkpointId);
      }
      const run = this.runContext(config, undefined, threadId, access);
      let state = tuple ? stateFromTuple(this.spec, tuple) : emptyState(this.spec);
      let pending = pendingTasks(tuple);
      if (access.migration) {
        ({ state, pending } = await migrateThread(run, state, pending, access.migration));
      }
      return checkpointConfig(threadId, await writeUpdate(run, state, pending, values, asNode));
    });
  }

  /**
   * Copies the thread in `config` into a new thread `toThreadId`: its checkpoint at
   * `configurable.checkpoint_id` (default: the latest) and every ancestor, with the values they
   * need. The copy can then be continued, updated or forked without touching the original.
   */
  async copyThread(config: RunConfig, toThreadId: string): Promise<{ configurable: Configurable }> {
    const { threadId } = this.thread(config, "copyThread()");
    if (toThreadId.trim() === "") throw new InvalidThreadIdError("copyThread()");
    const checkpointer = this.threadStore("copyThread()");
    const checkpointId = config.configurable?.checkpoint_id;
    if (checkpointId !== undefined && !(await checkpointer.getTuple(threadId, checkpointId))) {
      throw new CheckpointNotFoundError(threadId, checkpointId);
    }
    await checkpointer.copyThread(threadId, toThreadId, checkpointId);
    const copied = await checkpointer.getTuple(toThreadId);
    return checkpointConfig(toThreadId, copied?.checkpoint.id ?? "");
  }

  /**
   * Token counts of the thread's model calls, per node and in total (a subgraph's nodes as
   * `parent|child`), with each thread budget limit and what was spent against it: the sums the
   * checkpointer keeps of every superstep committed to the thread (forks included; pruning does
   * not lower them). With `runId`, one server run's usage (checkpoints with that
   * `metadata.run_id`). A task waiting at an interrupt counts what its calls spent before it.
   *
   * @example
   * const { total, nodes, budget } = await graph.getUsage("claim-42"); // nodes.agent.output_tokens, …
   */
  async getUsage(threadId: string, options: UsageOptions = {}): Promise<ThreadUsage> {
    const { checkpointer } = this.thread({ configurable: { thread_id: threadId } }, "getUsage()");
    const usage = await threadUsage(checkpointer, threadId, options);
    const budget = this.options.budget;
    if (!budget?.thread || options.runId !== undefined) return usage;
    const statuses = new BudgetTracker(budget, usage.total).status();
    return { ...usage, budget: statuses.filter((status) => status.scope === "thread") };
  }

  /** The run's budget, with what its thread spent before (undefined without a budget). */
  private async budgetTracker(
    config: RunConfig,
    threadId: string | undefined,
  ): Promise<BudgetTracker | undefined> {
    const budget = config.budget ?? this.options.budget;
    if (!budget) return undefined;
    const spent =
      budget.thread && this.checkpointer && threadId !== undefined
        ? (await threadUsage(this.checkpointer, threadId)).total
        : undefined;
    return new BudgetTracker(budget, spent);
  }

  /** Who answered which interrupt of the thread, when, and with what; oldest first. */
  async getAuditLog(threadId: string): Promise<AuditEntry[]> {
    if (!this.checkpointer) throw new NoCheckpointerError("getAuditLog()");
    return this.checkpointer.getAuditLog(threadId);
  }

  /**
   * Drops the cached results of this graph's nodes (`cachePolicy`) from its `compile({ cache })`,
   * so each of them runs again the next time.
   */
  async clearCache(): Promise<void> {
    const namespaces = [...this.spec.nodes.values()]
      .filter((node) => node.cachePolicy)
      .map((node) => [CACHE_NAMESPACE, this.spec.name, node.name]);
    if (namespaces.length > 0) await this.options.cache?.clear(namespaces);
  }

  /** Mermaid flowchart text of the graph. */
  drawMermaid(): string {
    return drawMermaid(this.spec);
  }

  /**
   * The graph's structure as data: its nodes (with `__start__` and `__end__`) and edges;
   * `conditional` marks the possible targets of a router or of a node's Command `ends`. With
   * `xray` (true, or how many levels), a subgraph node is drawn as its child's nodes, named
   * `node:child` as LangGraph does, the parent's edges entering and leaving them.
   * Without xray, `subgraphs` holds the structure of each node that is a compiled graph.
   */
  getGraph(options: { xray?: boolean | number } = {}): GraphStructure {
    const depth = options.xray === true ? Number.POSITIVE_INFINITY : Number(options.xray ?? 0);
    return graphStructure(this.spec, depth);
  }

  /** Node names, in the order they were added. */
  get nodeNames(): readonly string[] {
    return [...this.spec.nodes.keys()];
  }

  /**
   * Applies the `onTimeout` of every interrupt of this graph (by name) whose deadline has passed:
   * the thread resumes with that answer, audited as kind "timeout" by "system:deadline". Durable
   * and once: an applied timeout leaves nothing to sweep. Threads a run holds right now, or whose
   * interrupt was answered meanwhile, are left for the next sweep. `signal` cancels the sweep: the
   * thread being resumed stops as a cancelled run does, and CANCELLED is thrown.
   */
  async sweepExpired(
    now: Date = new Date(),
    options: { signal?: AbortSignal } = {},
  ): Promise<SweptInterrupt[]> {
    const store = this.threadStore("sweepExpired()");
    const swept: SweptInterrupt[] = [];
    for (const { threadId, graph, record } of await waitingRecords(store)) {
      const { deadline, onTimeout } = record;
      if (graph?.name !== this.name || deadline === undefined || onTimeout === undefined) continue;
      if (new Date(deadline).getTime() > now.getTime()) continue;
      const answer = "resume" in onTimeout ? onTimeout.resume : new Rejection(onTimeout.reject);
      const config = {
        configurable: { thread_id: threadId, actor: "system:deadline" },
        signal: options.signal,
      };
      const resume = new Command({ resume: { [record.id]: answer } });
      try {
        await this.execute(resume, config, undefined, "timeout");
        swept.push({ threadId, interruptId: record.id });
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        if (error instanceof ThreadBusyError || error instanceof InvalidResumeError) continue;
        if (!(error instanceof SwitchyardError)) throw error;
        const failure = { code: error.code, message: error.message };
        swept.push({ threadId, interruptId: record.id, error: failure });
      }
    }
    return swept;
  }

  private execute(
    input: unknown,
    config: RunConfig,
    emitter: Emitter | undefined,
    answerKind: "resume" | "timeout" = "resume",
  ): Promise<LoopResult> {
    const threadId = config.configurable?.thread_id;
    const checkpointer = this.checkpointer;
    // Invoked inside a node of a run with a checkpointer, without a checkpointer of its own or on
    // that run's thread (`ctx.runnableConfig`): a subgraph, checkpointing in that run's thread.
    const inside = currentAttempt();
    const host = inside?.task.host;
    if (inside && host && (!checkpointer || threadId === host.threadId)) {
      const graph = { spec: this.spec, ...this.options };
      return runSubgraph(graph, input, config, inside, host);
    }
    const running = !checkpointer
      ? this.run(input, config, emitter, undefined, NO_THREAD, answerKind)
      : threadId === undefined
        ? Promise.reject(new MissingThreadIdError("A graph with a checkpointer"))
        : threadId.trim() === ""
          ? Promise.reject(new InvalidThreadIdError("A run"))
          : this.holding(
              checkpointer,
              threadId,
              config,
              (access) => this.run(input, config, emitter, threadId, access, answerKind),
              input !== null && input !== undefined && !isCommand(input),
            );
    return running.catch((error: unknown) => {
      if (!(error instanceof ParentCommandSignal)) throw error;
      // Invoked inside a node (not as a checkpointed subgraph): the command is for that graph.
      if (inside) throw new CommandFromChild(forParent(error.command));
      throw new NoParentGraphError(error.node, threadId);
    });
  }

  /**
   * Holds the thread for the duration of `work`: its lease (THREAD_BUSY if another run has it) and
   * the check that it was started by this graph's structure (GRAPH_VERSION_MISMATCH otherwise).
   * New input (`newInput`) on a thread that does not exist yet takes the lease in its first
   * checkpoint's commit instead of a transaction of its own: nothing of the user's runs before that
   * commit (no START router), and the commit is refused if the thread was written meanwhile.
   */
  private async holding<T>(
    checkpointer: Checkpointer,
    threadId: string,
    config: RunConfig,
    work: (access: ThreadAccess) => Promise<T>,
    newInput = false,
  ): Promise<T> {
    const deferred =
      newInput &&
      config.configurable?.checkpoint_id === undefined &&
      (this.spec.outgoing.get(START)?.routers.length ?? 0) === 0 &&
      !(await checkpointer.getThread(threadId));
    const held = await holdThread(checkpointer, threadId, { deferred });
    const steps = new StepTracker();
    let result: T;
    try {
      const migrations = this.options.migrations;
      // A new thread has no graph to check: its first commit binds it.
      const pin = deferred
        ? { migration: undefined }
        : await pinGraph(checkpointer, threadId, this.spec, config, migrations);
      const checkLease = () => held.check();
      const folding = new LeaseFoldingCheckpointer(checkpointer, threadId, held, steps);
      result = await work({
        lease: held.owner,
        migration: pin.migration,
        steps,
        checkLease,
        checkpointer: folding,
      });
    } catch (error) {
      // The run's own error is what the caller needs. After a storage failure the release would
      // wait on the storage again: it goes on in the background (or the lease expires).
      const release = releaseAfterSteps(held, steps, config.abandonedStepWaitMs);
      if (!isStorageFailure(error)) await release;
      throw error;
    }
    await releaseAfterSteps(held, steps, config.abandonedStepWaitMs);
    return result;
  }

  private async run(
    input: unknown,
    config: RunConfig,
    emitter: Emitter | undefined,
    threadId: string | undefined,
    access: ThreadAccess,
    answerKind: "resume" | "timeout",
  ): Promise<LoopResult> {
    const telemetry = observeRun({
      spec: this.spec,
      threadId,
      namespace: "",
      input: isCommand(input) ? undefined : input,
    });
    let run: RunContext;
    try {
      const budget =
        config.budget || this.options.budget
          ? await this.budgetTracker(config, threadId)
          : undefined;
      run = this.runContext(config, emitter, threadId, access, answerKind, telemetry, budget);
    } catch (error) {
      telemetry?.end(undefined, error);
      throw error;
    }
    const external = config.signal;
    const onAbort = (): void => run.controller.abort(CANCELLED);
    if (external?.aborted) {
      const error = new CancelledError(0, threadId);
      telemetry?.end(undefined, error);
      throw error;
    }
    external?.addEventListener("abort", onAbort, { once: true });
    try {
      const result = await this.continueThread(run, input, access, answerKind, telemetry);
      telemetry?.end({ paused: result.paused, interrupts: result.interrupts.length });
      return result;
    } catch (error) {
      telemetry?.end(undefined, error);
      throw error;
    } finally {
      external?.removeEventListener("abort", onAbort);
    }
  }

  /** A run on a held thread: continue it, resume its interrupts, or start it with new input. */
  private async continueThread(
    run: RunContext,
    input: unknown,
    access: ThreadAccess,
    answerKind: "resume" | "timeout",
    telemetry: RunTelemetry | undefined,
  ): Promise<LoopResult> {
    const { threadId, config } = run;
    const loaded = await loadThread(run);
    let state = loaded.state;
    let pending: ReadonlyMap<string, PendingTask> = loaded.superseded ? new Map() : loaded.pending;
    if (access.migration) {
      ({ state, pending } = await migrateThread(run, state, pending, access.migration));
    }
    const waiting = waitingInterrupts(state, pending);
    if (input === null || input === undefined) {
      if (!state.checkpoint) throw new EmptyInputError(threadId);
      if (loaded.superseded) state = await forkFrom(run, state);
      return await runLoop(run, state, pending, new Map(), true);
    }
    if (isCommand(input) && input.resume !== undefined) {
      const answers = matchAnswers(threadId, input.resume, waiting);
      telemetry?.resumes(
        waiting.filter((entry) => answers.has(entry.taskId)).map((e) => e.interrupt.traceparent),
      );
      if (answerKind === "resume") refuseIfPastDeadline(threadId, answers, waiting, new Date());
      const start = await startResume(run, state, pending, input, answers);
      return await runLoop(run, start.state, start.pending, start.answers, true);
    }
    refuseIfWaiting(threadId, waiting, config.discardInterrupts === true);
    state = isCommand(input)
      ? await applyInput(run, state, input.update ?? {}, [...input.goto])
      : await applyInput(run, state, input, undefined);
    return await runLoop(run, state, new Map(), new Map(), false);
  }

  private runContext(
    config: RunConfig,
    emitter: Emitter | undefined,
    threadId: string | undefined,
    access: ThreadAccess,
    answerKind: "resume" | "timeout" = "resume",
    observer?: RunObserver,
    budget?: BudgetTracker,
  ): RunContext {
    return createRunContext({
      observer,
      budget,
      cache: this.options.cache,
      spec: this.spec,
      config,
      emitter,
      checkpointer: access.checkpointer ?? this.checkpointer,
      threadId,
      lease: access.lease,
      steps: access.steps,
      checkLease: access.checkLease,
      answerKind,
      interruptBefore: this.options.interruptBefore,
      interruptAfter: this.options.interruptAfter,
    });
  }

  private threadStore(operation: string): ThreadStore {
    const checkpointer = this.checkpointer;
    if (!checkpointer) throw new NoCheckpointerError(operation);
    if (!isThreadStore(checkpointer)) {
      throw new InvalidConfigError(
        `${operation} needs a checkpointer that implements ThreadStore (MemoryCheckpointer and SqliteCheckpointer do).`,
      );
    }
    return checkpointer;
  }

  private thread(
    config: RunConfig,
    operation: string,
  ): { checkpointer: Checkpointer; threadId: string } {
    if (!this.checkpointer) throw new NoCheckpointerError(operation);
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined) throw new MissingThreadIdError(operation);
    if (threadId.trim() === "") throw new InvalidThreadIdError(operation);
    return { checkpointer: this.checkpointer, threadId };
  }
}

/** The spec of a compiled graph (for a parent graph that uses it as a node). Not public API. */
export function specOf(graph: CompiledGraph<z.ZodObject>): GraphSpec {
  return (graph as unknown as { spec: GraphSpec }).spec;
}

/** The emitter behind stream(): with `subgraphs`, items carry their namespace as a first element. */
function streamEmitter(
  modes: ReadonlySet<StreamMode>,
  tuples: boolean,
  subgraphs: boolean,
  namespace: readonly string[],
  push: (item: unknown) => void,
): Emitter {
  const emit = (mode: StreamMode, payload: unknown): void => {
    if (!subgraphs) push(tuples ? [mode, payload] : payload);
    else push(tuples ? [namespace, mode, payload] : [namespace, payload]);
  };
  if (!subgraphs) return { modes, emit };
  return {
    modes,
    emit,
    forSubgraph: (child) => streamEmitter(modes, tuples, true, child.split("|"), push),
  };
}

function isThreadStore(checkpointer: Checkpointer): checkpointer is ThreadStore {
  return typeof (checkpointer as Partial<ThreadStore>).copyThread === "function";
}

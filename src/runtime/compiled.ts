import { setMaxListeners } from "node:events";
import type { z } from "zod";
import { isCommand, START, type Command, type Send } from "../graph/constants.js";
import { drawMermaid } from "../graph/mermaid.js";
import type { GraphSpec } from "../graph/spec.js";
import type { StateOf, UpdateOf } from "../graph/state.js";
import type { Configurable, NodeContext, RunConfig, ThreadMigration } from "../graph/types.js";
import type {
  Checkpointer,
  CheckpointTuple,
  GraphIdentity,
  ThreadStore,
} from "../checkpoint/types.js";
import {
  AmbiguousUpdateError,
  CancelledError,
  CheckpointNotFoundError,
  EmptyInputError,
  InvalidConfigError,
  InvalidResumeError,
  InvalidUpdateError,
  MissingThreadIdError,
  NoCheckpointerError,
  SerializationError,
  UnknownNodeError,
} from "../errors.js";
import { applyStep, orderPlan } from "./apply.js";
import {
  CANCELLED,
  checkpointConfig,
  runLoop,
  saveStep,
  type Emitter,
  type LoopResult,
  type RunContext,
  type StreamMode,
} from "./loop.js";
import {
  emptyState,
  ERROR_CHANNEL,
  finishedOutputs,
  stateFromTuple,
  taskId,
  type RunState,
} from "./run-state.js";
import { StreamQueue } from "./stream.js";
import { holdThread, migratedPlan, pinGraph } from "./thread.js";
import { routeAfter } from "./task.js";
import { parseInput, parseNodeResult, withWrites, type TaskOutput } from "./writes.js";

export type { StreamMode };

export interface StreamConfig extends RunConfig {
  /** One mode yields its payloads; a list yields `[mode, payload]` tuples. Default "values". */
  streamMode?: StreamMode | readonly StreamMode[];
}

export interface StateTask {
  readonly id: string;
  readonly name: string;
  /** Set when the task failed in the last attempt of this superstep. */
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
  /** Set when the task finished: the update it returned (kept even if its superstep failed). */
  readonly result?: unknown;
  readonly interrupts: readonly unknown[];
}

/** A checkpoint as LangGraph.js users know it. */
export interface StateSnapshot<State> {
  readonly values: State;
  /** Nodes still to run from this checkpoint (finished tasks of a failed superstep excluded). */
  readonly next: readonly string[];
  readonly tasks: readonly StateTask[];
  readonly config: { configurable: Configurable };
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  readonly createdAt: string | undefined;
  readonly parentConfig: { configurable: Configurable } | undefined;
}

export interface HistoryOptions {
  limit?: number;
  /** Only checkpoints whose metadata has these values, e.g. `{ source: "update" }`. */
  filter?: Readonly<Record<string, unknown>>;
  /** Only checkpoints older than the one this config names. */
  before?: { configurable?: Configurable };
}

interface CompiledOptions {
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly checkpointer: Checkpointer | undefined;
  readonly migrations: Readonly<Record<string, ThreadMigration>>;
}

/** A run's hold on its thread, and the migration to apply when the thread came from another graph. */
interface ThreadAccess {
  readonly lease: string | undefined;
  readonly migration: { from: GraphIdentity; migrate: ThreadMigration } | undefined;
}

const DEFAULT_RECURSION_LIMIT = 25;

const NO_THREAD: ThreadAccess = { lease: undefined, migration: undefined };

/** A validated graph, ready to run. Create it with `StateGraph.compile()`. */
export class CompiledGraph<Schema extends z.ZodObject> {
  readonly name: string;
  readonly checkpointer: Checkpointer | undefined;

  constructor(
    private readonly spec: GraphSpec,
    private readonly options: CompiledOptions,
  ) {
    this.name = spec.name;
    this.checkpointer = options.checkpointer;
  }

  /**
   * Runs the graph to completion (or to a breakpoint) and returns the final state.
   * `input` starts a run; `null` continues the thread's latest checkpoint (with a checkpointer).
   */
  async invoke(
    input: UpdateOf<Schema> | Command<unknown> | null | undefined,
    config: RunConfig = {},
  ): Promise<StateOf<Schema>> {
    const result = await this.execute(input, config, undefined);
    if (!result.paused) return result.state.values as StateOf<Schema>;
    return { ...result.state.values, __interrupt__: [] } as StateOf<Schema>;
  }

  /**
   * Runs the graph and yields events as it goes: `values` (the state after each superstep),
   * `updates` (`{ node: update }` per task), `custom` (what nodes pass to `ctx.writer`), `debug`.
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
    const emitter: Emitter = {
      modes,
      emit: (mode, payload) => queue.push(tuples ? [mode, payload] : payload),
    };
    const signal = config.signal
      ? AbortSignal.any([config.signal, stopped.signal])
      : stopped.signal;
    this.execute(input, { ...config, signal }, emitter).then(
      () => queue.close(),
      (error: unknown) => queue.fail(error),
    );
    return queue;
  }

  /** The thread's latest state, or the state at `configurable.checkpoint_id`. */
  async getState(config: RunConfig): Promise<StateSnapshot<StateOf<Schema>>> {
    const { checkpointer, threadId } = this.thread(config, "getState()");
    const checkpointId = config.configurable?.checkpoint_id;
    const tuple = await checkpointer.getTuple(threadId, checkpointId);
    if (!tuple) {
      if (checkpointId !== undefined) throw new CheckpointNotFoundError(threadId, checkpointId);
      return {
        values: {} as StateOf<Schema>,
        next: [],
        tasks: [],
        config: { configurable: { thread_id: threadId, checkpoint_ns: "" } },
        metadata: undefined,
        createdAt: undefined,
        parentConfig: undefined,
      };
    }
    return this.snapshot(tuple);
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
      yield this.snapshot(tuple);
    }
  }

  /**
   * Copies the thread in `config` into a new thread `toThreadId`: its checkpoint at
   * `configurable.checkpoint_id` (default: the latest) and every ancestor, with the values they
   * need. The copy can then be continued, updated or forked without touching the original.
   */
  async copyThread(config: RunConfig, toThreadId: string): Promise<{ configurable: Configurable }> {
    const { checkpointer, threadId } = this.thread(config, "copyThread()");
    if (!isThreadStore(checkpointer)) {
      throw new InvalidConfigError(
        "copyThread() needs a checkpointer that implements ThreadStore (MemoryCheckpointer and SqliteCheckpointer do).",
      );
    }
    const checkpointId = config.configurable?.checkpoint_id;
    if (checkpointId !== undefined && !(await checkpointer.getTuple(threadId, checkpointId))) {
      throw new CheckpointNotFoundError(threadId, checkpointId);
    }
    await checkpointer.copyThread(threadId, toThreadId, checkpointId);
    const copied = await checkpointer.getTuple(toThreadId);
    return checkpointConfig(toThreadId, (copied as CheckpointTuple).checkpoint.id);
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
    return this.holding(checkpointer, threadId, config, (access) =>
      this.writeUpdate(checkpointer, threadId, config, values, asNode, access),
    );
  }

  private async writeUpdate(
    checkpointer: Checkpointer,
    threadId: string,
    config: RunConfig,
    values: UpdateOf<Schema>,
    asNode: string | undefined,
    access: ThreadAccess,
  ): Promise<{ configurable: Configurable }> {
    const checkpointId = config.configurable?.checkpoint_id;
    const tuple = await checkpointer.getTuple(threadId, checkpointId);
    if (!tuple && checkpointId !== undefined) {
      throw new CheckpointNotFoundError(threadId, checkpointId);
    }
    const run = this.runContext(config, undefined, checkpointer, threadId, access.lease);
    let state = tuple ? stateFromTuple(this.spec, tuple) : emptyState(this.spec);
    if (access.migration) state = await this.migrate(run, state, access.migration);
    const node = asNode ?? (await this.lastNode(checkpointer, threadId, state));
    if (node !== START && !this.spec.nodes.has(node)) {
      throw new UnknownNodeError(node, "updateState(config, values, asNode)", [
        ...this.spec.nodes.keys(),
      ]);
    }
    const parsed = parseNodeResult(node, values, this.spec.channels);
    const goto = await routeAfter(
      node,
      parsed.writes,
      parsed.goto,
      state.values,
      this.routerContext(run, node, state),
      this.spec,
    );
    const step = state.step + 1;
    const output: TaskOutput = { writes: parsed.writes, goto, update: values };
    const applied = applyStep(this.spec, state.values, state.barriers, [node], [output], step);
    // Tasks of other nodes that were waiting stay planned; the updated node counts as having run.
    const waiting = state.next.filter((task) => task.node !== node);
    const next = orderPlan([
      ...waiting,
      ...applied.next.filter((task) => !waiting.some((w) => w.node === task.node && !task.send)),
    ]);
    const saved = await saveStep(run, state, {
      source: "update",
      step,
      values: applied.values,
      updates: applied.updates,
      next,
      barriers: applied.barriers,
      metadata: config.metadata,
    });
    return checkpointConfig(threadId, (saved.checkpoint as { id: string }).id);
  }

  /** Mermaid flowchart text of the graph. */
  drawMermaid(): string {
    return drawMermaid(this.spec);
  }

  /** Node names, in the order they were added. */
  get nodeNames(): readonly string[] {
    return [...this.spec.nodes.keys()];
  }

  private async execute(
    input: unknown,
    config: RunConfig,
    emitter: Emitter | undefined,
  ): Promise<LoopResult> {
    const threadId = config.configurable?.thread_id;
    const checkpointer = this.checkpointer;
    if (!checkpointer) return this.run(input, config, emitter, undefined, NO_THREAD);
    if (threadId === undefined) throw new MissingThreadIdError("A graph with a checkpointer");
    return this.holding(checkpointer, threadId, config, (access) =>
      this.run(input, config, emitter, threadId, access),
    );
  }

  /**
   * Holds the thread for the duration of `work`: its lease (THREAD_BUSY if another run has it) and
   * the check that it was started by this graph's structure (GRAPH_VERSION_MISMATCH otherwise).
   */
  private async holding<T>(
    checkpointer: Checkpointer,
    threadId: string,
    config: RunConfig,
    work: (access: ThreadAccess) => Promise<T>,
  ): Promise<T> {
    const held = await holdThread(checkpointer, threadId);
    try {
      const migrations = this.options.migrations;
      const migration = await pinGraph(checkpointer, threadId, this.spec, config, migrations);
      return await work({ lease: held.owner, migration });
    } finally {
      await held.release();
    }
  }

  /** Replaces the thread's state with what the registered migration makes of it, then re-pins it. */
  private async migrate(
    run: RunContext,
    state: RunState,
    migration: NonNullable<ThreadAccess["migration"]>,
  ): Promise<RunState> {
    const migrated = await migration.migrate({
      values: state.values,
      next: state.next.map((task) => task.node),
    });
    const values: Record<string, unknown> = {};
    for (const channel of this.spec.channels.values()) {
      const value = migrated.values[channel.key];
      if (value !== undefined) values[channel.key] = value;
      else if (channel.initial) values[channel.key] = channel.initial();
    }
    const unknown = Object.keys(migrated.values).find((key) => !this.spec.channels.has(key));
    if (unknown !== undefined) {
      throw new InvalidUpdateError("migration", unknown, "the state has no such key");
    }
    const saved = await saveStep(run, state, {
      source: "update",
      step: state.step + 1,
      values,
      updates: new Map(),
      next: migratedPlan(this.spec, state.next, migrated.next),
      barriers: {},
      metadata: { ...run.config.metadata, migratedFrom: migration.from.version },
      replace: true,
    });
    await run.checkpointer?.setThreadGraph(run.threadId as string, {
      name: this.spec.name,
      version: this.spec.version,
    });
    return saved;
  }

  private async run(
    input: unknown,
    config: RunConfig,
    emitter: Emitter | undefined,
    threadId: string | undefined,
    access: ThreadAccess,
  ): Promise<LoopResult> {
    const run = this.runContext(config, emitter, this.checkpointer, threadId, access.lease);
    const external = config.signal;
    const onAbort = (): void => run.controller.abort(CANCELLED);
    if (external?.aborted) throw new CancelledError(0, threadId);
    external?.addEventListener("abort", onAbort, { once: true });
    try {
      const loaded = await this.loadThread(run);
      let state = loaded.state;
      if (access.migration) state = await this.migrate(run, state, access.migration);
      if (input === null || input === undefined) {
        if (!state.checkpoint) throw new EmptyInputError(threadId);
        // Continuing from an older checkpoint branches the thread: record the branch point.
        if (loaded.superseded) state = await this.fork(run, state);
        return await runLoop(run, state, loaded.superseded ? new Map() : loaded.finished, true);
      }
      if (isCommand(input)) {
        if (input.resume !== undefined) {
          throw new InvalidResumeError(
            `Nothing on ${threadId === undefined ? "this run" : `thread "${threadId}"`} is waiting for a resume value. ` +
              `Command({ resume }) answers a pending interrupt; start a run with an input object instead.`,
          );
        }
        state = await this.applyInput(run, state, input.update ?? {}, [...input.goto]);
      } else {
        state = await this.applyInput(run, state, input, undefined);
      }
      return await runLoop(run, state, new Map(), false);
    } finally {
      external?.removeEventListener("abort", onAbort);
    }
  }

  /** Loads the thread's latest checkpoint, or the requested one (then `superseded` if not the latest). */
  private async loadThread(
    run: RunContext,
  ): Promise<{ state: RunState; finished: Map<string, TaskOutput>; superseded: boolean }> {
    const { checkpointer, threadId } = run;
    if (!checkpointer || threadId === undefined) {
      return { state: emptyState(this.spec), finished: new Map(), superseded: false };
    }
    const checkpointId = run.configurable.checkpoint_id;
    const tuple = await checkpointer.getTuple(threadId, checkpointId);
    if (!tuple) {
      if (checkpointId !== undefined) throw new CheckpointNotFoundError(threadId, checkpointId);
      return { state: emptyState(this.spec), finished: new Map(), superseded: false };
    }
    const state = stateFromTuple(this.spec, tuple);
    const finished = finishedOutputs(tuple);
    if (checkpointId === undefined) return { state, finished, superseded: false };
    const latest = await checkpointer.getTuple(threadId);
    return { state, finished, superseded: latest?.checkpoint.id !== tuple.checkpoint.id };
  }

  private fork(run: RunContext, state: RunState): Promise<RunState> | RunState {
    return saveStep(run, state, {
      source: "fork",
      step: state.step + 1,
      values: state.values,
      updates: new Map(),
      next: state.next,
      barriers: state.barriers,
      metadata: run.config.metadata,
    });
  }

  private async applyInput(
    run: RunContext,
    state: RunState,
    input: unknown,
    commandGoto: Array<string | Send> | undefined,
  ): Promise<RunState> {
    const writes = parseInput(input, this.spec.channels);
    const ctx = this.routerContext(run, START, state);
    const goto =
      commandGoto && commandGoto.length > 0
        ? await routeAfter("", writes, commandGoto, state.values, ctx, this.spec)
        : await routeAfter(START, writes, [], state.values, ctx, this.spec);
    const step = state.step + 1;
    const applied = applyStep(
      this.spec,
      state.values,
      {},
      [START],
      [{ writes, goto, update: input }],
      step,
    );
    const saved = await Promise.resolve(
      saveStep(run, state, {
        source: "input",
        step,
        values: applied.values,
        updates: applied.updates,
        next: applied.next,
        barriers: state.barriers,
        metadata: run.config.metadata,
      }),
    ).catch((error: unknown) => {
      throw error instanceof SerializationError ? error.forNode(START) : error;
    });
    if (writes.length > 0 && run.emitter?.modes.has("values")) {
      run.emitter.emit("values", saved.values);
    }
    return saved;
  }

  private runContext(
    config: RunConfig,
    emitter: Emitter | undefined,
    checkpointer: Checkpointer | undefined,
    threadId: string | undefined,
    lease: string | undefined,
  ): RunContext {
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
    return {
      spec: this.spec,
      checkpointer,
      threadId,
      config,
      configurable: config.configurable ?? {},
      controller: runController(),
      emitter,
      interruptBefore: this.breakpoints(
        this.options.interruptBefore,
        config.interruptBefore,
        "interruptBefore",
      ),
      interruptAfter: this.breakpoints(
        this.options.interruptAfter,
        config.interruptAfter,
        "interruptAfter",
      ),
      recursionLimit,
      maxConcurrency,
      lease,
    };
  }

  private breakpoints(
    compiled: ReadonlySet<string>,
    extra: readonly string[] | undefined,
    option: string,
  ): ReadonlySet<string> {
    if (!extra || extra.length === 0) return compiled;
    for (const name of extra) {
      if (!this.spec.nodes.has(name))
        throw new UnknownNodeError(name, `The { ${option} } option`, [...this.spec.nodes.keys()]);
    }
    return new Set([...compiled, ...extra]);
  }

  private routerContext(run: RunContext, node: string, state: RunState): NodeContext {
    return {
      configurable: run.configurable,
      config: run.config,
      signal: run.controller.signal,
      writer: () => undefined,
      node,
      step: state.step + 1,
      attempt: 1,
      taskId: `${node}:${state.step + 1}`,
    };
  }

  private thread(
    config: RunConfig,
    operation: string,
  ): { checkpointer: Checkpointer; threadId: string } {
    if (!this.checkpointer) throw new NoCheckpointerError(operation);
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined) throw new MissingThreadIdError(operation);
    return { checkpointer: this.checkpointer, threadId };
  }

  private async lastNode(
    checkpointer: Checkpointer,
    threadId: string,
    state: RunState,
  ): Promise<string> {
    const checkpoint = state.checkpoint;
    if (!checkpoint || checkpoint.source === "input" || checkpoint.parentId === undefined)
      return START;
    const parent = await checkpointer.getTuple(threadId, checkpoint.parentId);
    const ran = [...new Set(parent?.checkpoint.next.map((task) => task.node) ?? [])];
    if (ran.length === 1) return ran[0] as string;
    if (ran.length === 0) return START;
    throw new AmbiguousUpdateError(ran);
  }

  private snapshot(tuple: CheckpointTuple): StateSnapshot<StateOf<Schema>> {
    const state = stateFromTuple(this.spec, tuple);
    const { checkpoint, threadId } = tuple;
    const finished = finishedOutputs(tuple);
    const errors = new Map<string, StateTask["error"]>();
    for (const write of tuple.pendingWrites) {
      if (write.channel === ERROR_CHANNEL) {
        errors.set(write.taskId, write.value as StateTask["error"]);
      }
    }
    const next: string[] = [];
    // Like LangGraph.js, the values include what finished tasks of an unfinished superstep wrote.
    let values = state.values;
    const tasks = checkpoint.next.map((task, index): StateTask => {
      const id = taskId(state, index);
      const output = finished.get(id);
      if (output) {
        values = withWrites(values, output.writes, this.spec.channels);
        return { id, name: task.node, interrupts: [], result: output.update };
      }
      next.push(task.node);
      const error = errors.get(id);
      return error
        ? { id, name: task.node, error, interrupts: [] }
        : { id, name: task.node, interrupts: [] };
    });
    return {
      values: values as StateOf<Schema>,
      next,
      tasks,
      config: checkpointConfig(threadId, checkpoint.id),
      metadata: checkpoint.metadata,
      createdAt: checkpoint.createdAt,
      parentConfig:
        checkpoint.parentId === undefined
          ? undefined
          : checkpointConfig(threadId, checkpoint.parentId),
    };
  }
}

/** Every running task listens on the run's signal; a wide fan-out is not a listener leak. */
function runController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function isThreadStore(checkpointer: Checkpointer): checkpointer is ThreadStore {
  return typeof (checkpointer as Partial<ThreadStore>).copyThread === "function";
}

import {
  AssistantNotFoundError,
  ThreadNotFoundError,
  type CompiledGraph,
  type RunQueue,
  type RunRecord,
  type RunStore,
  type StateSnapshot,
  type ThreadRecord,
  type ThreadStore,
} from "../index.js";
import type { ServedGraph } from "./options.js";
import { RunExecutor, type Executor } from "./executor.js";
import { QueuedRunExecutor } from "./queued-executor.js";
import { wireThread, wireUsage, type ThreadStatus } from "./wire.js";

/** What every route works with: the graphs, the two stores, the runs in flight. */
export class ServerContext {
  readonly executor: Executor;
  /** The executor when runs execute in this process (no queue): restarts resume its runs. */
  readonly inProcess: RunExecutor | undefined;
  readonly startedAt = new Date().toISOString();

  constructor(
    readonly graphs: ReadonlyMap<string, ServedGraph>,
    readonly checkpointer: ThreadStore,
    readonly runs: RunStore,
    queue?: RunQueue,
    runTimeoutMs = 0,
  ) {
    const touch = (record: RunRecord) => this.touchThread(record);
    this.inProcess = queue
      ? undefined
      : new RunExecutor(runs, (run) => touch(run.record), runTimeoutMs);
    this.executor = this.inProcess ?? new QueuedRunExecutor(queue as RunQueue, runs, touch);
  }

  assistant(assistantId: string): ServedGraph & { id: string } {
    const served = this.graphs.get(assistantId);
    if (!served) throw new AssistantNotFoundError(assistantId, [...this.graphs.keys()]);
    return { ...served, id: assistantId };
  }

  /**
   * The thread's record: the one the server keeps, or one made up for a thread that exists only
   * as checkpoints (started by the CLI or an app on the same database). Undefined when neither.
   */
  async findThread(threadId: string): Promise<ThreadRecord | undefined> {
    const record = await this.runs.getThread(threadId);
    if (record) return record;
    const info = await this.checkpointer.getThread(threadId);
    if (!info) return undefined;
    const metadata = info.graph ? { graph_id: info.graph.name, assistant_id: info.graph.name } : {};
    return { threadId, metadata, createdAt: info.createdAt, updatedAt: info.updatedAt };
  }

  async thread(threadId: string): Promise<ThreadRecord> {
    const record = await this.findThread(threadId);
    if (!record) throw new ThreadNotFoundError(threadId);
    return record;
  }

  /** The graph that runs the thread: the one it is pinned to, else its metadata's graph_id. */
  async graphOfThread(record: ThreadRecord): Promise<CompiledGraph<never> | undefined> {
    const pinned = (await this.checkpointer.getThread(record.threadId))?.graph?.name;
    const name = pinned ?? record.metadata.graph_id;
    return typeof name === "string" ? this.graphs.get(name)?.graph : undefined;
  }

  /** The thread's latest state, or undefined when it has no checkpoint or no known graph. */
  async snapshot(record: ThreadRecord): Promise<StateSnapshot<unknown> | undefined> {
    const graph = await this.graphOfThread(record);
    if (!graph) return undefined;
    const snapshot = await graph.getState({ configurable: { thread_id: record.threadId } });
    return snapshot.config.configurable.checkpoint_id === undefined ? undefined : snapshot;
  }

  async status(
    record: ThreadRecord,
    snapshot: StateSnapshot<unknown> | undefined,
  ): Promise<ThreadStatus> {
    if (await this.executor.active(record.threadId)) return "busy";
    if (snapshot?.tasks.some((task) => task.interrupts.length > 0)) return "interrupted";
    const [last] = await this.runs.listRuns(record.threadId, { limit: 1 });
    if (last?.status === "error" || last?.status === "timeout") return "error";
    // Nodes still planned after a run that ended well: it stopped at a breakpoint. After a
    // cancelled run they are merely where it was stopped.
    const paused = snapshot !== undefined && snapshot.next.length > 0;
    return paused && last?.status !== "interrupted" ? "interrupted" : "idle";
  }

  /** The thread as the API shows it. */
  async wireThread(record: ThreadRecord) {
    const snapshot = await this.snapshot(record);
    const thread = wireThread(record, await this.status(record, snapshot), snapshot);
    const graph = snapshot ? await this.graphOfThread(record) : undefined;
    return graph ? { ...thread, usage: wireUsage(await graph.getUsage(record.threadId)) } : thread;
  }

  /** Stores the thread's record with `metadata` merged in, creating it when the server has none. */
  async saveThread(threadId: string, metadata: Record<string, unknown>): Promise<ThreadRecord> {
    const now = new Date().toISOString();
    const existing = await this.findThread(threadId);
    const record = {
      threadId,
      metadata: { ...existing?.metadata, ...metadata },
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.runs.putThread(record);
    return record;
  }

  private async touchThread(run: RunRecord): Promise<void> {
    const existing = await this.runs.getThread(run.threadId);
    if (existing) await this.runs.putThread({ ...existing, updatedAt: new Date().toISOString() });
  }
}

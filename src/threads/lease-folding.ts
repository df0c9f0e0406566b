import type {
  AuditEntry,
  ChannelWrite,
  CheckpointRecord,
  CheckpointTuple,
  Checkpointer,
  GraphIdentity,
  ListOptions,
  TaskWrites,
  ThreadInfo,
  WriteOptions,
} from "../checkpoint/types.js";
import type { UsageOptions, UsageTotals } from "../checkpoint/usage.js";
import type { StepTracker } from "../runtime/step-tracker.js";
import type { HeldThread } from "./thread.js";

/**
 * The checkpointer a run on a held thread writes through: it folds the lease's bookkeeping into
 * the run's checkpoints, so a run makes one write transaction per checkpoint.
 * - A deferred lease (holdThread's `deferred`) is taken by the run's first commit of the thread
 *   (WriteOptions.acquireLease); any other write under it first takes the lease on its own.
 * - The commit of a checkpoint that plans nothing more (the run's last write) gives the lease back
 *   (WriteOptions.releaseLease), unless a ctx.step of the run is still running: the thread stays
 *   held until that step is recorded, and HeldThread.release gives it back then.
 * Writes of subgraph namespaces and writes not under this run's lease pass through unchanged.
 */
export class LeaseFoldingCheckpointer implements Checkpointer {
  constructor(
    private readonly inner: Checkpointer,
    private readonly threadId: string,
    private readonly held: HeldThread,
    private readonly steps: StepTracker,
  ) {}

  get leaseMs(): number {
    return this.inner.leaseMs;
  }

  getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    return this.inner.getTuple(threadId, checkpointId);
  }

  list(threadId: string, options?: ListOptions): AsyncIterable<CheckpointTuple> {
    return this.inner.list(threadId, options);
  }

  async putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [channel: string, value: unknown]>,
    options?: WriteOptions,
  ): Promise<void> {
    await this.taken(options);
    return this.inner.putWrites(threadId, checkpointId, taskId, writes, options);
  }

  async putWritesBatch(
    threadId: string,
    checkpointId: string,
    tasks: ReadonlyArray<TaskWrites>,
    options?: WriteOptions,
  ): Promise<void> {
    await this.taken(options);
    return this.inner.putWritesBatch(threadId, checkpointId, tasks, options);
  }

  /** Not async: a commit that neither takes nor gives back the lease is the inner one, as it is. */
  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options: WriteOptions = {},
  ): Promise<void> {
    if (options.lease !== this.held.owner || threadId !== this.threadId) {
      return this.taken(options).then(() =>
        this.inner.commit(threadId, checkpoint, channelWrites, options),
      );
    }
    const acquire = this.held.deferred;
    const release = checkpoint.next.length === 0 && this.steps.idle;
    if (!acquire && !release)
      return this.inner.commit(threadId, checkpoint, channelWrites, options);
    const since = Date.now();
    return this.inner
      .commit(threadId, checkpoint, channelWrites, {
        ...options,
        ...(acquire ? { acquireLease: true } : {}),
        ...(release ? { releaseLease: true } : {}),
      })
      .then(() => {
        if (acquire) this.held.takenByCommit(since);
        if (release) this.held.releasedByCommit();
      });
  }

  getThread(threadId: string): Promise<ThreadInfo | undefined> {
    return this.inner.getThread(threadId);
  }

  async setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void> {
    await this.held.take();
    return this.inner.setThreadGraph(threadId, graph);
  }

  acquireLease(threadId: string, owner: string): Promise<void> {
    return this.inner.acquireLease(threadId, owner);
  }

  getAuditLog(threadId: string): Promise<AuditEntry[]> {
    return this.inner.getAuditLog(threadId);
  }

  getUsage(threadId: string, options?: UsageOptions): Promise<UsageTotals> {
    return this.inner.getUsage(threadId, options);
  }

  renewLease(threadId: string, owner: string): Promise<boolean> {
    return this.inner.renewLease(threadId, owner);
  }

  releaseLease(threadId: string, owner: string): Promise<void> {
    return this.inner.releaseLease(threadId, owner);
  }

  /** A write under this run's lease needs it taken first. */
  private async taken(options: WriteOptions | undefined): Promise<void> {
    if (options?.lease === this.held.owner) await this.held.take();
  }
}

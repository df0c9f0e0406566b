// A checkpointer that "dies" after a given number of writes: every later write throws, as if the
// process had been killed right after its k-th write. What the wrapped store holds then is what a
// real crash at that point would leave, so a test can check invariants at every crash point,
// deterministically.
import type {
  AuditEntry,
  ChannelWrite,
  Checkpointer,
  CheckpointRecord,
  CheckpointTuple,
  GraphIdentity,
  ListOptions,
  ThreadInfo,
  UsageOptions,
  UsageTotals,
  WriteOptions,
} from "../../src/index.js";

export class ProcessDied extends Error {
  constructor() {
    super("the process died here (simulated)");
  }
}

export class DyingCheckpointer implements Checkpointer {
  /** Writes that reached the store so far. */
  writes = 0;

  constructor(
    readonly inner: Checkpointer,
    /** How many writes reach the store before the "process" dies; Infinity never dies. */
    readonly dieAfter: number,
  ) {}

  get leaseMs(): number {
    return this.inner.leaseMs;
  }

  private write<T>(work: () => Promise<T>): Promise<T> {
    if (this.writes >= this.dieAfter) return Promise.reject(new ProcessDied());
    this.writes += 1;
    return work();
  }

  getTuple(threadId: string, checkpointId?: string): Promise<CheckpointTuple | undefined> {
    return this.inner.getTuple(threadId, checkpointId);
  }
  list(threadId: string, options?: ListOptions): AsyncIterable<CheckpointTuple> {
    return this.inner.list(threadId, options);
  }
  getThread(threadId: string): Promise<ThreadInfo | undefined> {
    return this.inner.getThread(threadId);
  }
  getAuditLog(threadId: string): Promise<AuditEntry[]> {
    return this.inner.getAuditLog(threadId);
  }
  getUsage(threadId: string, options?: UsageOptions): Promise<UsageTotals> {
    return this.inner.getUsage(threadId, options);
  }
  putWrites(
    threadId: string,
    checkpointId: string,
    taskId: string,
    writes: ReadonlyArray<readonly [string, unknown]>,
    options?: WriteOptions,
  ): Promise<void> {
    return this.write(() => this.inner.putWrites(threadId, checkpointId, taskId, writes, options));
  }
  putWritesBatch(
    threadId: string,
    checkpointId: string,
    tasks: Parameters<Checkpointer["putWritesBatch"]>[2],
    options?: WriteOptions,
  ): Promise<void> {
    return this.write(() => this.inner.putWritesBatch(threadId, checkpointId, tasks, options));
  }
  commit(
    threadId: string,
    checkpoint: CheckpointRecord,
    channelWrites: readonly ChannelWrite[],
    options?: WriteOptions,
  ): Promise<void> {
    return this.write(() => this.inner.commit(threadId, checkpoint, channelWrites, options));
  }
  setThreadGraph(threadId: string, graph: GraphIdentity): Promise<void> {
    return this.write(() => this.inner.setThreadGraph(threadId, graph));
  }
  // The lease is taken before the run and released after it; a dead process releases nothing.
  acquireLease(threadId: string, owner: string): Promise<void> {
    return this.inner.acquireLease(threadId, owner);
  }
  renewLease(threadId: string, owner: string): Promise<boolean> {
    return this.inner.renewLease(threadId, owner);
  }
  releaseLease(threadId: string, owner: string): Promise<void> {
    if (this.writes >= this.dieAfter) return Promise.resolve();
    return this.inner.releaseLease(threadId, owner);
  }
}

import {
  LeaseLostError,
  ThreadBusyError,
  type CompiledGraph,
  type PostgresRunQueue,
  type RunStatus,
} from "../index.js";
import { executePlan, planRun } from "../server/index.js";
import { continuation } from "./takeover.js";

/** What one worker process shares between the runs it executes. */
export interface RunJobContext {
  readonly queue: PostgresRunQueue;
  readonly workerId: string;
  readonly graphs: ReadonlyMap<string, CompiledGraph<never>>;
  /** The run lease: as long as the checkpointer's thread lease, renewed at a third of it. */
  readonly leaseMs: number;
  /** Aborts when the worker drains: runs stop at their last checkpoint and go back to the queue. */
  readonly draining: AbortSignal;
  readonly log: (line: string) => void;
}

/** How long a run whose thread another run still holds waits before it is tried again. */
const THREAD_BUSY_RETRY_MS = 1000;
/** How long a run that failed outside its graph (storage trouble) waits before it is tried again. */
const UNEXPECTED_RETRY_MS = 5000;

/**
 * Executes one queued run, the body of the `switchyard_run` job: claim it (or leave it when it is
 * not claimable, or re-queue it behind a busy thread), execute it with the graph's checkpointer
 * while renewing its lease, store its events as they come (signalling the run's id), and record
 * how it ended. A cancel request, a lost lease or a drain stop it at its last checkpoint.
 */
export async function executeQueuedRun(runId: string, ctx: RunJobContext): Promise<void> {
  const { queue, workerId, leaseMs } = ctx;
  const claimed = await queue.claim(runId, workerId, leaseMs);
  if (claimed === "thread-busy") return queue.retryLater(runId, THREAD_BUSY_RETRY_MS);
  if (claimed === "not-claimable") return;
  const { record } = claimed;

  let seq = claimed.nextSeq;
  let stored: Promise<unknown> = Promise.resolve();
  const store = (event: string, data: unknown): void => {
    const next = { seq: seq++, event, data };
    stored = stored
      .then(() => queue.appendEvent(runId, workerId, next))
      .catch((error: unknown) =>
        ctx.log(`run ${runId}: could not store an event: ${String(error)}`),
      );
  };
  // The metadata event opens each attempt's events, written only once the graph has started,
  // so a run bounced off a busy thread leaves no trace in its stream.
  let opened = false;
  const emit = (event: string, data: unknown): void => {
    if (!opened) store("metadata", { run_id: runId, attempt: claimed.attempt });
    opened = true;
    store(event, data);
  };

  const graph = ctx.graphs.get(record.assistantId);
  if (!graph) {
    const failure = {
      error: "ASSISTANT_NOT_FOUND",
      message: `Run ${runId} needs graph "${record.assistantId}", which this worker does not have (it has ${[...ctx.graphs.keys()].join(", ") || "none"}). Start the worker with the same graphs folder as the server.`,
    };
    emit("error", failure);
    await stored;
    await queue.finish(runId, workerId, "error", { __error__: failure });
    return;
  }

  const controller = new AbortController();
  let why: "cancel" | "lost" | "drain" | undefined;
  const stop = (reason: NonNullable<typeof why>): void => {
    why ??= reason;
    controller.abort();
  };
  if (claimed.cancelRequested) stop("cancel");
  const onDrain = (): void => stop("drain");
  ctx.draining.addEventListener("abort", onDrain);
  if (ctx.draining.aborted) stop("drain");
  const renewal = setInterval(
    () => {
      queue.renew(runId, workerId, leaseMs).then(
        ({ held, cancelRequested }) => {
          if (!held) stop("lost");
          else if (cancelRequested) stop("cancel");
        },
        (error: unknown) => ctx.log(`run ${runId}: could not renew its lease: ${String(error)}`),
      );
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );

  try {
    const next = claimed.attempt > 1 ? await continuation(record, graph) : undefined;
    if (next && "ended" in next) {
      // It had ended and only its status was lost: record it as the server would have.
      emit("values", next.ended);
      await stored;
      await queue.finish(runId, workerId, "success", next.ended);
      return;
    }
    const plan = next?.plan ?? planRun(record, graph);
    const execution = await executePlan(plan, controller.signal, emit, {
      rethrow: (error) => error instanceof ThreadBusyError || error instanceof LeaseLostError,
    });
    if (!opened && why !== "drain" && why !== "lost") {
      store("metadata", { run_id: runId, attempt: claimed.attempt });
    }
    await stored;
    if (execution.status !== "interrupted" || why === "cancel") {
      await queue.finish(runId, workerId, execution.status satisfies RunStatus, execution.output);
    } else if (why === "drain") {
      await queue.release(runId, workerId);
    }
    // why === "lost": the run is another worker's now; it records the outcome.
  } catch (error) {
    await stored;
    if (error instanceof ThreadBusyError) {
      await queue.release(runId, workerId, THREAD_BUSY_RETRY_MS);
    } else if (!(error instanceof LeaseLostError)) {
      // Storage trouble outside the graph: hand the run back (it continues from its last
      // checkpoint); if even that fails, graphile-worker retries the job, or the lease expires.
      ctx.log(`run ${runId}: ${String(error)}; handing it back to the queue`);
      await queue.release(runId, workerId, UNEXPECTED_RETRY_MS);
    }
  } finally {
    clearInterval(renewal);
    ctx.draining.removeEventListener("abort", onDrain);
  }
}

import { PostgresCheckpointer, PostgresRunStore, type CompiledGraph } from "../../index.js";
import { startWorker } from "../../worker/index.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../errors.js";
import { compileGraph, listGraphFiles, loadGraph } from "../graphs.js";
import { nonNegative, positive, positiveInt, requirePostgres } from "../option-values.js";

export interface WorkerCommandOptions {
  concurrency?: string;
  drainSeconds?: string;
  leaseSeconds?: string;
  keepEventsDays?: string;
  deleteThreadsAfterDays?: string;
}

/**
 * `switchyard worker --postgres URL`: executes the runs API servers queue on that database, with
 * the graphs folder's graphs, until SIGTERM or SIGINT; then it drains (runs finish, or stop at
 * their last checkpoint and go back to the queue) and exits 0.
 */
export async function worker(ctx: CliContext, options: WorkerCommandOptions): Promise<number> {
  const url = requirePostgres(ctx.postgres);
  const concurrency = positiveInt(options.concurrency, "--concurrency", 4);
  const drainMs =
    nonNegative(options.drainSeconds, {
      name: "--drain-seconds",
      unit: "seconds",
      fallback: 10,
      zeroMeans: "hands runs in flight back at once",
    }) * 1000;
  const leaseMs =
    positive(options.leaseSeconds, {
      name: "--lease-seconds",
      unit: "seconds",
      fallback: 30,
      code: "INVALID_LEASE",
    }) * 1000;
  const days = { unit: "days", fallback: 0 };
  const keepEventsDays = nonNegative(options.keepEventsDays, {
    ...days,
    name: "--keep-events-days",
    fallback: 7,
    zeroMeans: "keeps them",
  });
  const deleteAfter =
    options.deleteThreadsAfterDays === undefined
      ? undefined
      : nonNegative(options.deleteThreadsAfterDays, {
          ...days,
          name: "--delete-threads-after-days",
        });

  const checkpointer = new PostgresCheckpointer(url, {
    leaseMs,
    max: concurrency + 2,
  });
  const runs = new PostgresRunStore(url, { max: concurrency * 2 + 4 });
  try {
    // Fails here, with the checkpointer's named error, when the database cannot be reached.
    await checkpointer.getThread("switchyard-worker-probe");
    const graphs: Record<string, CompiledGraph<never>> = {};
    for (const file of listGraphFiles(ctx.graphsDir)) {
      const loaded = await loadGraph(file);
      graphs[loaded.name] = compileGraph(loaded, checkpointer);
    }
    const running = await startWorker({
      runs,
      checkpointer,
      graphs,
      concurrency,
      drainMs,
      keepEventsDays,
      ...(deleteAfter === undefined ? {} : { deleteThreadsAfterDays: deleteAfter }),
      log: ctx.out,
    });
    ctx.out(`switchyard worker ${running.workerId}: ${checkpointer.where}`);
    ctx.out(`  graphs: ${Object.keys(graphs).join(", ") || "(none)"} (from ${ctx.graphsDir})`);
    ctx.out(`  concurrency ${concurrency}, lease ${checkpointer.leaseMs / 1000} s`);
    const signalled = new Promise<string>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    const ended = await Promise.race([signalled, running.stopped.then(() => "")]);
    if (ended) {
      ctx.out(`switchyard worker: ${ended}, draining (up to ${drainMs / 1000} s)`);
      await running.stop();
    }
    ctx.out("switchyard worker: stopped");
    return EXIT.done;
  } finally {
    await runs.close();
    await checkpointer.close();
  }
}

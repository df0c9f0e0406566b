// Throughput of the fleet (issue 14): runs per second for 1, 2 and 4 `switchyard worker` processes
// on one Postgres (a throwaway local cluster), and for one process on SQLite for comparison. Every
// run is the three-node chain of bench/fleet/graphs; runs are queued all at once (straight into
// the run store, no HTTP), and the clock stops when the last one is recorded as a success.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadavg } from "node:os";
import pg from "pg";
import { PostgresRunStore, SqliteCheckpointer, type RunRecord } from "../../src/index.js";
import { startPostgresCluster } from "../../test/support/postgres-cluster.js";
import { startWorkerProcess, type WorkerProcess } from "../../test/support/worker.js";
import { graph } from "./graphs/chain.js";

const GRAPHS = "bench/fleet/graphs";
const CONCURRENCY = 4;

export interface ThroughputFigure {
  readonly setup: string;
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerSecond: number;
  readonly loadAverage: readonly [before: number, after: number];
}

function record(threadId: string): RunRecord {
  const now = new Date().toISOString();
  return {
    runId: randomUUID(),
    threadId,
    assistantId: "chain",
    status: "pending",
    metadata: {},
    multitaskStrategy: "reject",
    kwargs: {
      input: { n: 1 },
      command: null,
      config: { configurable: { thread_id: threadId } },
      stream_mode: ["values"],
    },
    createdAt: now,
    updatedAt: now,
  };
}

async function fleet(
  adminUrl: string,
  workerCount: number,
  runs: number,
): Promise<ThroughputFigure> {
  const name = `bench_${workerCount}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = new PostgresRunStore(url.toString());
  await store.ready();
  const workers: WorkerProcess[] = [];
  try {
    for (let index = 0; index < workerCount; index++) {
      workers.push(
        await startWorkerProcess({
          postgres: url.toString(),
          graphs: GRAPHS,
          args: ["--concurrency", String(CONCURRENCY)],
        }),
      );
    }
    const before = loadavg()[0] ?? 0;
    const started = performance.now();
    const records = Array.from({ length: runs }, () => record(randomUUID()));
    for (let index = 0; index < records.length; index += 50) {
      await Promise.all(records.slice(index, index + 50).map((run) => store.enqueueRun(run)));
    }
    for (;;) {
      const [row] = await store.query<{ done: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE status = 'success')::int AS done,
                count(*) FILTER (WHERE status = 'error')::int AS failed FROM server_runs`,
      );
      if ((row?.failed ?? 0) > 0) throw new Error(`${row?.failed} bench run(s) failed`);
      if ((row?.done ?? 0) >= runs) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      setup: `Postgres, ${workerCount} worker${workerCount > 1 ? "s" : ""} × concurrency ${CONCURRENCY}`,
      runs,
      seconds,
      runsPerSecond: runs / seconds,
      loadAverage: [before, loadavg()[0] ?? 0],
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await store.close();
  }
}

async function sqlite(workDir: string, runs: number): Promise<ThroughputFigure> {
  const checkpointer = new SqliteCheckpointer(join(workDir, "throughput.db"));
  const compiled = graph.compile({ checkpointer, name: "chain" });
  try {
    const before = loadavg()[0] ?? 0;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < runs) {
          await compiled.invoke({ n: 1 }, { configurable: { thread_id: randomUUID() } });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      setup: `SQLite, 1 process × concurrency ${CONCURRENCY} (no queue)`,
      runs,
      seconds,
      runsPerSecond: runs / seconds,
      loadAverage: [before, loadavg()[0] ?? 0],
    };
  } finally {
    checkpointer.close();
  }
}

/** Measures every setup, one after the other, on a throwaway cluster; returns the figures. */
export async function measureThroughput(options: {
  quick: boolean;
  workDir: string;
}): Promise<ThroughputFigure[]> {
  const runs = options.quick ? 40 : 400;
  const cluster = await startPostgresCluster();
  try {
    const figures = [await sqlite(options.workDir, runs)];
    for (const workers of [1, 2, 4]) figures.push(await fleet(cluster.url, workers, runs));
    return figures;
  } finally {
    cluster.stop();
  }
}

export function formatThroughput(figures: readonly ThroughputFigure[]): string {
  const lines = [
    "## T1 throughput: queued runs of a 3-node chain, to success",
    "",
    "| setup | runs | seconds | runs/s | load avg before → after |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const figure of figures) {
    lines.push(
      `| ${figure.setup} | ${figure.runs} | ${figure.seconds.toFixed(1)} | ${figure.runsPerSecond.toFixed(1)} | ${figure.loadAverage[0].toFixed(1)} → ${figure.loadAverage[1].toFixed(1)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

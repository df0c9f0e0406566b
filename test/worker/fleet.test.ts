// The fleet acceptance test (issue 14): 3 `switchyard worker` processes and 1 `switchyard serve
// --postgres` on one Postgres; 300 threads, a third waiting on approvals answered through the API
// (LangGraph's SDK client) while the others run; one worker slot kill -9'd twice mid-run.
import type { Client } from "@langchain/langgraph-sdk";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { PostgresCheckpointer } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startServer, type RunningServer } from "../support/server.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker.js";

const GRAPHS = "test/worker/fixtures/graphs";
const THREADS = 300;
const ACTOR = "fleet-approver";
const workerArgs = ["--concurrency", "4", "--lease-seconds", "2", "--drain-seconds", "5"];

let database: TestDatabase;
let admin: pg.Pool;
let server: RunningServer;
const workers: WorkerProcess[] = [];
const killed: Array<{ pid: number; at: Date; runs: string[] }> = [];

function startWorker(): Promise<WorkerProcess> {
  return startWorkerProcess({
    postgres: database.url,
    graphs: GRAPHS,
    args: workerArgs,
    env: { FLEET_DB_URL: database.url },
  });
}

beforeAll(async () => {
  database = await createTestDatabase("fleet");
  admin = new pg.Pool({ connectionString: database.url, max: 3 });
  await admin.query(`
    CREATE TABLE fleet_executions (id SERIAL PRIMARY KEY, thread_id TEXT NOT NULL, node TEXT NOT NULL,
      pid INTEGER NOT NULL, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ);
    CREATE TABLE fleet_effects (thread_id TEXT NOT NULL, step TEXT NOT NULL, pid INTEGER NOT NULL,
      at TIMESTAMPTZ NOT NULL);`);
  server = await startServer({ graphs: GRAPHS, postgres: database.url });
  workers.push(...(await Promise.all([startWorker(), startWorker(), startWorker()])));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await server?.stop();
  server?.remove();
  await admin?.end();
  await database?.drop();
}, 120_000);

/** At most `limit` of `tasks` at once. */
async function inBatches<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/** Kills the worker in `slot` with SIGKILL once it is running runs, and starts a replacement. */
async function killMidRun(slot: number): Promise<void> {
  const victim = workers[slot] as WorkerProcess;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await admin.query<{ run_id: string }>(
      "SELECT run_id FROM server_runs WHERE worker_id = $1 AND status = 'running'",
      [victim.workerId],
    );
    if (rows.length >= 2) {
      await victim.kill();
      killed.push({ pid: victim.pid, at: new Date(), runs: rows.map((row) => row.run_id) });
      break;
    }
    if (Date.now() > deadline) throw new Error(`worker ${victim.workerId} never ran two runs`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  workers[slot] = await startWorker();
}

/**
 * What a hang looks like from the database: every unfinished run with its owner, lease and jobs
 * (graphile-worker's lock), the workers alive and killed, and the end of each live worker's output.
 */
async function unfinishedRuns(): Promise<string> {
  const { rows } = await admin.query(
    `SELECT run.run_id, run.thread_id, run.status, run.attempt, run.worker_id, run.lease_until,
       run.cancel_requested, now() AS now,
       coalesce(json_agg(json_build_object('id', job.id, 'key', job.key, 'attempts', job.attempts,
         'locked_by', job.locked_by, 'locked_at', job.locked_at, 'run_at', job.run_at))
         FILTER (WHERE job.id IS NOT NULL), '[]') AS jobs
     FROM server_runs AS run
       LEFT JOIN graphile_worker._private_jobs AS job ON job.payload->>'runId' = run.run_id
     WHERE run.status IN ('pending', 'running')
     GROUP BY run.run_id ORDER BY run.seq`,
  );
  const live = workers.map((worker) => `${worker.workerId} (pid ${worker.pid})`);
  const outputs = workers.map(
    (worker) => `--- ${worker.workerId}\n${worker.output().slice(-2000)}`,
  );
  return [
    `${rows.length} unfinished run(s):`,
    ...rows.map((row) => JSON.stringify(row)),
    `workers in their slots (a killed one until its replacement is up): ${live.join(", ")}`,
    `killed: ${JSON.stringify(killed)}`,
    ...outputs,
  ].join("\n");
}

/** `work`, or after `ms` a failure that says which runs are stuck and why (instead of a bare timeout). */
async function diagnosedAfter<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      unfinishedRuns().then(
        (text) => reject(new Error(`the fleet had not finished after ${ms / 1000} s\n${text}`)),
        reject,
      );
    }, ms);
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

async function runThread(client: Client, index: number): Promise<string> {
  const ask = index % 3 === 0;
  const { thread_id: threadId } = await client.threads.create({ metadata: { index } });
  const first = await client.runs.create(threadId, "fleet", {
    input: { id: index, ask, n: index },
  });
  const output = (await client.runs.join(threadId, first.run_id)) as Record<string, unknown>;
  if (!ask) return threadId;
  expect(output).toMatchObject({ __interrupt__: [{ value: { id: index } }] });
  const answer = await client.runs.create(threadId, "fleet", {
    command: { resume: { approved: true } },
    config: { configurable: { actor: ACTOR } },
  });
  await client.runs.join(threadId, answer.run_id);
  return threadId;
}

test("300 threads across 3 workers, one killed twice mid-run: every run finishes as if uninterrupted, effects once, no overlap, no lost audit", async () => {
  const client = server.client();
  const threadIds = new Map<number, string>();
  const indexes = Array.from({ length: THREADS }, (_, index) => index);
  const traffic = inBatches(indexes, 40, async (index) => {
    threadIds.set(index, await runThread(client, index));
  });
  const kills = (async () => {
    await killMidRun(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await killMidRun(0);
  })();
  // Well before the test's own timeout, so a hang fails with what is stuck.
  await diagnosedAfter(140_000, Promise.all([traffic, kills]));

  // Every thread ends in the state an uninterrupted run gives.
  await inBatches(indexes, 20, async (index) => {
    const state = await client.threads.getState(threadIds.get(index) as string);
    expect(state.next).toEqual([]);
    expect(state.values).toEqual({
      id: index,
      ask: index % 3 === 0,
      n: (index + 1) * 10,
      receipts: [`charge-1-${index}`, `charge-2-${index}`],
      approved: index % 3 === 0,
    });
  });

  // Every run succeeded; the killed worker's runs were taken over (a later attempt finished them).
  const runs = await admin.query<{ run_id: string; status: string; attempt: number }>(
    "SELECT run_id, status, attempt FROM server_runs",
  );
  expect(runs.rows).toHaveLength(THREADS + THREADS / 3);
  expect(runs.rows.filter((run) => run.status !== "success")).toEqual([]);
  const takenOver = killed.flatMap((kill) => kill.runs);
  expect(takenOver.length).toBeGreaterThanOrEqual(4);
  for (const runId of takenOver) {
    expect(runs.rows.find((run) => run.run_id === runId)?.attempt).toBeGreaterThanOrEqual(2);
  }

  // ctx.step effects: once per thread and step, except a repeat after a killed process's effect
  // (the crash window: the effect happened, its record did not).
  const killedPids = new Set(killed.map((kill) => kill.pid));
  const effects = await admin.query<{ thread_id: string; step: string; pid: number }>(
    "SELECT thread_id, step, pid FROM fleet_effects",
  );
  const effectsOf = new Map<string, number[]>();
  for (const { thread_id, step, pid } of effects.rows) {
    effectsOf.set(`${thread_id} ${step}`, [...(effectsOf.get(`${thread_id} ${step}`) ?? []), pid]);
  }
  expect(effectsOf.size).toBe(THREADS * 2);
  let repeats = 0;
  for (const [key, pids] of effectsOf) {
    const survivors = pids.filter((pid) => !killedPids.has(pid));
    expect(survivors.length, key).toBeLessThanOrEqual(1);
    repeats += pids.length - 1;
  }

  // No thread was executed by two processes at once: its node executions never overlap (an
  // execution cut by a kill ends at the kill).
  const executions = await admin.query<{
    thread_id: string;
    node: string;
    pid: number;
    started_at: Date;
    ended_at: Date | null;
  }>("SELECT thread_id, node, pid, started_at, ended_at FROM fleet_executions ORDER BY started_at");
  const killedAt = new Map(killed.map((kill) => [kill.pid, kill.at]));
  const lastEnd = new Map<string, Date>();
  for (const execution of executions.rows) {
    const end = execution.ended_at ?? killedAt.get(execution.pid);
    expect(
      end,
      `unfinished execution by a live worker: ${JSON.stringify(execution)}`,
    ).toBeDefined();
    const previous = lastEnd.get(execution.thread_id);
    if (previous) {
      expect(execution.started_at.getTime(), execution.thread_id).toBeGreaterThanOrEqual(
        previous.getTime(),
      );
    }
    lastEnd.set(execution.thread_id, end as Date);
  }

  // Every approval is in the audit log, once, by the API caller.
  const checkpointer = new PostgresCheckpointer(database.url);
  try {
    await inBatches(indexes, 20, async (index) => {
      const audit = await checkpointer.getAuditLog(threadIds.get(index) as string);
      expect(audit.map((entry) => [entry.actor, entry.kind, entry.value])).toEqual(
        index % 3 === 0 ? [[ACTOR, "resume", { approved: true }]] : [],
      );
    });
  } finally {
    await checkpointer.close();
  }
  console.log(
    `fleet: ${runs.rows.length} runs, ${takenOver.length} taken over after 2 kills, ` +
      `${runs.rows.filter((run) => run.attempt > 1).length} with more than one attempt, ` +
      `${repeats} repeated effect(s) in the crash window`,
  );
}, 180_000);

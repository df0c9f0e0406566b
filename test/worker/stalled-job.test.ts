// The window between graphile-worker locking a run's job and the worker claiming the run: a worker
// kill -9'd there leaves the run `pending` (never claimed) and its only job locked by a dead
// worker, which graphile-worker unlocks only after 4 hours. The test leaves the database exactly
// in that state, with graphile-worker's own fetch statement, then starts a live worker.
import type { Client } from "@langchain/langgraph-sdk";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { append, END, type PostgresCheckpointer, START, StateGraph } from "../../src/index.js";
import { startWorker, type SwitchyardWorker } from "../../src/worker/index.js";
import { startInProcessFleet, type InProcessFleet } from "./in-process-fleet.js";

const LEASE_MS = 2000;
const DEAD_WORKER = "worker-killed-between-lock-and-claim";

let fleet: InProcessFleet;
let admin: pg.Pool;
let worker: SwitchyardWorker | undefined;
let client: Client;
const effects: string[] = [];
const workerLog: string[] = [];

function graphs(store: PostgresCheckpointer) {
  const builder = new StateGraph(z.object({ n: z.number(), log: append(z.string()) }))
    .addNode("charge", async (state, ctx) => {
      const receipt = await ctx.step("charge", () => {
        effects.push(String(ctx.configurable.thread_id));
        return Promise.resolve(`charged ${state.n}`);
      });
      return { log: receipt };
    })
    .addNode("double", (state) => ({ n: state.n * 2, log: "doubled" }))
    .addEdge(START, "charge")
    .addEdge("charge", "double")
    .addEdge("double", END);
  return { charger: builder.compile({ checkpointer: store, name: "charger" }) as never };
}

beforeAll(async () => {
  fleet = await startInProcessFleet({ prefix: "stalled", leaseMs: LEASE_MS, graphs });
  admin = new pg.Pool({ connectionString: fleet.database.url, max: 2 });
  client = fleet.client();
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await fleet?.stop([worker]);
}, 60_000);

/** The run's row and every job of the run, as a line to read when the test fails. */
async function diagnosis(runId: string): Promise<string> {
  const run = await admin.query(
    "SELECT status, attempt, worker_id, lease_until FROM server_runs WHERE run_id = $1",
    [runId],
  );
  const jobs = await admin.query(
    `SELECT id, key, attempts, locked_by, locked_at FROM graphile_worker._private_jobs
     WHERE payload->>'runId' = $1 ORDER BY id`,
    [runId],
  );
  return `run ${JSON.stringify(run.rows[0])}; jobs ${JSON.stringify(jobs.rows)}`;
}

test("a run whose job a dead worker locked before claiming it is taken over and finishes once", async () => {
  const { thread_id: threadId } = await client.threads.create();
  const { run_id: runId } = await client.runs.create(threadId, "charger", { input: { n: 21 } });

  // What graphile-worker's fetch (dist/sql/getJobs.js) does when a worker takes a job; the
  // worker then dies before its handler's claim, so nothing else changes.
  const locked = await admin.query<{ id: string }>(
    `UPDATE graphile_worker._private_jobs AS jobs
       SET attempts = jobs.attempts + 1, locked_by = $2, locked_at = now()
     WHERE jobs.key = $1 AND jobs.is_available AND jobs.run_at <= now() RETURNING id`,
    [runId, DEAD_WORKER],
  );
  expect(locked.rowCount).toBe(1);
  expect((await client.runs.get(threadId, runId)).status).toBe("pending");

  worker = await startWorker({
    runs: fleet.workerRuns,
    checkpointer: fleet.checkpointer,
    graphs: graphs(fleet.checkpointer),
    concurrency: 2,
    log: (line) => workerLog.push(line),
  });

  // Generous: re-queueing waits a lease (2 s) after the dead lock; the bound only catches a run
  // left pending, which without the recovery lasts graphile-worker's 4 hours.
  const deadline = Date.now() + 40_000;
  let status = "pending";
  while (status !== "success" && status !== "error") {
    if (Date.now() > deadline) {
      throw new Error(
        `run still ${status} 40 s after a live worker started: ${await diagnosis(runId)}; worker log: ${JSON.stringify(workerLog)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await client.runs.get(threadId, runId)).status;
  }

  expect(status).toBe("success");
  expect(await client.runs.join(threadId, runId)).toEqual({
    n: 42,
    log: ["charged 21", "doubled"],
  });
  // The dead worker never claimed it: the live worker's claim is the run's first attempt, and
  // the durable step's effect happened once.
  const { rows } = await admin.query<{ attempt: number; worker_id: string | null }>(
    "SELECT attempt, worker_id FROM server_runs WHERE run_id = $1",
    [runId],
  );
  expect(rows[0]).toEqual({ attempt: 1, worker_id: null });
  expect(effects).toEqual([threadId]);
  expect(workerLog).toContain(
    `run ${runId}: its job was locked by a worker that never claimed it; re-queued`,
  );
  // The dead worker's job is still locked (graphile-worker would free it hours later); a claim
  // from it would be refused, the run being finished.
  const dead = await admin.query(
    "SELECT 1 FROM graphile_worker._private_jobs WHERE locked_by = $1",
    [DEAD_WORKER],
  );
  expect(dead.rowCount).toBe(1);
}, 90_000);

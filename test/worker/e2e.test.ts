// A real fleet in miniature: `switchyard serve --postgres` (enqueue and relay only) and two
// `switchyard worker` processes on one Postgres, driven by LangGraph's SDK client.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { PostgresCheckpointer } from "../../src/index.js";
import { startServer, type RunningServer } from "../support/server.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker.js";

let database: TestDatabase;
let server: RunningServer;
let workers: WorkerProcess[] = [];
let admin: pg.Pool;
const GRAPHS = "test/worker/fixtures/graphs";

const workerArgs = ["--concurrency", "2", "--lease-seconds", "3", "--drain-seconds", "0.5"];

beforeAll(async () => {
  database = await createTestDatabase("e2e");
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
  server = await startServer({ graphs: GRAPHS, postgres: database.url });
  workers = await Promise.all(
    [0, 1].map(() =>
      startWorkerProcess({ postgres: database.url, graphs: GRAPHS, args: workerArgs }),
    ),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await server?.stop();
  server?.remove();
  await admin?.end();
  await database?.drop();
}, 90_000);

async function owner(runId: string): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { rows } = await admin.query<{ worker_id: string | null; status: string }>(
      "SELECT worker_id, status FROM server_runs WHERE run_id = $1",
      [runId],
    );
    if (rows[0]?.worker_id) return rows[0].worker_id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

test("the server only queues: a worker executes the run and the server streams its events", async () => {
  expect(server.output()).toContain("runs are queued for `switchyard worker` processes");
  const client = server.client();
  const { thread_id: threadId } = await client.threads.create();
  const parts = [];
  for await (const part of client.runs.stream(threadId, "two-steps", {
    input: { ms: 0 },
    streamMode: ["values", "updates"],
  })) {
    parts.push(part);
  }
  expect(parts.map((part) => part.event)).toEqual([
    "metadata",
    "values",
    "updates",
    "values",
    "updates",
    "values",
  ]);
  expect(parts.at(-1)?.data).toEqual({ ms: 0, log: ["a", "b"] });
  const [run] = await client.runs.list(threadId);
  expect(run?.status).toBe("success");
  const { rows } = await admin.query<{ attempt: number }>(
    "SELECT attempt FROM server_runs WHERE run_id = $1",
    [run?.run_id],
  );
  expect(rows[0]?.attempt).toBe(1);
}, 60_000);

test("SIGTERM drains a worker: it exits 0 and the other worker continues the run where it stopped", async () => {
  const client = server.client();
  const { thread_id: threadId } = await client.threads.create();
  const run = await client.runs.create(threadId, "two-steps", { input: { ms: 4000 } });
  const first = await owner(run.run_id);
  // Node "a" is committed and "b" is running when the worker is told to stop.
  const deadline = Date.now() + 30_000;
  while ((await client.threads.getState(threadId)).next[0] !== "b" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const draining = workers.find((worker) => worker.workerId === first);
  expect(draining).toBeDefined();
  expect(await draining?.stop()).toBe(0);
  expect(draining?.output()).toContain("draining");
  workers = workers.filter((worker) => worker !== draining);
  workers.push(
    await startWorkerProcess({ postgres: database.url, graphs: GRAPHS, args: workerArgs }),
  );

  // Continued in "b": "a" ran once (re-sending the input would have started over).
  expect(await client.runs.join(threadId, run.run_id)).toEqual({ ms: 4000, log: ["a", "b"] });
  const { rows } = await admin.query<{ attempt: number; worker_id: string | null }>(
    "SELECT attempt, worker_id FROM server_runs WHERE run_id = $1",
    [run.run_id],
  );
  expect(rows[0]).toMatchObject({ attempt: 2, worker_id: null });
  const metadata: unknown[] = [];
  for await (const part of client.runs.joinStream(threadId, run.run_id)) {
    if (part.event === "metadata") metadata.push(part.data as unknown);
  }
  expect(metadata).toEqual([
    { run_id: run.run_id, attempt: 1 },
    { run_id: run.run_id, attempt: 2 },
  ]);
  expect((await client.runs.get(threadId, run.run_id)).status).toBe("success");
}, 90_000);

test("a passed deadline is applied by the workers' scheduled sweep, once across the fleet", async () => {
  const client = server.client();
  const { thread_id: threadId } = await client.threads.create();
  const paused = await client.runs.wait(threadId, "deadline", { input: { seconds: 0.5 } });
  expect(paused).toHaveProperty("__interrupt__");
  // graphile-worker's crontab ticks each minute.
  const deadline = Date.now() + 90_000;
  let thread = await client.threads.get(threadId);
  while (thread.status === "interrupted" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    thread = await client.threads.get(threadId);
  }
  expect(thread).toMatchObject({ status: "idle", values: { answer: "no answer" } });
  const applied = new RegExp(
    `deadline of interrupt \\w+ on thread ${threadId} \\(deadline\\) applied`,
    "g",
  );
  const lines = workers.flatMap((worker) => worker.output().match(applied) ?? []);
  expect(lines).toHaveLength(1);
  expect(server.output()).not.toMatch(applied);
  const checkpointer = new PostgresCheckpointer(database.url);
  try {
    const audit = await checkpointer.getAuditLog(threadId);
    expect(audit.map((entry) => [entry.kind, entry.actor, entry.value])).toEqual([
      ["timeout", "system:deadline", "no answer"],
    ]);
  } finally {
    await checkpointer.close();
  }
}, 120_000);

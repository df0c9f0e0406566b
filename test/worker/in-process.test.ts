// The queue wiring in one process: an API server that only enqueues (createServer with a queue)
// and a worker, on one Postgres database, driven by LangGraph's SDK client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  PostgresRunQueue,
  PostgresRunStore,
  SqliteCheckpointer,
  START,
  StateGraph,
  approval,
} from "../../src/index.js";
import { createServer } from "../../src/server/index.js";
import { startWorker, type SwitchyardWorker } from "../../src/worker/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

let database: TestDatabase;
let dir: string;
let checkpointer: SqliteCheckpointer;
let serverRuns: PostgresRunStore;
let workerRuns: PostgresRunStore;
let worker: SwitchyardWorker;
let url: string;
let stopServer: () => Promise<void>;

function graphs(store: SqliteCheckpointer) {
  const builder = new StateGraph(z.object({ n: z.number(), log: append(z.string()) }))
    .addNode("ask", (state) => {
      const decision = state.n % 2 === 0 ? approval({ n: state.n }) : { approved: true };
      return { log: `approved ${decision.approved}` };
    })
    .addNode("double", (state) => ({ n: state.n * 2, log: "doubled" }))
    .addEdge(START, "ask")
    .addEdge("ask", "double")
    .addEdge("double", END);
  return { doubler: builder.compile({ checkpointer: store, name: "doubler" }) as never };
}

beforeAll(async () => {
  database = await createTestDatabase("queue");
  dir = mkdtempSync(join(tmpdir(), "switchyard-queue-"));
  checkpointer = new SqliteCheckpointer(join(dir, "checkpoints.db"), { leaseMs: 3000 });
  serverRuns = new PostgresRunStore(database.url);
  workerRuns = new PostgresRunStore(database.url);
  const served = graphs(checkpointer);
  const server = createServer({
    graphs: { doubler: { graph: served.doubler } },
    checkpointer,
    runs: serverRuns,
    queue: new PostgresRunQueue(serverRuns),
    log: () => undefined,
  });
  await server.start();
  const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve(started),
    );
  });
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  stopServer = async () => {
    await server.close();
    http.close();
  };
  worker = await startWorker({
    runs: workerRuns,
    checkpointer,
    graphs: served,
    concurrency: 2,
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await stopServer?.();
  await serverRuns?.close();
  await workerRuns?.close();
  checkpointer?.close();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
}, 60_000);

test("a run is queued by the server, executed by the worker, and streamed back through the server", async () => {
  const client = new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } });
  const { thread_id: threadId } = await client.threads.create();
  const parts = [];
  for await (const part of client.runs.stream(threadId, "doubler", {
    input: { n: 3 },
    streamMode: ["values", "updates"],
  })) {
    parts.push(part);
  }
  expect(parts[0]).toMatchObject({ event: "metadata" });
  expect(parts.at(-1)).toMatchObject({
    event: "values",
    data: { n: 6, log: ["approved true", "doubled"] },
  });
  expect(parts.some((part) => part.event === "updates")).toBe(true);
  const [run] = await client.runs.list(threadId);
  expect(run?.status).toBe("success");
});

test("an approval is answered through the API; the worker resumes the thread", async () => {
  const client = new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } });
  const { thread_id: threadId } = await client.threads.create();
  const waiting = await client.runs.wait(threadId, "doubler", { input: { n: 4 } });
  expect(waiting).toMatchObject({ __interrupt__: [{ value: { n: 4 } }] });
  expect((await client.threads.get(threadId)).status).toBe("interrupted");
  const done = await client.runs.wait(threadId, "doubler", {
    command: { resume: { approved: true } },
    config: { configurable: { actor: "dana" } },
  });
  expect(done).toEqual({ n: 8, log: ["approved true", "doubled"] });
  expect(await checkpointer.getAuditLog(threadId)).toMatchObject([
    { actor: "dana", kind: "resume" },
  ]);
});

test("a second run on a busy thread is refused with 422; enqueue waits its turn", async () => {
  const client = new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } });
  const { thread_id: threadId } = await client.threads.create();
  const first = await client.runs.create(threadId, "doubler", { input: { n: 1 } });
  const refused = await client.runs.create(threadId, "doubler", { input: { n: 5 } }).then(
    () => undefined,
    (error: { status: number }) => error.status,
  );
  const second = await client.runs.create(threadId, "doubler", {
    input: { n: 5 },
    multitaskStrategy: "enqueue",
  });
  await client.runs.join(threadId, first.run_id);
  const after = await client.runs.join(threadId, second.run_id);
  // The first run may already be finished when the second is created: only a busy thread refuses.
  expect([422, undefined]).toContain(refused);
  expect(after).toMatchObject({ n: 10 });
});

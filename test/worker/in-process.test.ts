// The queue wiring in one process: an API server that only enqueues (createServer with a queue)
// and a worker, on one Postgres database, driven by LangGraph's SDK client.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  type PostgresCheckpointer,
  START,
  StateGraph,
  approval,
} from "../../src/index.js";
import { startWorker, type SwitchyardWorker } from "../../src/worker/index.js";
import { startInProcessFleet, type InProcessFleet } from "./in-process-fleet.js";

let fleet: InProcessFleet;
let worker: SwitchyardWorker;

function graphs(store: PostgresCheckpointer) {
  const builder = new StateGraph(z.object({ n: z.number(), log: append(z.string()) }))
    .addNode("ask", (state) => {
      const decision = state.n % 2 === 0 ? approval({ n: state.n }) : { approved: true };
      return { log: `approved ${decision.approved}` };
    })
    .addNode("double", async (state, ctx) => {
      // n = 7 waits until cancelled (for the cancel and "interrupt" strategy tests).
      if (state.n === 7) {
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        throw new Error("cancelled");
      }
      return { n: state.n * 2, log: "doubled" };
    })
    .addEdge(START, "ask")
    .addEdge("ask", "double")
    .addEdge("double", END);
  return { doubler: builder.compile({ checkpointer: store, name: "doubler" }) as never };
}

beforeAll(async () => {
  fleet = await startInProcessFleet({ prefix: "queue", leaseMs: 3000, graphs });
  worker = await startWorker({
    runs: fleet.workerRuns,
    checkpointer: fleet.checkpointer,
    graphs: graphs(fleet.checkpointer),
    concurrency: 2,
    log: () => undefined,
  });
}, 60_000);

afterAll(() => fleet?.stop([worker]), 60_000);

test("a run is queued by the server, executed by the worker, and streamed back through the server", async () => {
  const client = fleet.client();
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
  const client = fleet.client();
  const { thread_id: threadId } = await client.threads.create();
  const waiting = await client.runs.wait(threadId, "doubler", { input: { n: 4 } });
  expect(waiting).toMatchObject({ __interrupt__: [{ value: { n: 4 } }] });
  expect((await client.threads.get(threadId)).status).toBe("interrupted");
  const done = await client.runs.wait(threadId, "doubler", {
    command: { resume: { approved: true } },
    config: { configurable: { actor: "dana" } },
  });
  expect(done).toEqual({ n: 8, log: ["approved true", "doubled"] });
  expect(await fleet.checkpointer.getAuditLog(threadId)).toMatchObject([
    { actor: "dana", kind: "resume" },
  ]);
});

test("a second run on a busy thread is refused with 422; enqueue waits its turn", async () => {
  const client = fleet.client();
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

test("cancel stops a running run at its worker (interrupted); a pending one at once", async () => {
  const client = fleet.client();
  const { thread_id: threadId } = await client.threads.create();
  const running = await client.runs.create(threadId, "doubler", { input: { n: 7 } });
  const queued = await client.runs.create(threadId, "doubler", {
    input: { n: 1 },
    multitaskStrategy: "enqueue",
  });
  const deadline = Date.now() + 30_000;
  while ((await client.runs.get(threadId, running.run_id)).status !== "running") {
    if (Date.now() > deadline) throw new Error("the run never started");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.runs.cancel(threadId, queued.run_id);
  expect((await client.runs.get(threadId, queued.run_id)).status).toBe("interrupted");
  await client.runs.cancel(threadId, running.run_id, true);
  expect((await client.runs.get(threadId, running.run_id)).status).toBe("interrupted");
  // The thread stopped in "double", at its last checkpoint.
  expect((await client.threads.getState(threadId)).next).toEqual(["double"]);
}, 60_000);

test('multitask "interrupt" stops the active run, then runs the new one', async () => {
  const client = fleet.client();
  const { thread_id: threadId } = await client.threads.create();
  const first = await client.runs.create(threadId, "doubler", { input: { n: 7 } });
  const deadline = Date.now() + 30_000;
  while ((await client.runs.get(threadId, first.run_id)).status !== "running") {
    if (Date.now() > deadline) throw new Error("the run never started");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const second = await client.runs.wait(threadId, "doubler", {
    input: { n: 3 },
    multitaskStrategy: "interrupt",
  });
  expect(second).toMatchObject({ n: 6 });
  expect((await client.runs.get(threadId, first.run_id)).status).toBe("interrupted");
}, 60_000);

test("the worker signals a run's events and statuses with its id only, never a payload", async () => {
  const listener = new pg.Client({ connectionString: fleet.database.url });
  await listener.connect();
  const payloads: string[] = [];
  listener.on("notification", (message) => payloads.push(message.payload ?? ""));
  await listener.query("LISTEN switchyard_runs");
  try {
    const client = fleet.client();
    const { thread_id: threadId } = await client.threads.create();
    const run = await client.runs.create(threadId, "doubler", { input: { n: 5 } });
    expect(await client.runs.join(threadId, run.run_id)).toMatchObject({ n: 10 });
    // Claim, each stored event and the finish each notified; every payload is the run's id.
    const until = Date.now() + 30_000;
    while (payloads.length < 3 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(payloads.length).toBeGreaterThanOrEqual(3);
    expect(new Set(payloads)).toEqual(new Set([run.run_id]));
  } finally {
    await listener.end();
  }
}, 60_000);

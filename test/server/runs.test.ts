// Background runs, join, cancel, busy threads, search and delete through a real `switchyard serve`
// and LangGraph's SDK client.
import { expect, test } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { serverForFile, SERVER_GRAPHS } from "../support/server.js";

const server = serverForFile();

/** Polls `check` until it returns true (a correctness wait, not a speed assertion). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    const { status, text } = error as { status: number; text: string };
    return { status, body: JSON.parse(text) as unknown };
  }
  throw new Error("expected the request to fail");
}

test("a background run is pending, then joins with its final values and ends as success", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const run = await client.runs.create(threadId, "slow", { input: { ms: 200 } });
  expect(run).toMatchObject({ thread_id: threadId, assistant_id: "slow", status: "pending" });
  const joined = await client.runs.join(threadId, run.run_id);
  expect(joined).toEqual({ ms: 200, log: ["waited 200 ms", "done"] });
  expect((await client.runs.get(threadId, run.run_id)).status).toBe("success");
  const listed = await client.runs.list(threadId);
  expect(listed.map((listedRun) => listedRun.run_id)).toEqual([run.run_id]);

  const replay = [];
  for await (const part of client.runs.joinStream(threadId, run.run_id, {
    streamMode: ["values"],
  })) {
    replay.push(part);
  }
  expect(replay[0]).toMatchObject({ event: "metadata", id: "0" });
  const resumed = [];
  for await (const part of client.runs.joinStream(threadId, run.run_id, { lastEventId: "1" })) {
    resumed.push(part);
  }
  expect(resumed.map((part) => part.id)).toEqual(replay.slice(2).map((part) => part.id));
});

test("a busy thread refuses a second run with 422; cancel stops the first as interrupted", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const first = await client.runs.create(threadId, "slow", { input: { ms: 60_000 } });
  await eventually(
    async () => (await client.runs.get(threadId, first.run_id)).status === "running",
    "the run to start",
  );
  expect((await client.threads.get(threadId)).status).toBe("busy");
  const busy = await client.threads.search({ status: "busy" });
  expect(busy.map((thread) => thread.thread_id)).toContain(threadId);

  const refused = await failure(client.runs.create(threadId, "slow", { input: { ms: 1 } }));
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({ error: "RUN_IN_PROGRESS" });
  const update = await failure(client.threads.updateState(threadId, { values: { ms: 1 } }));
  expect(update.status).toBe(409);

  await client.runs.cancel(threadId, first.run_id, true);
  expect((await client.runs.get(threadId, first.run_id)).status).toBe("interrupted");
  expect((await client.threads.get(threadId)).status).toBe("idle");
  const idle = await client.threads.search({ status: "idle", limit: 100 });
  expect(idle.map((thread) => thread.thread_id)).toContain(threadId);
});

test("multitask_strategy enqueue runs after the active run; interrupt cancels it", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const first = await client.runs.create(threadId, "slow", { input: { ms: 300 } });
  const queued = await client.runs.create(threadId, "slow", {
    input: { ms: 1 },
    multitaskStrategy: "enqueue",
  });
  expect(await client.runs.join(threadId, queued.run_id)).toMatchObject({
    log: ["waited 300 ms", "done", "waited 1 ms", "done"],
  });
  expect((await client.runs.get(threadId, first.run_id)).status).toBe("success");

  const long = await client.runs.create(threadId, "slow", { input: { ms: 60_000 } });
  const replacing = await client.runs.create(threadId, "slow", {
    input: { ms: 2 },
    multitaskStrategy: "interrupt",
  });
  await client.runs.join(threadId, replacing.run_id);
  expect((await client.runs.get(threadId, long.run_id)).status).toBe("interrupted");
  expect((await client.runs.get(threadId, replacing.run_id)).status).toBe("success");
});

test("threads are searched by metadata (graph_id is set by the first run) and deleted", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create({ metadata: { owner: "lee" } });
  await client.runs.wait(threadId, "slow", { input: { ms: 1 } });
  const found = await client.threads.search({ metadata: { graph_id: "slow", owner: "lee" } });
  expect(found.map((thread) => thread.thread_id)).toEqual([threadId]);
  expect(found[0]).toMatchObject({ status: "idle", values: { log: ["waited 1 ms", "done"] } });

  const patched = await client.threads.update(threadId, { metadata: { owner: "kim" } });
  expect(patched.metadata).toMatchObject({ owner: "kim", graph_id: "slow" });

  await client.threads.delete(threadId);
  const gone = await failure(client.threads.get(threadId));
  expect(gone.status).toBe(404);
  expect(gone.body).toMatchObject({ error: "THREAD_NOT_FOUND" });
  expect(await client.threads.search({ metadata: { owner: "kim" } })).toEqual([]);
});

test("a stateless run streams on a throwaway thread that is deleted afterwards", async () => {
  const client = server().client();
  let created: { run_id: string; thread_id?: string } | undefined;
  const parts = [];
  const stream = client.runs.stream(null, "slow", {
    input: { ms: 1 },
    onRunCreated: (meta) => (created = meta),
  });
  for await (const part of stream) parts.push(part);
  const values = parts.filter((part) => part.event === "values").at(-1);
  expect(values?.data).toEqual({ ms: 1, log: ["waited 1 ms", "done"] });
  const threadId = created?.thread_id as string;
  expect(threadId).toEqual(expect.any(String));
  await eventually(
    () =>
      client.threads.get(threadId).then(
        () => false,
        (error: { status?: number }) => error.status === 404,
      ),
    "the throwaway thread to be deleted",
  );
});

test("a thread the CLI ran on the same database is visible with its graph and values", async () => {
  const { db } = server();
  const cli = await runCli([
    "--db",
    db,
    "--graphs",
    SERVER_GRAPHS,
    "run",
    "slow",
    "--input",
    '{"ms":1}',
    "--thread",
    "from-cli",
  ]);
  expect(cli.code).toBe(0);
  const client = server().client();
  expect(await client.threads.get("from-cli")).toMatchObject({
    status: "idle",
    metadata: { graph_id: "slow" },
    values: { log: ["waited 1 ms", "done"] },
  });
  const found = await client.threads.search({ metadata: { graph_id: "slow" }, limit: 1000 });
  expect(found.map((thread) => thread.thread_id)).toContain("from-cli");

  const wrongGraph = await failure(client.runs.create("from-cli", "echo", { input: {} }));
  expect(wrongGraph.status).toBe(409);
  expect(wrongGraph.body).toMatchObject({ error: "GRAPH_VERSION_MISMATCH" });
  expect((await client.threads.get("from-cli")).metadata).toMatchObject({ graph_id: "slow" });
});

test("interrupt_before pauses at a breakpoint; a run without input continues; an update at a past checkpoint forks", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "slow", { input: { ms: 1 }, interruptBefore: ["done"] });
  const paused = await client.threads.getState(threadId);
  expect(paused.next).toEqual(["done"]);
  expect((await client.threads.get(threadId)).status).toBe("interrupted");

  expect(await client.runs.wait(threadId, "slow", {})).toEqual({
    ms: 1,
    log: ["waited 1 ms", "done"],
  });
  expect((await client.threads.get(threadId)).status).toBe("idle");

  await client.threads.updateState(threadId, {
    values: { log: "forked" },
    checkpointId: paused.checkpoint.checkpoint_id ?? undefined,
    asNode: "wait",
  });
  expect(await client.runs.wait(threadId, "slow", {})).toEqual({
    ms: 1,
    log: ["waited 1 ms", "forked", "done"],
  });
});

test("runs are listed by status; an unknown status is a 400", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const done = await client.runs.create(threadId, "slow", { input: { ms: 1 } });
  await client.runs.join(threadId, done.run_id);
  const successes = await client.runs.list(threadId, { status: "success" });
  expect(successes.map((run) => run.run_id)).toEqual([done.run_id]);
  expect(await client.runs.list(threadId, { status: "error" })).toEqual([]);
  const bad = await fetch(`${server().url}/threads/${threadId}/runs?status=finished`);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: "INVALID_REQUEST" });
});

// SIGTERM stops a server gracefully: the run in flight is cancelled at a checkpoint and recorded as
// interrupted; runs, their stream events and threads are still there when a server starts again.
import { expect, test } from "vitest";
import { startServer } from "../support/server.js";

test("SIGTERM cancels the run in flight; a restarted server still has the thread and the run", async () => {
  const first = await startServer();
  try {
    const client = first.client();
    const { thread_id: threadId } = await client.threads.create({ metadata: { case: "restart" } });
    const run = await client.runs.create(threadId, "slow", {
      input: { ms: 60_000 },
      streamMode: ["values"],
    });
    const deadline = Date.now() + 15_000;
    while ((await client.runs.get(threadId, run.run_id)).status !== "running") {
      if (Date.now() > deadline) throw new Error("the run did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain("switchyard serve: stopped");

    const second = await startServer({ db: first.db });
    try {
      const again = second.client();
      expect(await again.runs.get(threadId, run.run_id)).toMatchObject({ status: "interrupted" });
      expect(await again.threads.get(threadId)).toMatchObject({
        status: "idle",
        metadata: { case: "restart", graph_id: "slow" },
      });
      const replay = [];
      for await (const part of again.runs.joinStream(threadId, run.run_id)) replay.push(part);
      expect(replay[0]).toMatchObject({ id: "0", event: "metadata", data: { run_id: run.run_id } });
      expect(replay.map((part) => part.event)).toContain("values");
      const rest = [];
      for await (const part of again.runs.joinStream(threadId, run.run_id, { lastEventId: "0" })) {
        rest.push(part);
      }
      expect(rest).toEqual(replay.slice(1));
      expect(await again.runs.wait(threadId, "slow", { input: { ms: 1 } })).toMatchObject({
        log: ["waited 1 ms", "done"],
      });
    } finally {
      await second.stop();
      second.remove();
    }
  } finally {
    await first.stop();
    first.remove();
  }
});

test("--run-timeout stops a run at its checkpoint as timeout, with a RUN_TIMEOUT error event", async () => {
  const server = await startServer({ args: ["--run-timeout", "1"] });
  try {
    const client = server.client();
    const { thread_id: threadId } = await client.threads.create();
    const parts = [];
    for await (const part of client.runs.stream(threadId, "slow", { input: { ms: 60_000 } })) {
      parts.push(part);
    }
    const error = parts.find((part) => part.event === "error");
    expect(error?.data).toMatchObject({ error: "RUN_TIMEOUT" });
    const runId = (parts[0]?.data as { run_id: string }).run_id;
    expect(await client.runs.get(threadId, runId)).toMatchObject({ status: "timeout" });
    expect((await client.threads.get(threadId)).status).toBe("error");
    expect(await client.runs.list(threadId, { status: "timeout" })).toHaveLength(1);
  } finally {
    await server.stop();
    server.remove();
  }
}, 60_000);

test("--keep-run-events bounds stored events: a restart prunes those of runs that ended earlier", async () => {
  const first = await startServer();
  try {
    const client = first.client();
    const { thread_id: threadId } = await client.threads.create();
    const run = await client.runs.create(threadId, "slow", { input: { ms: 1 } });
    await client.runs.join(threadId, run.run_id);
    expect(await first.stop()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // 0.00001 days is under a second: the run above ended before that.
    const second = await startServer({ db: first.db, args: ["--keep-run-events", "0.00001"] });
    try {
      const again = second.client();
      const replay = [];
      for await (const part of again.runs.joinStream(threadId, run.run_id)) replay.push(part);
      expect(replay).toEqual([]);
      expect(await again.runs.get(threadId, run.run_id)).toMatchObject({ status: "success" });
      expect(second.output()).toMatch(/deleted \d+ stored event\(s\)/);
    } finally {
      await second.stop();
      second.remove();
    }
  } finally {
    await first.stop();
    first.remove();
  }
}, 60_000);

// A server killed mid-run (SIGKILL, no cleanup) and started again on the same database takes the
// run up from its last checkpoint: a client rejoining with Last-Event-ID gets exactly the events
// it missed, the final values are right, and the node's ctx.step effect happened once.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@langchain/langgraph-sdk";
import { expect, test } from "vitest";
import { startServer, type RunningServer } from "../support/server.js";

const LEASE = ["--lease-seconds", "1"];

interface Part {
  id?: string;
  event: string;
  data: unknown;
}

interface Crash {
  threadId: string;
  runId: string;
  before: Part[];
  after: Part[];
  second: RunningServer;
}

/**
 * On a fresh thread, `prepare`s it, then streams the run `start` makes until its charge is
 * recorded (the `custom` event); kills the server, starts another on the same database, rejoins
 * the run's stream after the last event seen, and opens the gate so the run can finish.
 */
async function crashMidRun(
  first: RunningServer,
  paths: { file: string; gate: string },
  prepare: (client: Client, threadId: string) => Promise<void>,
  start: (
    client: Client,
    threadId: string,
    onRunCreated: (runId: string) => void,
  ) => AsyncIterable<Part>,
): Promise<Crash> {
  const client = first.client();
  const { thread_id: threadId } = await client.threads.create();
  await prepare(client, threadId);
  const before: Part[] = [];
  let runId = "";
  for await (const part of start(client, threadId, (id) => (runId = id))) {
    before.push(part);
    if (part.event === "custom") break;
  }
  await first.kill();
  expect(readFileSync(paths.file, "utf8")).toBe("prepared\ncharged\n");
  expect(before.map((part) => part.id)).toEqual(before.map((_, index) => String(index)));

  const second = await startServer({ db: first.db, args: LEASE });
  const lastEventId = before.at(-1)?.id as string;
  const after: Part[] = [];
  const rejoined = (async () => {
    for await (const part of second.client().runs.joinStream(threadId, runId, { lastEventId })) {
      after.push(part);
    }
  })();
  writeFileSync(paths.gate, "open");
  await rejoined;
  expect(after.length).toBeGreaterThan(0);
  expect(after.map((part) => part.id)).toEqual(
    after.map((_, index) => String(Number(lastEventId) + 1 + index)),
  );
  return { threadId, runId, before, after, second };
}

async function withServers(
  check: (first: RunningServer, paths: { file: string; gate: string }) => Promise<RunningServer>,
) {
  const first = await startServer({ args: LEASE });
  const paths = { file: join(first.db, "..", "effects.log"), gate: join(first.db, "..", "gate") };
  let second: RunningServer | undefined;
  try {
    second = await check(first, paths);
  } finally {
    await second?.stop();
    await first.stop();
    first.remove();
  }
}

test("a run killed mid-node resumes when the server restarts; the rejoined stream continues", async () => {
  await withServers(async (first, paths) => {
    const crash = await crashMidRun(
      first,
      paths,
      async () => undefined,
      (client, threadId, onRunCreated) =>
        client.runs.stream(threadId, "effects", {
          input: paths,
          streamMode: ["values", "updates", "custom"],
          onRunCreated: (meta) => onRunCreated(meta.run_id),
        }),
    );
    const again = crash.second.client();
    expect(crash.after.filter((part) => part.event === "values").at(-1)?.data).toEqual({
      ...paths,
      ask: false,
      log: ["prepared", "charged", "done"],
    });
    // The state it continues from, the node's writer again (it re-ran; its step did not), then
    // the supersteps it had not reached.
    expect(crash.after.map((part) => part.event)).toEqual([
      "values",
      "custom",
      "updates",
      "values",
      "updates",
      "values",
    ]);
    expect(readFileSync(paths.file, "utf8")).toBe("prepared\ncharged\n");
    expect(await again.runs.get(crash.threadId, crash.runId)).toMatchObject({ status: "success" });
    expect(await again.threads.get(crash.threadId)).toMatchObject({ status: "idle" });
    return crash.second;
  });
}, 120_000);

test("a resume killed after its approved charge is taken up with the same answer; the charge happens once", async () => {
  await withServers(async (first, paths) => {
    const crash = await crashMidRun(
      first,
      paths,
      async (client, threadId) => {
        const paused = await client.runs.wait(threadId, "effects", {
          input: { ...paths, ask: true },
        });
        expect(paused).toMatchObject({ __interrupt__: [{ value: { question: "Charge?" } }] });
      },
      (client, threadId, onRunCreated) =>
        client.runs.stream(threadId, "effects", {
          command: { resume: "yes" },
          streamMode: ["values", "custom"],
          onRunCreated: (meta) => onRunCreated(meta.run_id),
        }),
    );
    expect(crash.after.filter((part) => part.event === "values").at(-1)?.data).toEqual({
      ...paths,
      ask: true,
      log: ["prepared", "charged", "done"],
    });
    expect(readFileSync(paths.file, "utf8")).toBe("prepared\ncharged\n");
    const again = crash.second.client();
    expect(await again.runs.get(crash.threadId, crash.runId)).toMatchObject({ status: "success" });
    return crash.second;
  });
}, 120_000);

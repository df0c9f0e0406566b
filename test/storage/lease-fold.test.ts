// Issue 17 item 4: a run's lease is taken in its first checkpoint's transaction and given back in
// its last, so a 10-node run on a new thread makes 11 write transactions (one per checkpoint), not
// 13 (plus the lease acquire and release). Every way a run ends must still leave the thread free.
// Write transactions are counted by a hook on the SQLite driver; no timing.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, afterEach, expect, it } from "vitest";
import { END, interrupt, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { chain, Log, thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-lease-fold-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

type Runnable = { source: string; run: (...args: unknown[]) => unknown };

/** How many write transactions (`BEGIN IMMEDIATE`) every connection began while `work` ran. */
async function writeTransactions(work: () => Promise<unknown>): Promise<number> {
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Runnable;
  probe.close();
  const { run } = prototype;
  let begun = 0;
  prototype.run = function (this: Runnable, ...args: unknown[]) {
    if (/^BEGIN IMMEDIATE/i.test(this.source.trim())) begun += 1;
    return run.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.run = run;
  }
  return begun;
}

let store: SqliteCheckpointer;
let files = 0;
beforeEach(() => {
  files += 1;
  store = new SqliteCheckpointer(join(folder, `fold-${files}.db`));
});
afterEach(() => store.close());

/** True when another owner can take the thread right now (the run let go of it). */
async function free(threadId: string): Promise<boolean> {
  try {
    await store.acquireLease(threadId, "next-owner");
    await store.releaseLease(threadId, "next-owner");
    return true;
  } catch {
    return false;
  }
}

const names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];

it("a 10-node run on a new thread makes one write transaction per checkpoint (11)", async () => {
  const compiled = chain(names).graph.compile({ checkpointer: store, name: "ten" });
  await compiled.invoke({ log: [] }, thread("warm-up"));
  let log: string[] = [];
  const begun = await writeTransactions(async () => {
    log = (await compiled.invoke({ log: [] }, thread("counted"))).log;
  });
  expect(log).toEqual(names);
  expect(begun).toBe(11);
  expect(await free("counted")).toBe(true);
  // The thread is bound to its graph as before.
  expect((await store.getThread("counted"))?.graph?.name).toBe("ten");
});

it("a second run on the same thread takes the lease before any node runs, and gives it back", async () => {
  const { graph, calls } = chain(names);
  const compiled = graph.compile({ checkpointer: store });
  await compiled.invoke({ log: [] }, thread("again"));
  const begun = await writeTransactions(() => compiled.invoke({ log: [] }, thread("again")));
  // The thread exists, so the lease is taken up front (one transaction), then 11 checkpoints,
  // the last one giving the lease back.
  expect(begun).toBe(12);
  expect(calls.a).toBe(2);
  expect(await free("again")).toBe(true);
});

it("a run that fails, or pauses on an interrupt, leaves the thread free", async () => {
  const failing = new StateGraph(Log)
    .addNode("boom", () => {
      throw new Error("node failed");
    })
    .addEdge(START, "boom")
    .addEdge("boom", END)
    .compile({ checkpointer: store });
  await expect(failing.invoke({ log: [] }, thread("failed"))).rejects.toThrow(/node failed/);
  expect(await free("failed")).toBe(true);

  const asking = new StateGraph(Log)
    .addNode("ask", () => ({ log: String(interrupt("name?")) }))
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: store });
  const paused = await asking.invoke({ log: [] }, thread("paused"));
  expect(paused.__interrupt__).toHaveLength(1);
  expect(await free("paused")).toBe(true);
});

it("a new thread another owner holds is refused with THREAD_BUSY before any node runs", async () => {
  const { graph, calls } = chain(["a"]);
  const compiled = graph.compile({ checkpointer: store });
  await store.acquireLease("taken", "someone-else");
  await expect(compiled.invoke({ log: [] }, thread("taken"))).rejects.toMatchObject({
    code: "THREAD_BUSY",
  });
  expect(calls).toEqual({});
  expect(await store.getTuple("taken")).toBeUndefined();
  expect(await store.getThread("taken")).toBeUndefined();
});

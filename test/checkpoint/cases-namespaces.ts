// Contract cases: a subgraph's checkpoints live in its parent thread under a namespace key
// (namespaceKey(threadId, "node:task")). Every implementation fences them with the thread's lease,
// deletes them with the thread, and leaves them out of thread listings and the inbox; files their
// audit entries in the thread's log; copies the ones a copy goes on with; and prunes the ones the
// kept checkpoints no longer need.
import { expect, it } from "vitest";
import {
  namespaceKey,
  rootThreadOf,
  SUBGRAPHS_CHANNEL,
  type AuditEntry,
  type ThreadStore,
} from "../../src/index.js";
import { collect } from "../support.js";
import type { ContractContext } from "./contract.js";
import { checkpointRecord, logWrite, rejection } from "./graphs.js";

const record = (id: string, parentId?: string) =>
  checkpointRecord(id, parentId, "loop", { log: id });

export function namespaceCases(ctx: ContractContext): void {
  it("namespaces: written under the thread's lease, listed and deleted with the thread", async () => {
    const store = ctx.store;
    const child = namespaceKey("t", "writer:cp-1:0");
    const grandchild = namespaceKey("t", "writer:cp-1:0|approve:cp-9:0");
    expect(rootThreadOf(grandchild)).toBe("t");
    await store.acquireLease("t", "a");
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "a" });
    await store.commit(child, record("cp-2"), logWrite("cp-2"), { lease: "a" });
    await store.commit(grandchild, record("cp-3"), logWrite("cp-3"), { lease: "a" });
    await store.putWrites(child, "cp-2", "task", [["__interrupt__", { id: "x" }]], { lease: "a" });

    // Another owner cannot write into the thread's namespaces: the thread's lease fences them.
    const foreign = () =>
      store.commit(child, record("cp-4", "cp-2"), logWrite("cp-4"), { lease: "b" });
    expect(await rejection(foreign)).toMatchObject({ code: "LEASE_LOST", threadId: "t" });
    const foreignWrites = () =>
      store.putWrites(grandchild, "cp-3", "task", [["log", "x"]], { lease: "b" });
    expect(await rejection(foreignWrites)).toMatchObject({ code: "LEASE_LOST" });
    expect((await store.getTuple(child))?.checkpoint.id).toBe("cp-2");

    expect((await collect(store.listThreads())).map((info) => info.threadId)).toEqual(["t"]);
    expect(await collect(store.listPendingWrites("__interrupt__"))).toEqual([]);
    expect(await store.deleteThreadsOlderThan(new Date(0))).toBe(0);

    await store.releaseLease("t", "a");
    await store.deleteThread("t");
    expect(await store.getTuple(child)).toBeUndefined();
    expect(await store.getTuple(grandchild)).toBeUndefined();
    expect(await collect(store.listThreads())).toEqual([]);
  });

  it("namespaces: deleting one thread leaves another thread's namespaces alone", async () => {
    const store = ctx.store;
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await store.commit("t2", record("cp-2"), logWrite("cp-2"));
    await store.commit(namespaceKey("t2", "n:1"), record("cp-3"), logWrite("cp-3"));
    await store.deleteThread("t");
    expect((await store.getTuple(namespaceKey("t2", "n:1")))?.checkpoint.id).toBe("cp-3");
  });

  it("namespaces: audit entries written with a namespace key are filed in the thread's log", async () => {
    const store = ctx.store;
    const child = namespaceKey("t", "writer:cp-1:0");
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await store.commit(child, record("cp-2"), logWrite("cp-2"));
    await store.putWrites(child, "cp-2", "cp-2:0", [["log", "x"]], { audit: [entry("i-1")] });
    await store.commit(child, record("cp-3", "cp-2"), logWrite("cp-3"), { audit: [entry("i-2")] });
    expect((await store.getAuditLog("t")).map((row) => row.interruptId)).toEqual(["i-1", "i-2"]);
    expect(await store.getAuditLog(child)).toEqual([]);
  });

  it("namespaces: copyThread from the latest checkpoint copies its pending writes and the namespaces it needs", async () => {
    const store = ctx.store;
    // t: cp-1 → cp-2 → cp-4 (latest), and a branch cp-1 → cp-3.
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
    await store.commit("t", record("cp-3", "cp-1"), logWrite("cp-3"));
    await store.commit("t", record("cp-4", "cp-2"), logWrite("cp-4"));
    await store.putWrites("t", "cp-2", "cp-2:0", [["log", "older"]]);
    await store.putWrites("t", "cp-4", "cp-4:0", [
      ["__interrupt__", { id: "i" }],
      [SUBGRAPHS_CHANNEL, ["carried:cp-0:0"]],
    ]);
    const inFlight = "a:cp-4:0"; // planned from the copied checkpoint
    const nested = "a:cp-4:0|b:x-1:0";
    const carried = "carried:cp-0:0"; // named after a checkpoint not copied, but listed by cp-4
    const otherBranch = "c:cp-3:0";
    await storeNamespace(store, "t", inFlight, ["x-1"]);
    await store.putWrites(namespaceKey("t", inFlight), "x-1", "x-1:0", [["log", "waiting"]]);
    await storeNamespace(store, "t", nested, ["y-1"]);
    await storeNamespace(store, "t", carried, ["z-1"]);
    await storeNamespace(store, "t", otherBranch, ["w-1"]);

    await store.copyThread("t", "u");
    const lineage = (await writesOf(store, "t")).filter(([id]) => id !== "cp-3");
    expect(await writesOf(store, "u")).toEqual(lineage);
    expect((await store.getTuple("u"))?.pendingWrites).toHaveLength(2);
    for (const namespace of [inFlight, nested, carried]) {
      const copied = await store.getTuple(namespaceKey("u", namespace));
      const original = await store.getTuple(namespaceKey("t", namespace));
      expect(copied?.checkpoint).toEqual(original?.checkpoint);
      expect(copied?.channels).toEqual(original?.channels);
      expect(copied?.pendingWrites).toEqual(original?.pendingWrites);
    }
    expect(await store.getTuple(namespaceKey("u", otherBranch))).toBeUndefined();
    expect((await collect(store.listThreads())).map((info) => info.threadId).sort()).toEqual([
      "t",
      "u",
    ]);
    // The copy's namespaces are its own: deleting the original leaves them.
    await store.deleteThread("t");
    expect((await store.getTuple(namespaceKey("u", nested)))?.checkpoint.id).toBe("y-1");
  });

  it("namespaces: copyThread from an older checkpoint goes on as a fork does: no pending writes at it, no namespaces", async () => {
    const store = ctx.store;
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {});
    await store.putWrites("t", "cp-1", "cp-1:0", [["log", "kept"]]);
    await store.putWrites("t", "cp-2", "cp-2:0", [["log", "stale"]]);
    await store.commit("t", record("cp-3", "cp-2"), logWrite("cp-3"));
    await storeNamespace(store, "t", "a:cp-2:0", ["x-1"]);
    await store.copyThread("t", "u", "cp-2");
    expect((await store.getTuple("u"))?.pendingWrites).toEqual([]);
    expect((await store.getTuple("u", "cp-1"))?.pendingWrites).toEqual([
      { taskId: "cp-1:0", channel: "log", value: "kept" },
    ]);
    expect(await store.getTuple(namespaceKey("u", "a:cp-2:0"))).toBeUndefined();
  });

  it("namespaces: pruneThread deletes the namespaces the kept checkpoints no longer need, and counts them", async () => {
    const store = ctx.store;
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
    await store.commit("t", record("cp-3", "cp-2"), logWrite("cp-3"));
    await store.commit("t", record("cp-4", "cp-3"), logWrite("cp-4"));
    const finished = "a:cp-1:0"; // its superstep is over and its checkpoint pruned
    const finishedNested = "a:cp-1:0|b:y-1:0";
    const carried = "k:cp-2:1"; // named after a pruned checkpoint, still listed by cp-4's task
    const running = "n:cp-4:0"; // planned from the kept checkpoint
    await store.putWrites("t", "cp-4", "cp-4:0", [[SUBGRAPHS_CHANNEL, [carried]]]);
    await storeNamespace(store, "t", finished, ["x-1"]);
    await storeNamespace(store, "t", finishedNested, ["y-1", "y-2"]);
    await storeNamespace(store, "t", carried, ["z-1"]);
    await storeNamespace(store, "t", running, ["w-1", "w-2"]);

    // t: cp-1..cp-3; the finished child and its own child: 1 + 2; the running child's w-1.
    expect(await store.pruneThread("t", { keepLast: 1, dryRun: true })).toBe(7);
    expect(await store.getTuple(namespaceKey("t", finishedNested))).toBeDefined();
    expect(await store.pruneThread("t", { keepLast: 1 })).toBe(7);
    expect(await store.getTuple(namespaceKey("t", finished))).toBeUndefined();
    expect(await store.getTuple(namespaceKey("t", finishedNested))).toBeUndefined();
    expect((await store.getTuple(namespaceKey("t", carried)))?.checkpoint.id).toBe("z-1");
    const kept = await collect(store.list(namespaceKey("t", running)));
    expect(kept.map((tuple) => tuple.checkpoint.id)).toEqual(["w-2"]);
    expect((await store.getTuple("t"))?.pendingWrites).toHaveLength(1);
  });

  it("namespaces: deleteThreadsOlderThan deletes the namespaces of the threads it deletes", async () => {
    const store = ctx.store;
    await store.commit("t", record("cp-1"), logWrite("cp-1"));
    await storeNamespace(store, "t", "a:cp-1:0", ["x-1"]);
    expect(await store.deleteThreadsOlderThan(new Date(Date.now() + 60_000))).toBe(1);
    expect(await store.getTuple(namespaceKey("t", "a:cp-1:0"))).toBeUndefined();
    expect(await collect(store.listThreads())).toEqual([]);
  });
}

/** Commits a linear history `ids` (oldest first) under namespace `namespace` of `threadId`. */
async function storeNamespace(
  store: ThreadStore,
  threadId: string,
  namespace: string,
  ids: readonly string[],
): Promise<void> {
  let parent: string | undefined;
  for (const id of ids) {
    await store.commit(namespaceKey(threadId, namespace), record(id, parent), logWrite(id));
    parent = id;
  }
}

/** Every checkpoint's pending writes, newest checkpoint first. */
async function writesOf(store: ThreadStore, key: string) {
  return (await collect(store.list(key))).map((tuple) => [
    tuple.checkpoint.id,
    tuple.pendingWrites,
  ]);
}

const entry = (interruptId: string): AuditEntry => ({
  at: new Date().toISOString(),
  actor: "ada",
  interruptId,
  node: "writer › approve",
  kind: "resume",
  value: "yes",
});

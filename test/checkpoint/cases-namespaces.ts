// Contract cases: a subgraph's checkpoints live in its parent thread under a namespace key
// (namespaceKey(threadId, "node:task")). Every implementation fences them with the thread's lease,
// deletes them with the thread, and leaves them out of thread listings and the inbox.
import { expect, it } from "vitest";
import { namespaceKey, rootThreadOf } from "../../src/index.js";
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
}

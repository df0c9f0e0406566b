// Contract cases: what a write stores together with it, in one transaction — the audit entries of
// the answers it records, and the graph binding of a new thread.
import { expect, it } from "vitest";
import type { AuditEntry } from "../../src/index.js";
import type { ContractContext } from "./contract.js";
import { checkpointRecord, logWrite, rejection } from "./graphs.js";

const entry = (interruptId: string, value: unknown = { approved: true }): AuditEntry => ({
  at: "2026-01-02T03:04:05.000Z",
  actor: "dana",
  interruptId,
  node: "approve",
  kind: "resume",
  value,
});

const record = (id: string, parentId?: string) =>
  checkpointRecord(id, parentId, "loop", { log: id });

export function atomicCases(ctx: ContractContext): void {
  it("audit entries are stored with the writes that carry them, in order", async () => {
    const store = ctx.store;
    await store.acquireLease("t", "a");
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "a" });
    await store.putWrites("t", "cp-1", "task", [["log", "x"]], {
      lease: "a",
      audit: [entry("i-1")],
    });
    await store.putWritesBatch("t", "cp-1", [{ taskId: "other", writes: [["log", "y"]] }], {
      lease: "a",
      audit: [entry("i-2"), entry("i-3", new Date("2026-01-01T00:00:00.000Z"))],
    });
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {
      lease: "a",
      audit: [entry("i-4")],
    });
    expect(await store.getAuditLog("t")).toEqual([
      entry("i-1"),
      entry("i-2"),
      entry("i-3", new Date("2026-01-01T00:00:00.000Z")),
      entry("i-4"),
    ]);
    expect(await store.getAuditLog("another")).toEqual([]);
  });

  it("a refused write stores none of its audit entries, and an unstorable entry refuses the write", async () => {
    const store = ctx.store;
    await store.acquireLease("t", "a");
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "a" });
    const lost = () =>
      store.putWrites("t", "cp-1", "task", [["log", "x"]], { lease: "b", audit: [entry("i-1")] });
    expect(await rejection(lost)).toMatchObject({ code: "LEASE_LOST" });
    const lostCommit = () =>
      store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {
        lease: "b",
        audit: [entry("i-2")],
      });
    expect(await rejection(lostCommit)).toMatchObject({ code: "LEASE_LOST" });
    const unstorable = () =>
      store.putWrites("t", "cp-1", "task", [["log", "x"]], {
        lease: "a",
        audit: [entry("i-3", () => "a function")],
      });
    expect(await rejection(unstorable)).toMatchObject({ code: "UNSERIALIZABLE_VALUE" });

    expect(await store.getAuditLog("t")).toEqual([]);
    const tuple = await store.getTuple("t");
    expect(tuple?.checkpoint.id).toBe("cp-1");
    expect(tuple?.pendingWrites).toEqual([]);
  });

  it("a commit binds a thread without a graph to its graph, and never rebinds one", async () => {
    const store = ctx.store;
    const first = { name: "expenses", version: "v1" };
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { graph: first });
    expect((await store.getThread("t"))?.graph).toEqual(first);
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {
      graph: { name: "expenses", version: "v2" },
    });
    expect((await store.getThread("t"))?.graph).toEqual(first);

    // Refused with the checkpoint: no thread, no binding.
    await store.acquireLease("u", "a");
    const refused = () =>
      store.commit("u", record("cp-1"), logWrite("cp-1"), { lease: "b", graph: first });
    expect(await rejection(refused)).toMatchObject({ code: "LEASE_LOST" });
    expect(await store.getThread("u")).toBeUndefined();
  });
}

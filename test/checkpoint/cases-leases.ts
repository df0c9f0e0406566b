// Contract cases: one run per thread (leases), and the thread records operators list.
import { expect, it } from "vitest";
import { END, START } from "../../src/index.js";
import { chain, sleep, thread } from "../support.js";
import type { ContractContext } from "./contract.js";
import { blockFor, checkpointIds, checkpointRecord, logWrite, rejection } from "./graphs.js";

const record = (id: string, parentId?: string) =>
  checkpointRecord(id, parentId, "loop", { log: id });

export function leaseCases(ctx: ContractContext): void {
  it("leases: acquire, renew, release; a second owner gets THREAD_BUSY until the first releases", async () => {
    const store = ctx.store;
    await store.acquireLease("t", "a");
    await store.acquireLease("t", "a");
    await expect(store.acquireLease("t", "b")).rejects.toMatchObject({
      code: "THREAD_BUSY",
      threadId: "t",
    });
    expect(await store.renewLease("t", "a")).toBe(true);
    expect(await store.renewLease("t", "b")).toBe(false);
    await store.releaseLease("t", "b");
    await expect(store.acquireLease("t", "b")).rejects.toMatchObject({ code: "THREAD_BUSY" });
    await store.acquireLease("other-thread", "b");

    await store.releaseLease("t", "a");
    await store.acquireLease("t", "b");
    expect(await store.renewLease("t", "a")).toBe(false);
    await expect(store.acquireLease("t", "a")).rejects.toMatchObject({ code: "THREAD_BUSY" });
  });

  it("an expired lease is taken over; the old owner's writes are then refused with LEASE_LOST", async () => {
    const store = ctx.open({ leaseMs: 50 });
    expect(store.leaseMs).toBe(50);
    await store.acquireLease("t", "a");
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "a" });
    await sleep(120);
    await store.acquireLease("t", "b");
    expect(await store.renewLease("t", "a")).toBe(false);

    const commit = () =>
      store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), { lease: "a" });
    expect(await rejection(commit)).toMatchObject({ code: "LEASE_LOST", threadId: "t" });
    const putWrites = () => store.putWrites("t", "cp-1", "task", [["log", "late"]], { lease: "a" });
    expect(await rejection(putWrites)).toMatchObject({ code: "LEASE_LOST" });
    const tuple = await store.getTuple("t");
    expect(tuple?.checkpoint.id).toBe("cp-1");
    expect(tuple?.pendingWrites).toEqual([]);

    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), { lease: "b" });
    expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-2");
  });

  it("an expired lease nobody took over is renewed by its owner; after a takeover it is not", async () => {
    // A run checks its lease this way before a durable step starts, after a stall (a frozen process).
    const store = ctx.open({ leaseMs: 50 });
    await store.acquireLease("t", "a");
    await sleep(120);
    expect(await store.renewLease("t", "a")).toBe(true);
    await expect(store.acquireLease("t", "b")).rejects.toMatchObject({ code: "THREAD_BUSY" });
    await sleep(120);
    await store.acquireLease("t", "b");
    expect(await store.renewLease("t", "a")).toBe(false);
    expect(await store.renewLease("t", "b")).toBe(true);
  });

  it("a commit can take a new thread's lease and give it back (WriteOptions.acquireLease/releaseLease)", async () => {
    const store = ctx.store;
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "a", acquireLease: true });
    await expect(store.acquireLease("t", "b")).rejects.toMatchObject({ code: "THREAD_BUSY" });
    expect(await store.renewLease("t", "a")).toBe(true);
    await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {
      lease: "a",
      releaseLease: true,
    });
    expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-2");
    expect(await store.renewLease("t", "a")).toBe(false);
    await store.acquireLease("t", "b");
    // Taking and giving back in one commit leaves the thread free.
    await store.commit("u", record("u-1"), logWrite("u-1"), {
      lease: "c",
      acquireLease: true,
      releaseLease: true,
    });
    expect((await store.getTuple("u"))?.checkpoint.id).toBe("u-1");
    await store.acquireLease("u", "d");
  });

  it("a commit taking a lease is refused, writing nothing, if another owner holds it or the thread exists", async () => {
    const store = ctx.store;
    await store.acquireLease("held", "other");
    const onHeld = () =>
      store.commit("held", record("cp-1"), logWrite("cp-1"), { lease: "a", acquireLease: true });
    expect(await rejection(onHeld)).toMatchObject({ code: "THREAD_BUSY", threadId: "held" });
    expect(await store.getTuple("held")).toBeUndefined();
    expect(await store.getThread("held")).toBeUndefined();
    expect(await store.renewLease("held", "other")).toBe(true);

    // Written since the run read it as new: the run's reads are stale.
    await store.commit("written", record("cp-1"), logWrite("cp-1"));
    const onWritten = () =>
      store.commit("written", record("cp-2"), logWrite("cp-2"), { lease: "a", acquireLease: true });
    expect(await rejection(onWritten)).toMatchObject({ code: "THREAD_BUSY", threadId: "written" });
    expect(await checkpointIds(store, "written")).toEqual(["cp-1"]);
    await store.acquireLease("written", "b");
  });

  it("a run gets THREAD_BUSY while another holds the thread, and writes nothing", async () => {
    const { graph, calls } = chain(["a"]);
    const compiled = graph.compile({ checkpointer: ctx.store });
    await ctx.store.acquireLease("t", "someone-else");
    await expect(compiled.invoke({ log: "in" }, thread("t"))).rejects.toMatchObject({
      code: "THREAD_BUSY",
    });
    await expect(compiled.updateState(thread("t"), { log: "x" }, "a")).rejects.toMatchObject({
      code: "THREAD_BUSY",
    });
    expect(calls).toEqual({});
    expect(await ctx.store.getTuple("t")).toBeUndefined();

    await ctx.store.releaseLease("t", "someone-else");
    expect((await compiled.invoke({ log: "in" }, thread("t"))).log).toEqual(["in", "a"]);
  });

  it("a second invoke of a running thread gets THREAD_BUSY at once; the first finishes", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const { graph, calls } = chain(["b"]);
    graph.addNode("wait", async () => {
      entered();
      await gate;
      return { log: "waited" };
    });
    // START -> b and START -> wait run in one superstep.
    graph.addEdge(START, "wait").addEdge("wait", END);
    const compiled = graph.compile({ checkpointer: ctx.store });
    const first = compiled.invoke({ log: "in" }, thread("t"));
    await started;
    await expect(compiled.invoke({ log: "second" }, thread("t"))).rejects.toMatchObject({
      code: "THREAD_BUSY",
    });
    open();
    expect((await first).log).toEqual(["in", "b", "waited"]);
    expect(calls).toEqual({ b: 1 });
    // The lease was released: the thread runs again.
    expect((await compiled.invoke({ log: "third" }, thread("t"))).log).toEqual([
      ...["in", "b", "waited"],
      ...["third", "b", "waited"],
    ]);
  });

  it("a run whose lease was taken over is refused with LEASE_LOST and writes nothing more", async () => {
    const store = ctx.open({ leaseMs: 50 });
    const { graph } = chain(["a"]);
    graph.addNode("slow", async () => {
      // No renewal can run while the event loop is blocked, so the lease expires; a thief takes it.
      blockFor(150);
      // With a networked store, a renewal the owner sent before the block may reach the store
      // first (an expired lease nobody took is renewed by its owner): expire it again and retry.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await store.acquireLease("t", "thief");
          break;
        } catch (error) {
          if (attempt >= 5 || (error as { code?: string }).code !== "THREAD_BUSY") throw error;
          blockFor(150);
        }
      }
      return { log: "late" };
    });
    graph.addEdge("a", "slow").addEdge("slow", END);
    const compiled = graph.compile({ checkpointer: store });
    await expect(compiled.invoke({ log: "in" }, thread("t"))).rejects.toMatchObject({
      code: "LEASE_LOST",
    });
    const ids = await checkpointIds(store, "t");
    expect(ids).toHaveLength(2);
    const latest = await store.getTuple("t");
    expect(latest?.checkpoint.metadata).toMatchObject({ source: "loop", step: 0 });
    // The run that lost the thread must not write into it any more, not even its failure.
    expect(latest?.pendingWrites).toEqual([]);
  });

  it("reports a refused write as a rejected promise, never a synchronous throw", async () => {
    const store = ctx.store;
    await store.acquireLease("t", "owner");
    await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "owner" });
    await store.releaseLease("t", "owner");
    // Callers chain .catch() on these (a lease renewal timer does); a synchronous throw escapes it.
    const attempts = {
      commit: () => store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), { lease: "owner" }),
      putWrites: () => store.putWrites("t", "cp-1", "task", [["log", "x"]], { lease: "owner" }),
      unserializable: () => store.putWrites("t", "cp-1", "task", [["log", () => 1]]),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      let returned: unknown;
      let thrown: unknown;
      try {
        returned = attempt();
      } catch (error) {
        thrown = error;
      }
      expect({ name, threwSynchronously: thrown !== undefined }).toEqual({
        name,
        threwSynchronously: false,
      });
      await expect(returned).rejects.toHaveProperty("code");
    }
  });

  it("thread info: graph binding, timestamps, setThreadGraph, listThreads newest first", async () => {
    const store = ctx.store;
    const compiled = chain(["a"]).graph.compile({ checkpointer: store, name: "greeter" });
    expect(await store.getThread("t1")).toBeUndefined();
    await compiled.invoke({ log: "in" }, thread("t1"));
    const info = await store.getThread("t1");
    expect(info?.threadId).toBe("t1");
    expect(info?.graph?.name).toBe("greeter");
    expect(info?.graph?.version).toMatch(/\S/);
    expect(new Date(info?.createdAt ?? "").toISOString()).toBe(info?.createdAt);
    expect(info?.updatedAt && info.updatedAt >= info.createdAt).toBe(true);

    const version = info?.graph?.version as string;
    await store.setThreadGraph("t1", { name: "greeter-2", version: "v-next" });
    expect((await store.getThread("t1"))?.graph).toEqual({ name: "greeter-2", version: "v-next" });
    await store.setThreadGraph("t1", { name: "greeter", version });

    for (const id of ["t2", "t3", "t1"]) {
      await sleep(5);
      await compiled.invoke({ log: id }, thread(id));
    }
    const listed = async (limit?: number) => {
      const ids: string[] = [];
      for await (const each of store.listThreads({ limit })) ids.push(each.threadId);
      return ids;
    };
    expect(await listed()).toEqual(["t1", "t3", "t2"]);
    expect(await listed(2)).toEqual(["t1", "t3"]);
    const t1 = await store.getThread("t1");
    expect(t1?.createdAt).toBe(info?.createdAt);
    expect(t1?.updatedAt && t1.updatedAt > (info?.updatedAt ?? "")).toBe(true);
  });
}

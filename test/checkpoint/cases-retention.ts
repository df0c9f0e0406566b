// Contract cases: retention (delete, prune, expire, copy, vacuum) and branches (forks, updates of
// older checkpoints).
import { expect, it } from "vitest";
import { chain, collect, sleep, thread } from "../support.js";
import type { ContractContext } from "./contract.js";
import {
  appendLoop,
  checkpointIds,
  checkpointRecord,
  itemsUpTo,
  logWrite,
  longRun,
  rejection,
} from "./graphs.js";

const threadIds = async (ctx: ContractContext) => {
  const ids: string[] = [];
  for await (const info of ctx.store.listThreads()) ids.push(info.threadId);
  return ids.sort();
};

/** A 3-node thread "t" (a, b, c) and the id of its checkpoint after `a`. */
async function threeNodes(ctx: ContractContext) {
  const { graph, calls } = chain(["a", "b", "c"]);
  const compiled = graph.compile({ checkpointer: ctx.store });
  await compiled.invoke({ log: "in" }, thread("t"));
  const original = await collect(compiled.getStateHistory(thread("t")));
  const afterA = original.find((snapshot) => snapshot.metadata?.step === 0);
  const afterAId = afterA?.config.configurable.checkpoint_id as string;
  return { compiled, calls, original, afterAId };
}

/** Each snapshot's checkpoint id and values, to check a branch is untouched. */
const shapeOf = (history: ReadonlyArray<{ config: { configurable: object }; values: unknown }>) =>
  history.map((snapshot) => [snapshot.config.configurable, snapshot.values]);

export function retentionCases(ctx: ContractContext): void {
  it("deleteThread removes everything of the thread; THREAD_NOT_FOUND / THREAD_BUSY otherwise", async () => {
    const compiled = chain(["a"]).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ log: "in" }, thread("t"));
    await compiled.invoke({ log: "in" }, thread("keep"));

    await ctx.store.acquireLease("t", "holder");
    await expect(ctx.store.deleteThread("t")).rejects.toMatchObject({ code: "THREAD_BUSY" });
    expect(await checkpointIds(ctx.store, "t")).toHaveLength(2);
    await ctx.store.releaseLease("t", "holder");

    await ctx.store.deleteThread("t");
    expect(await ctx.store.getTuple("t")).toBeUndefined();
    expect(await checkpointIds(ctx.store, "t")).toEqual([]);
    expect(await ctx.store.getThread("t")).toBeUndefined();
    expect(await threadIds(ctx)).toEqual(["keep"]);
    expect((await compiled.getState(thread("keep"))).values.log).toEqual(["in", "a"]);
    await expect(ctx.store.deleteThread("t")).rejects.toMatchObject({ code: "THREAD_NOT_FOUND" });
    await expect(ctx.store.deleteThread("nope")).rejects.toMatchObject({
      code: "THREAD_NOT_FOUND",
      threadId: "nope",
    });
  });

  it("a write by the holder of an expired lease cannot bring a deleted thread back", async () => {
    const store = ctx.open({ leaseMs: 50 });
    await store.acquireLease("t", "a");
    await store.commit("t", checkpointRecord("cp-1", undefined), logWrite("cp-1"), { lease: "a" });
    await sleep(120);
    await store.deleteThread("t");
    const lateCommit = () =>
      store.commit("t", checkpointRecord("cp-2", "cp-1"), logWrite("cp-2"), { lease: "a" });
    expect(await rejection(lateCommit)).toMatchObject({ code: "LEASE_LOST" });
    const lateWrites = () =>
      store.putWrites("t", "cp-1", "task", [["log", "late"]], { lease: "a" });
    expect(await rejection(lateWrites)).toMatchObject({ code: "LEASE_LOST" });
    expect(await store.getThread("t")).toBeUndefined();
    expect(await store.getTuple("t")).toBeUndefined();
  });

  it("pruneThread keeps exactly the last N checkpoints, each still reading its full values", async () => {
    const bytes = 200;
    const compiled = appendLoop(150, bytes).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ items: [] }, longRun("t"));
    const before = await checkpointIds(ctx.store, "t");
    expect(before).toHaveLength(151);

    expect(await ctx.store.pruneThread("t", { keepLast: 10 })).toBe(141);
    const after = await checkpointIds(ctx.store, "t");
    expect(after).toEqual(before.slice(0, 10));
    // The kept checkpoints' deltas reach back to full values written by pruned checkpoints.
    for (const [index, id] of after.entries()) {
      const state = await compiled.getState(thread("t", id));
      expect(state.values.items).toEqual(itemsUpTo(150 - index, bytes));
    }
    expect(await ctx.store.pruneThread("t", { keepLast: 10 })).toBe(0);
    expect(await ctx.store.pruneThread("t", { keepLast: 500 })).toBe(0);

    const more = await compiled.invoke({ items: [] }, longRun("t"));
    expect(more.items).toEqual(itemsUpTo(151, bytes));
    await expect(ctx.store.pruneThread("nope", { keepLast: 1 })).rejects.toMatchObject({
      code: "THREAD_NOT_FOUND",
    });
  });

  it("pruneThread keeps the head of every branch; dryRun counts without deleting", async () => {
    const { compiled, original, afterAId } = await threeNodes(ctx);
    const originalHead = original[0]?.config.configurable.checkpoint_id as string;
    // A branch from the checkpoint after `a`: the thread now has two heads.
    const branch = await compiled.updateState(thread("t", afterAId), { log: "edited" }, "a");
    const branchHead = branch.configurable.checkpoint_id as string;
    expect(await checkpointIds(ctx.store, "t")).toHaveLength(5);

    expect(await ctx.store.pruneThread("t", { keepLast: 1, dryRun: true })).toBe(3);
    expect(await checkpointIds(ctx.store, "t")).toHaveLength(5);
    expect(await ctx.store.pruneThread("t", { keepLast: 1 })).toBe(3);
    expect(await checkpointIds(ctx.store, "t")).toEqual([branchHead, originalHead]);
    expect((await compiled.getState(thread("t", originalHead))).values.log).toEqual([
      "in",
      "a",
      "b",
      "c",
    ]);
    expect((await compiled.getState(thread("t"))).values.log).toEqual(["in", "a", "edited"]);
    expect(await ctx.store.pruneThread("t", { keepLast: 1 })).toBe(0);
  });

  it("deleteThreadsOlderThan deletes idle old threads and skips leased ones", async () => {
    const compiled = chain(["a"]).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ log: "in" }, thread("old"));
    await compiled.invoke({ log: "in" }, thread("old-but-held"));
    await sleep(5);
    const cutoff = new Date();
    await sleep(5);
    await compiled.invoke({ log: "in" }, thread("new"));
    await ctx.store.acquireLease("old-but-held", "holder");

    expect(await ctx.store.deleteThreadsOlderThan(cutoff)).toBe(1);
    expect(await threadIds(ctx)).toEqual(["new", "old-but-held"]);
    expect(await ctx.store.getTuple("old")).toBeUndefined();
    expect((await compiled.getState(thread("old-but-held"))).values.log).toEqual(["in", "a"]);
  });

  it("copyThread copies a checkpoint and its ancestors; the copy runs on, the original is untouched", async () => {
    const bytes = 200;
    const { graph, counter } = appendLoop(120, bytes);
    const compiled = graph.compile({ checkpointer: ctx.store, name: "looper" });
    await compiled.invoke({ items: [] }, longRun("src"));
    const original = await collect(compiled.getStateHistory(thread("src")));
    const at60 = original.find((snapshot) => snapshot.values.items.length === 60);
    const at60Id = at60?.config.configurable.checkpoint_id as string;

    const copied = await compiled.copyThread(thread("src", at60Id), "dst");
    expect(copied.configurable).toMatchObject({ thread_id: "dst", checkpoint_id: at60Id });
    expect(await checkpointIds(ctx.store, "dst")).toEqual(
      original.slice(60).map((snapshot) => snapshot.config.configurable.checkpoint_id),
    );
    expect((await ctx.store.getThread("dst"))?.graph).toEqual(
      (await ctx.store.getThread("src"))?.graph,
    );
    const copy = await compiled.getState(thread("dst"));
    expect(copy.values.items).toEqual(itemsUpTo(60, bytes));
    expect(copy.next).toEqual(["step"]);

    counter.calls = 0;
    expect((await compiled.invoke(null, longRun("dst"))).items).toEqual(itemsUpTo(120, bytes));
    expect(counter.calls).toBe(60);
    expect(await checkpointIds(ctx.store, "dst")).toHaveLength(121);
    expect(shapeOf(await collect(compiled.getStateHistory(thread("src"))))).toEqual(
      shapeOf(original),
    );

    // The store's own copyThread copies the latest checkpoint when none is named.
    await ctx.store.copyThread("src", "dst-latest");
    expect((await compiled.getState(thread("dst-latest"))).values.items).toHaveLength(120);
  });

  it("copyThread refuses an existing target (THREAD_EXISTS) and an unknown source (THREAD_NOT_FOUND)", async () => {
    const compiled = chain(["a"]).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ log: "src" }, thread("src"));
    await compiled.invoke({ log: "dst" }, thread("dst"));
    await expect(ctx.store.copyThread("src", "dst")).rejects.toMatchObject({
      code: "THREAD_EXISTS",
      threadId: "dst",
    });
    expect((await compiled.getState(thread("dst"))).values.log).toEqual(["dst", "a"]);
    await expect(ctx.store.copyThread("nope", "fresh")).rejects.toMatchObject({
      code: "THREAD_NOT_FOUND",
    });
    expect(await ctx.store.getThread("fresh")).toBeUndefined();
  });

  it("vacuum runs and leaves the remaining threads readable", async () => {
    const compiled = appendLoop(40, 500).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ items: [] }, longRun("gone"));
    await compiled.invoke({ items: [] }, longRun("kept"));
    await ctx.store.deleteThread("gone");
    await ctx.store.vacuum();
    expect((await compiled.getState(thread("kept"))).values.items).toEqual(itemsUpTo(40, 500));
    expect(await threadIds(ctx)).toEqual(["kept"]);
  });

  it("forks: invoke(null) from an older checkpoint writes a fork and re-runs from there", async () => {
    const { compiled, calls, original, afterAId } = await threeNodes(ctx);
    expect((await compiled.invoke(null, thread("t", afterAId))).log).toEqual(["in", "a", "b", "c"]);
    expect(calls).toEqual({ a: 1, b: 2, c: 2 });

    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history).toHaveLength(original.length + 3);
    const [afterC, afterB, fork] = history;
    expect(fork?.metadata?.source).toBe("fork");
    expect(fork?.parentConfig?.configurable.checkpoint_id).toBe(afterAId);
    expect(fork?.values.log).toEqual(["in", "a"]);
    expect(afterB?.parentConfig).toEqual(fork?.config);
    expect(afterC?.parentConfig).toEqual(afterB?.config);
    // Both branches are in the history; the original one is exactly as it was.
    expect(shapeOf(history.slice(3))).toEqual(shapeOf(original));
    for (const old of original) {
      const state = await compiled.getState(thread("t", old.config.configurable.checkpoint_id));
      expect(state.values).toEqual(old.values);
    }
  });

  it("updateState on an older checkpoint branches off it; the branch continues from the update", async () => {
    const { compiled, calls, original, afterAId } = await threeNodes(ctx);
    const updated = await compiled.updateState(thread("t", afterAId), { log: "edited" }, "a");
    const branch = await compiled.getState(thread("t"));
    expect(branch.config).toEqual(updated);
    expect(branch.metadata?.source).toBe("update");
    expect(branch.parentConfig?.configurable.checkpoint_id).toBe(afterAId);
    expect(branch.values.log).toEqual(["in", "a", "edited"]);
    expect(branch.next).toEqual(["b"]);

    expect((await compiled.invoke(null, thread("t"))).log).toEqual(["in", "a", "edited", "b", "c"]);
    expect(calls).toEqual({ a: 1, b: 2, c: 2 });
    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history).toHaveLength(original.length + 3);
    expect(shapeOf(history.slice(3))).toEqual(shapeOf(original));
  });
}

// Contract cases: every implementation keeps a thread's usage sums — the `metadata.usage` of each
// checkpoint committed to it and its subgraph namespaces — per run and per node, updated by
// `commit` in its own transaction (a refused commit adds nothing), and reads them in one call.
import { expect, it } from "vitest";
import { namespaceKey, type CheckpointRecord } from "../../src/index.js";
import type { ContractContext } from "./contract.js";
import { checkpointRecord, logWrite, rejection } from "./graphs.js";

/** A checkpoint whose superstep's nodes spent `usage` (by node), in run `runId` when given. */
const spent = (
  id: string,
  parentId: string | undefined,
  usage: Record<string, Record<string, number>>,
  runId?: string,
): CheckpointRecord => {
  const record = checkpointRecord(id, parentId);
  return {
    ...record,
    metadata: { ...record.metadata, usage, ...(runId === undefined ? {} : { run_id: runId }) },
  };
};

const tokens = (input: number, output: number, cost?: number) => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
  ...(cost === undefined ? {} : { cost }),
});

export function usageCases(ctx: ContractContext): void {
  it("usage: sums each commit's metadata.usage per node, per run and for the thread", async () => {
    const store = ctx.store;
    expect(await store.getUsage("t")).toEqual({ total: tokens(0, 0), nodes: {} });
    await store.commit("t", checkpointRecord("cp-1", undefined), logWrite("cp-1"));
    await store.commit("t", spent("cp-2", "cp-1", { a: tokens(10, 5) }, "run-1"), []);
    await store.commit(
      "t",
      spent("cp-3", "cp-2", { a: tokens(1, 2), b: tokens(3, 4) }, "run-1"),
      [],
    );
    await store.commit("t", spent("cp-4", "cp-3", { b: tokens(100, 0, 0.25) }, "run-2"), []);
    // A subgraph's usage belongs to its thread, under the parent's node name.
    const child = namespaceKey("t", "research:cp-4:0");
    await store.commit(child, spent("cp-5", undefined, { draft: tokens(7, 0) }, "run-2"), []);
    // Another thread's usage is its own.
    await store.commit("u", spent("cp-6", undefined, { a: tokens(1000, 0) }), []);

    const thread = await store.getUsage("t");
    expect(thread.nodes).toEqual({
      a: tokens(11, 7),
      b: tokens(103, 4, 0.25),
      "research|draft": tokens(7, 0),
    });
    expect(thread.total).toEqual(tokens(121, 11, 0.25));
    expect(await store.getUsage("t", { runId: "run-1" })).toEqual({
      total: tokens(14, 11),
      nodes: { a: tokens(11, 7), b: tokens(3, 4) },
    });
    expect((await store.getUsage("t", { runId: "run-2" })).total).toEqual(tokens(107, 0, 0.25));
    expect((await store.getUsage("u")).total).toEqual(tokens(1000, 0));
  });

  it("usage: a refused commit adds nothing; pruning keeps the sums; deleting drops them; a copy starts from none", async () => {
    const store = ctx.store;
    await store.acquireLease("t", "a");
    await store.commit("t", spent("cp-1", undefined, { a: tokens(5, 5) }), logWrite("cp-1"), {
      lease: "a",
    });
    const refused = () =>
      store.commit("t", spent("cp-2", "cp-1", { a: tokens(50, 50) }), [], { lease: "b" });
    expect(await rejection(refused)).toMatchObject({ code: "LEASE_LOST" });
    expect((await store.getUsage("t")).total).toEqual(tokens(5, 5));
    await store.commit("t", spent("cp-3", "cp-1", { a: tokens(1, 1) }), [], { lease: "a" });
    await store.releaseLease("t", "a");

    // What was spent stays spent when old checkpoints are pruned.
    expect(await store.pruneThread("t", { keepLast: 1 })).toBe(1);
    expect((await store.getUsage("t")).total).toEqual(tokens(6, 6));

    await store.copyThread("t", "copy");
    expect(await store.getUsage("copy")).toEqual({ total: tokens(0, 0), nodes: {} });

    await store.deleteThread("t");
    expect(await store.getUsage("t")).toEqual({ total: tokens(0, 0), nodes: {} });
    // A new thread of the same id starts from nothing.
    await store.commit("t", spent("cp-9", undefined, { a: tokens(2, 0) }), logWrite("cp-9"));
    expect((await store.getUsage("t")).total).toEqual(tokens(2, 0));
  });
}

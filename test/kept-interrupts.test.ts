// A waiting interrupt survives updateState and a graph migration (issue 15, item 4; issue 11's
// parity gap): the interrupted node keeps its durable steps, re-runs with the updated state and
// gets the answer, as in LangGraph. Dropping it takes { discardInterrupts: true }.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  approval,
  Command,
  END,
  interrupt,
  listPendingInterrupts,
  MemoryCheckpointer,
  START,
  StateGraph,
  type ThreadMigration,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { thread } from "./support.js";

const State = z.object({ amount: z.number(), log: append(z.string()) });

/** START -> prepare -> review (emails, then asks approval) -> END [-> audit when `withAudit`]. */
function build(withAudit = false) {
  const counts = { emails: 0, reviews: 0 };
  const graph = new StateGraph(State)
    .addNode("prepare", () => ({ log: "prepared" }))
    .addNode("review", async (state, ctx) => {
      counts.reviews += 1;
      await ctx.step("email", () => {
        counts.emails += 1;
        return "sent";
      });
      const decision = approval({ amount: state.amount });
      return { log: `${decision.approved ? "approved" : "rejected"} ${state.amount}` };
    })
    .addEdge(START, "prepare")
    .addEdge("prepare", "review");
  if (withAudit) graph.addNode("audit", () => ({ log: "audited" })).addEdge("review", "audit");
  else graph.addEdge("review", END);
  return { builder: graph, counts };
}

async function waitingIds(store: MemoryCheckpointer): Promise<string[]> {
  return (await listPendingInterrupts(store)).map((item) => item.interruptId);
}

describe("updateState while an interrupt waits", () => {
  it("keeps the interrupt: the node re-runs with the updated state and gets the answer", async () => {
    const store = new MemoryCheckpointer();
    const { builder, counts } = build();
    const graph = builder.compile({ checkpointer: store });
    await graph.invoke({ amount: 900, log: [] }, thread("t"));
    expect(await waitingIds(store)).toHaveLength(1);

    await graph.updateState(thread("t"), { amount: 450 });
    const state = await graph.getState(thread("t"));
    expect(state.next).toEqual(["review"]);
    const [kept] = state.tasks.flatMap((task) => task.interrupts);
    expect(kept).toMatchObject({ node: "review", value: { amount: 900 } });
    expect(await waitingIds(store)).toEqual([kept?.id]);

    const done = await graph.invoke(new Command({ resume: { approved: true } }), {
      configurable: { thread_id: "t", actor: "dana" },
    });
    expect(done.log).toEqual(["prepared", "approved 450"]);
    // The durable step before the interrupt is not repeated.
    expect(counts.emails).toBe(1);
    expect(await graph.getAuditLog("t")).toMatchObject([
      { actor: "dana", interruptId: kept?.id, node: "review", kind: "resume" },
    ]);
  });

  it("as the waiting node itself: refused unless discardInterrupts, which drops it", async () => {
    const store = new MemoryCheckpointer();
    const graph = build().builder.compile({ checkpointer: store });
    await graph.invoke({ amount: 900, log: [] }, thread("t"));
    const [id] = await waitingIds(store);
    const error = await rejection(() =>
      graph.updateState(thread("t"), { log: "decided by hand" }, "review"),
    );
    expect(error.code).toBe("INTERRUPTS_DROPPED");
    expect(error.message).toContain(id);
    expect(error.message).toContain("discardInterrupts");
    expect(await waitingIds(store)).toEqual([id]);

    await graph.updateState(
      { configurable: { thread_id: "t" }, discardInterrupts: true },
      { log: "decided by hand" },
      "review",
    );
    expect(await waitingIds(store)).toEqual([]);
    expect((await graph.getState(thread("t"))).next).toEqual([]);
  });
});

describe("updateState between two questions of one node", () => {
  it("keeps the first answer: the node re-runs, gets it back, and the second question's answer", async () => {
    const store = new MemoryCheckpointer();
    const graph = new StateGraph(z.object({ note: z.string().optional(), log: append(z.string()) }))
      .addNode("ask", (state) => {
        const seats = interrupt<number>("seats?");
        const meal = interrupt<string>("meal?");
        return { log: `${seats} x ${meal} (${state.note ?? "-"})` };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: store });
    await graph.invoke({ log: [] }, thread("t"));
    await graph.invoke(new Command({ resume: 3 }), thread("t"));
    await graph.updateState(thread("t"), { note: "window" }, START);
    const [second] = (await graph.getState(thread("t"))).tasks.flatMap((task) => task.interrupts);
    expect(second?.value).toBe("meal?");
    const done = await graph.invoke(new Command({ resume: "fish" }), thread("t"));
    expect(done.log).toEqual(["3 x fish (window)"]);
  });
});

describe("a graph migration while an interrupt waits", () => {
  it("keeps the interrupt when the node stays planned", async () => {
    const store = new MemoryCheckpointer();
    const old = build().builder.compile({ checkpointer: store, name: "claims" });
    await old.invoke({ amount: 900, log: [] }, thread("t"));
    const migrate: ThreadMigration = (state) => ({ values: state.values });
    const next = build(true);
    const graph = next.builder.compile({
      checkpointer: store,
      name: "claims",
      migrations: { [old.version]: migrate },
    });
    const done = await graph.invoke(new Command({ resume: { approved: true } }), thread("t"));
    expect(done.log).toEqual(["prepared", "approved 900", "audited"]);
    expect(next.counts.emails).toBe(0);
  });

  it("refuses a migration that drops it, unless discardInterrupts", async () => {
    const store = new MemoryCheckpointer();
    const old = build().builder.compile({ checkpointer: store, name: "claims" });
    await old.invoke({ amount: 900, log: [] }, thread("t"));
    const [id] = await waitingIds(store);
    const migrations = { [old.version]: (() => ({ values: {}, next: [] })) as ThreadMigration };
    const graph = build(true).builder.compile({ checkpointer: store, name: "claims", migrations });
    const error = await rejection(() => graph.invoke(null, thread("t")));
    expect(error.code).toBe("INTERRUPTS_DROPPED");
    expect(error.message).toContain(id);
    expect(await waitingIds(store)).toEqual([id]);
    await graph.invoke(null, { configurable: { thread_id: "t" }, discardInterrupts: true });
    expect(await waitingIds(store)).toEqual([]);
  });
});

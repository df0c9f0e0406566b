// The inbox a page at a time (issue 13, the console's inbox with 1,000 waiting items): the store
// sorts and limits, most urgent first (deadlines, overdue first, then the oldest without one),
// and a cursor pages on without skipping or repeating items answered in between. Every store.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Command,
  END,
  interrupt,
  InvalidConfigError,
  listPendingInterrupts,
  pendingInterruptsPage,
  START,
  StateGraph,
  type InboxItem,
  type ThreadStore,
} from "../src/index.js";
import { everyStore } from "./support/every-store.js";
import { sleep, thread } from "./support.js";

const STORES = everyStore("inbox");

const HOUR = 3_600_000;

/** Asks once; `inMs` sets a deadline that far from now (negative: already passed). */
function asking(store: ThreadStore) {
  return new StateGraph(z.object({ inMs: z.number().optional(), answer: z.string().optional() }))
    .addNode("ask", (state) => {
      const answer = interrupt<string>(
        { question: "ok?" },
        state.inMs === undefined ? {} : { deadline: new Date(Date.now() + state.inMs) },
      );
      return { answer };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: store, name: "asking" });
}

const threads = (items: readonly InboxItem[]) => items.map((item) => item.threadId);

describe.each(STORES)("pendingInterruptsPage (%s)", (_, open) => {
  it("lists the most urgent first: by deadline (overdue first), then the oldest", async () => {
    const store = open();
    const graph = asking(store);
    // Started in this order; ms apart so the ages differ.
    for (const [id, inMs] of [
      ["old", undefined],
      ["later", 2 * HOUR],
      ["middle", undefined],
      ["overdue", -HOUR],
      ["soon", HOUR],
      ["new", undefined],
    ] as const) {
      await graph.invoke(inMs === undefined ? {} : { inMs }, thread(id));
      await sleep(3);
    }
    await graph.invoke({}, thread("finished"));
    await graph.invoke(new Command({ resume: "yes" }), thread("finished"));

    const page = await pendingInterruptsPage(store, { limit: 10 });
    expect(threads(page.items)).toEqual(["overdue", "soon", "later", "old", "middle", "new"]);
    expect(page.total).toBe(6);
    expect(page.next).toBeUndefined();
    expect(page.items[0]).toMatchObject({
      node: "ask",
      graph: { name: "asking" },
      value: { question: "ok?" },
      deadline: expect.any(String) as unknown,
    });
    // The same items listPendingInterrupts gives, only ordered by urgency.
    const all = await listPendingInterrupts(store);
    expect(new Set(page.items)).toEqual(new Set(all));

    // A page at a time: the same order, the same total, a cursor until the last page.
    const first = await pendingInterruptsPage(store, { limit: 4 });
    expect(threads(first.items)).toEqual(["overdue", "soon", "later", "old"]);
    expect(first.total).toBe(6);
    expect(first.next).toEqual(expect.any(String));
    // An item of the first page is answered before the next page is read: nothing is skipped.
    await graph.invoke(new Command({ resume: "done" }), thread("soon"));
    const second = await pendingInterruptsPage(store, { limit: 4, after: first.next });
    expect(threads(second.items)).toEqual(["middle", "new"]);
    expect(second.total).toBe(5);
    expect(second.next).toBeUndefined();
    // A page that ends exactly at the last item has no next page.
    const exact = await pendingInterruptsPage(store, { limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.next).toBeUndefined();
  });

  it("an empty inbox is one empty page; a limit out of range is refused in words", async () => {
    const store = open();
    await expect(pendingInterruptsPage(store)).resolves.toEqual({
      items: [],
      total: 0,
      next: undefined,
    });
    for (const limit of [0, -1, 1.5, 501]) {
      const refused = pendingInterruptsPage(store, { limit });
      await expect(refused).rejects.toBeInstanceOf(InvalidConfigError);
      await expect(refused).rejects.toThrow(/whole number from 1 to 500/);
    }
  });
});

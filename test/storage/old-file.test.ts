// A file written before issue 17's storage layout (schema version 2, made by main at 02baa28 and
// kept as an SQL dump) still opens, reads exactly, lists its history and takes new steps.
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { appendLoop, itemsUpTo } from "../checkpoint/graphs.js";
import { thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-old-file-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const Counter = z.object({
  total: reducer(
    z.number(),
    (a: number, b: number) => a + b,
    () => 0,
  ),
  until: z.number(),
});
const counterGraph = (checkpointer: SqliteCheckpointer) =>
  new StateGraph(Counter)
    .addNode("add", () => ({ total: 1 }))
    .addEdge(START, "add")
    .addConditionalEdges("add", (state) => (state.total < state.until ? "add" : END), ["add", END])
    .compile({ checkpointer, name: "counter" });

function oldFile(): string {
  const path = join(folder, "v2.db");
  const db = new Database(path);
  db.exec(readFileSync(new URL("../fixtures/schema-v2.sql", import.meta.url), "utf8"));
  db.close();
  return path;
}

it("a version-2 file opens, reads every checkpoint exactly and continues", async () => {
  const path = oldFile();
  const store = new SqliteCheckpointer(path);
  try {
    const items = appendLoop(41, 600).graph.compile({ checkpointer: store, name: "items" });
    expect((await items.getState(thread("items"))).values.items).toEqual(itemsUpTo(40, 600));
    const lengths: number[] = [];
    for await (const snapshot of items.getStateHistory(thread("items"))) {
      expect(snapshot.values.items).toEqual(itemsUpTo(snapshot.values.items.length, 600));
      lengths.push(snapshot.values.items.length);
    }
    expect(lengths[0]).toBe(40);
    expect(lengths.at(-1)).toBe(0);

    const counter = counterGraph(store);
    expect((await counter.getState(thread("counter"))).values.total).toBe(30);
    const totals: number[] = [];
    for await (const snapshot of counter.getStateHistory(thread("counter"))) {
      totals.push(snapshot.values.total);
    }
    expect(totals.slice(0, 3)).toEqual([30, 29, 28]);
    expect(totals.at(-1)).toBe(0);

    // New steps on top of the old chains.
    expect((await counter.invoke({ until: 35 }, thread("counter"))).total).toBe(35);
    const longer = await items.invoke(null, { ...thread("items"), recursionLimit: 100 });
    expect(longer.items).toHaveLength(40);
  } finally {
    store.close();
  }
  const reopened = new SqliteCheckpointer(path);
  try {
    expect((await counterGraph(reopened).getState(thread("counter"))).values.total).toBe(35);
  } finally {
    reopened.close();
  }
});

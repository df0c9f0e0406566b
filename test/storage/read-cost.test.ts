// Reads stay flat in the thread's length (issue 17): getState, a one-step run and history with a
// limit read a bounded number of rows whatever the number of checkpoints, and a full history
// builds each checkpoint from its neighbour instead of replaying a chain per entry. The rows are
// counted by a hook on the SQLite driver's statements; no timing.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-read-cost-"));
const path = join(folder, "threads.db");
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LONG = 2500;
const SHORT = 10;

/** A counter that adds 1 per step until it reaches `until`: one reducer key, one last-value key. */
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

type Counted = { all: (...args: unknown[]) => unknown[]; get: (...args: unknown[]) => unknown };

/** Counts the rows every statement of every connection returns while `work` runs. */
async function rowsRead(work: () => Promise<unknown>): Promise<number> {
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Counted & {
    iterate: (...args: unknown[]) => IterableIterator<unknown>;
  };
  probe.close();
  const { all, get, iterate } = prototype;
  let rows = 0;
  prototype.all = function (this: Counted, ...args: unknown[]) {
    const result = all.apply(this, args);
    rows += result.length;
    return result;
  };
  prototype.get = function (this: Counted, ...args: unknown[]) {
    const result = get.apply(this, args);
    if (result !== undefined) rows += 1;
    return result;
  };
  prototype.iterate = function* (this: Counted, ...args: unknown[]) {
    for (const row of iterate.apply(this, args)) {
      rows += 1;
      yield row;
    }
  };
  try {
    await work();
  } finally {
    Object.assign(prototype, { all, get, iterate });
  }
  return rows;
}

/** A fresh checkpointer on the file, as another process (a CLI call, a server) would open it. */
function reopen(): SqliteCheckpointer {
  return new SqliteCheckpointer(path);
}

beforeAll(async () => {
  const store = reopen();
  const graph = counterGraph(store);
  await graph.invoke({ until: LONG }, { ...thread("long"), recursionLimit: LONG + 10 });
  await graph.invoke({ until: SHORT }, { ...thread("short"), recursionLimit: SHORT + 10 });
  store.close();
}, 120_000);

describe("reads flat in the thread's length", () => {
  it("getState reads about as many rows on a 2,500-step thread as on a 10-step one", async () => {
    const counts: Record<string, number> = {};
    for (const id of ["short", "long"]) {
      const store = reopen();
      const graph = counterGraph(store);
      let total = 0;
      counts[id] = await rowsRead(async () => {
        total = (await graph.getState(thread(id))).values.total;
      });
      store.close();
      expect(total).toBe(id === "long" ? LONG : SHORT);
    }
    expect(counts.long).toBeLessThanOrEqual(2 * (counts.short as number));
  });

  it("getState of a counter reads its checkpoint row alone, nothing to fold", async () => {
    // A counter's values are small, so the checkpoint row carries them (schema 5): no version row
    // to look up, nothing to fold, whatever the thread's length.
    for (const id of ["short", "long"]) {
      const store = reopen();
      const graph = counterGraph(store);
      const rows = await rowsRead(() => graph.getState(thread(id)));
      store.close();
      expect({ id, rows }).toEqual({ id, rows: 1 });
    }
  });

  it("a one-step run reads about as many rows on a 2,500-step thread as on a 10-step one", async () => {
    const counts: Record<string, number> = {};
    for (const id of ["short", "long"]) {
      const store = reopen();
      const graph = counterGraph(store);
      const before = (await graph.getState(thread(id))).values.total;
      let after = 0;
      counts[id] = await rowsRead(async () => {
        after = (await graph.invoke({ until: before + 1 }, thread(id))).total;
      });
      store.close();
      expect(after).toBe(before + 1);
    }
    expect(counts.long).toBeLessThanOrEqual(2 * (counts.short as number));
  });

  it("history with limit 10 reads a bounded number of rows, newest first", async () => {
    const store = reopen();
    const graph = counterGraph(store);
    const totals: number[] = [];
    const rows = await rowsRead(async () => {
      for await (const snapshot of graph.getStateHistory(thread("long"), { limit: 10 })) {
        totals.push(snapshot.values.total);
      }
    });
    store.close();
    expect(totals).toHaveLength(10);
    // Newest first: a loop checkpoint is one below the next newer, an input one repeats it.
    for (let index = 1; index < totals.length; index += 1) {
      const step = (totals[index - 1] as number) - (totals[index] as number);
      expect(step === 0 || step === 1).toBe(true);
    }
    expect(totals[0]).toBeGreaterThan(LONG);
    expect(rows).toBeLessThanOrEqual(60);
  });

  it("the full history builds each checkpoint from its neighbour", async () => {
    const store = reopen();
    const graph = counterGraph(store);
    const totals: number[] = [];
    const rows = await rowsRead(async () => {
      for await (const snapshot of graph.getStateHistory(thread("long"))) {
        totals.push(snapshot.values.total);
      }
    });
    store.close();
    // Input checkpoints repeat the total; loop checkpoints count down to 1.
    expect(totals[0]).toBeGreaterThan(LONG);
    for (let index = 1; index < totals.length; index += 1) {
      const step = (totals[index - 1] as number) - (totals[index] as number);
      expect(step === 0 || step === 1).toBe(true);
    }
    expect(totals.at(-1)).toBe(0);
    expect(rows).toBeLessThanOrEqual(3 * totals.length);
  });
});

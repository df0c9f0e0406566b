// Bookkeeping per superstep (issue 17 item 4): a run writes its thread row once rather than at
// every step, and checks the lease it holds in memory rather than reading the lease row in every
// write transaction. Statements are counted by a hook on the SQLite driver; no timing.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";
import { chain, thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-bookkeeping-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

type Runnable = { source: string; run: (...args: unknown[]) => unknown };
type Methods = Pick<Runnable, "run"> & { get: Runnable["run"]; all: Runnable["run"] };

/** How often each statement ran while `work` ran, by its SQL text. */
async function statementsRun(work: () => Promise<unknown>): Promise<Map<string, number>> {
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Methods;
  probe.close();
  const original = { run: prototype.run, get: prototype.get, all: prototype.all };
  const counts = new Map<string, number>();
  for (const name of ["run", "get", "all"] as const) {
    prototype[name] = function (this: Runnable, ...args: unknown[]) {
      const sql = this.source.replace(/\s+/g, " ").trim();
      counts.set(sql, (counts.get(sql) ?? 0) + 1);
      return original[name].apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    Object.assign(prototype, original);
  }
  return counts;
}

const matching = (counts: Map<string, number>, pattern: RegExp) =>
  [...counts].filter(([sql]) => pattern.test(sql)).reduce((sum, [, count]) => sum + count, 0);

it("a 10-node run writes its thread row once and reads the lease row only to take it", async () => {
  const store = new SqliteCheckpointer(join(folder, "bookkeeping.db"));
  try {
    const names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    const compiled = chain(names).graph.compile({ checkpointer: store, name: "ten" });
    await compiled.invoke({ log: [] }, thread("warm-up"));
    let log: string[] = [];
    const counts = await statementsRun(async () => {
      log = (await compiled.invoke({ log: [] }, thread("counted"))).log;
    });
    expect(log).toEqual(names);
    expect(matching(counts, /^INSERT INTO checkpoints/)).toBe(11);
    expect(matching(counts, /^INSERT INTO threads/)).toBe(1);
    expect(matching(counts, /^UPDATE threads SET graph_name/)).toBe(1);
    expect(matching(counts, /^SELECT owner, expires_at FROM leases/)).toBe(1);
    // The thread is listed with its graph, as before.
    expect((await store.getThread("counted"))?.graph?.name).toBe("ten");
  } finally {
    store.close();
  }
});

// The WAL while a process has the file open (issue 17 item 3): the connection's merging thread
// keeps it to about 4 MB of frames during a long run (half of SQLite's 1,000 pages of 8 KB), and
// the run truncates it when it ends, so the file is all there is on disk right after. File sizes
// only; no timing. (The thread itself: wal-merge-thread.test.ts.)
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { chain, thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-wal-bound-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
const MB = 1024 * 1024;

it("a 600-step run keeps its WAL under 5 MB and leaves none behind", async () => {
  const path = join(folder, "long.db");
  const store = new SqliteCheckpointer(path);
  let largest = 0;
  const Items = z.object({
    items: reducer(
      z.array(z.string()),
      (list: string[], more: string[]) => list.concat(more),
      () => [],
    ),
  });
  const graph = new StateGraph(Items)
    .addNode("step", (state) => {
      largest = Math.max(largest, walSize(path));
      return { items: [`${state.items.length}:`.padEnd(1024, "x")] };
    })
    .addEdge(START, "step")
    .addConditionalEdges("step", (state) => (state.items.length < 600 ? "step" : END), [
      "step",
      END,
    ])
    .compile({ checkpointer: store });
  try {
    const final = await graph.invoke({ items: [] }, { ...thread("t"), recursionLimit: 700 });
    expect(final.items).toHaveLength(600);
    const rightAfter = walSize(path);
    expect({ largestMB: largest / MB, rightAfterBytes: rightAfter }).toEqual({
      largestMB: expect.any(Number) as number,
      rightAfterBytes: 0,
    });
    expect(largest / MB, "largest WAL during the run, MB").toBeLessThan(5);
  } finally {
    store.close();
  }
}, 120_000);

it("short runs leave the WAL to SQLite and the idle merge: no merge at each run's end", async () => {
  const path = join(folder, "short.db");
  const store = new SqliteCheckpointer(path);
  try {
    const compiled = chain(["a", "b", "c"]).graph.compile({ checkpointer: store });
    await compiled.invoke({ log: [] }, thread("first"));
    await compiled.invoke({ log: [] }, thread("second"));
    // Two short runs' pages are still in the WAL right after (merged once writes pause).
    expect(walSize(path)).toBeGreaterThan(0);
  } finally {
    store.close();
  }
});

// A process killed while its WAL is being merged on the merging thread loses no committed step
// (SQLite's checkpoint is crash-safe; issue 17 item 3). The child appends 1 KB per step, so its
// thread merges every ~200 commits and the writer waits for a merge about as often; each kill
// lands at an arbitrary point of that cycle. The reopened file holds every step the child
// reported committed, in order, and passes SQLite's integrity check.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { startChild, stopChildren } from "../crash/spawn.js";
import { sleep } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-wal-crash-"));
afterAll(async () => {
  await stopChildren();
  rmSync(folder, { recursive: true, force: true });
});

const Items = z.object({
  items: reducer(
    z.array(z.string()),
    (list: string[], more: string[]) => list.concat(more),
    () => [],
  ),
});

it.each([1000, 1800, 2600])(
  "killed %i ms into a long run, the file keeps every committed step",
  async (afterMs) => {
    const path = join(folder, `killed-${afterMs}.db`);
    const child = startChild("test/storage/wal-writer-child.ts", [path]);
    expect(await child.ready).toBe(true);
    await sleep(afterMs);
    child.kill();
    const result = await child.exited;
    const reported = result.stdout.split("\n").filter((line) => /^\d+$/.test(line));
    const committed = Number(reported.at(-1));
    // The run was well past several merges when it died.
    expect(committed).toBeGreaterThan(300);

    const check = new Database(path);
    const integrity = check.pragma("integrity_check", { simple: true });
    check.close();
    const store = new SqliteCheckpointer(path);
    try {
      const graph = new StateGraph(Items)
        .addNode("step", () => ({}))
        .addEdge(START, "step")
        .addEdge("step", END)
        .compile({ checkpointer: store });
      const { items } = (await graph.getState({ configurable: { thread_id: "long" } })).values;
      expect({ integrity, atLeastReported: items.length >= committed }).toEqual({
        integrity: "ok",
        atLeastReported: true,
      });
      expect(items.map((item) => Number(item.split(":")[0]))).toEqual(
        items.map((_, index) => index),
      );
    } finally {
      store.close();
    }
  },
  60_000,
);

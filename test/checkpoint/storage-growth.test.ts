// Storage grows with the bytes written, not with steps × state size (DESIGN.md §4, issue 17): a
// long loop appending 1 KB per step leaves a file (with its -wal, right after the run while the
// process still has it open, once idle, and after closing) of at most 1.5 times the bytes appended, where storing every
// checkpoint's full state would take about steps² / 2 KB. Sizes only; no timing.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";
import { sleep, thread } from "../support.js";
import { appendLoop, itemsUpTo, longRun } from "./graphs.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-growth-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const onDisk = (path: string) => fileSize(path) + fileSize(`${path}-wal`);

for (const steps of [1600, 10_000]) {
  it(`a ${steps}-step loop appending 1 KB per step takes at most 1.5× the bytes appended`, async () => {
    const bytes = 1024;
    const written = steps * bytes;
    const path = join(folder, `growth-${steps}.db`);
    const store = new SqliteCheckpointer(path);
    const compiled = appendLoop(steps, bytes).graph.compile({ checkpointer: store });
    const final = await compiled.invoke({ items: [] }, longRun("t"));
    expect(final.items).toHaveLength(steps);
    // A long run merges its WAL into the file and truncates it when it ends.
    const rightAfter = onDisk(path);
    // An idle connection does too (soon, not inside a commit).
    let whileOpen = onDisk(path);
    for (let waited = 0; whileOpen > 1.5 * written && waited < 10_000; waited += 50) {
      await sleep(50);
      whileOpen = onDisk(path);
    }
    store.close();
    const afterClose = onDisk(path);
    expect(
      rightAfter / written,
      "on disk right after the run / bytes appended",
    ).toBeLessThanOrEqual(1.5);
    expect(whileOpen / written, "on disk while open / bytes appended").toBeLessThanOrEqual(1.5);
    expect(afterClose / written, "on disk after close / bytes appended").toBeLessThanOrEqual(1.5);

    // And the file holds the whole list: a new checkpointer reads it back exactly.
    const reopened = new SqliteCheckpointer(path);
    try {
      const state = await appendLoop(steps, bytes)
        .graph.compile({ checkpointer: reopened })
        .getState(thread("t"));
      expect(state.values.items).toEqual(itemsUpTo(steps, bytes));
    } finally {
      reopened.close();
    }
  }, 180_000);
}

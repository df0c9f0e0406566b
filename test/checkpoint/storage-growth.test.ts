// Storage grows with the bytes written, not with steps × state size (DESIGN.md §4): a long loop
// appending 1 KB per step leaves a file of a few MB, where storing every checkpoint's full state
// would take about steps² / 2 KB (1.28 GB here). Sizes only; no timing.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";
import { thread } from "../support.js";
import { appendLoop, itemsUpTo, longRun } from "./graphs.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-growth-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

it("a 1,600-step loop appending 1 KB per step leaves a database under 6 MB", async () => {
  const steps = 1600;
  const bytes = 1024;
  const path = join(folder, "growth.db");
  const store = new SqliteCheckpointer(path);
  const compiled = appendLoop(steps, bytes).graph.compile({ checkpointer: store });
  const final = await compiled.invoke({ items: [] }, longRun("t"));
  expect(final.items).toHaveLength(steps);
  store.close();

  const total = fileSize(path) + fileSize(`${path}-wal`);
  expect(total).toBeLessThan(6 * 1024 * 1024);

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
});

// Issue 10 item 5: several processes opening the same NEW database file at once all succeed —
// none sees "database is locked" before its busy timeout applies, and none mistakes a file being
// initialised by another process for a foreign database.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";
import { describeExit, startChild, stopChildren, tempDir } from "../crash/spawn.js";

const folder = tempDir("switchyard-open-");
afterAll(async () => {
  await stopChildren();
  folder.remove();
});

const PROCESSES = 8;
const ROUNDS = 20;

it("opening a new file while another process holds its write lock waits for it", async () => {
  const path = join(folder.path, "held.db");
  const holder = startChild("test/storage/hold-lock.ts", [path, 1500]);
  expect(await holder.ready).toBe(true);
  // SQLite answers "locked" at once here (it does not call its busy handler when switching a file
  // to WAL), so the open must wait itself, up to busyTimeoutMs.
  const store = new SqliteCheckpointer(path, { busyTimeoutMs: 20_000 });
  try {
    await store.acquireLease("t", "me");
    expect(await store.renewLease("t", "me")).toBe(true);
  } finally {
    store.close();
  }
  const held = await holder.exited;
  expect(held.code, describeExit(held)).toBe(0);
}, 60_000);

it(`${PROCESSES} processes x ${ROUNDS} rounds opening a new file at once: no failures`, async () => {
  // Room for every child to start (tsx) before the first round; rounds are spaced apart.
  const startAt = Date.now() + 4000;
  const children = Array.from({ length: PROCESSES }, () =>
    startChild("test/storage/open-child.ts", [folder.path, ROUNDS, startAt, 250]),
  );
  const results = await Promise.all(children.map((child) => child.exited));
  const lines = results.flatMap((result) =>
    result.stdout
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("{")),
  );
  const failures = lines.filter((line) => !line.includes('"ok":true'));
  expect(results.map((result) => result.code)).toEqual(Array(PROCESSES).fill(0));
  expect(failures).toEqual([]);
  expect(lines).toHaveLength(PROCESSES * ROUNDS);
}, 120_000);

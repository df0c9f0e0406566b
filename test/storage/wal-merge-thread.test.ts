// The WAL is merged on another thread (issue 17 item 3): SQLite's checkpoint, a copy and two
// fsyncs, no longer runs inside a COMMIT on the thread that runs the graph. Shown by blocking that
// thread: the WAL is still merged and truncated meanwhile. Also: short runs back to back keep the
// WAL bounded, close() leaves no WAL and no thread behind. File sizes and thread counts only; no
// timing assertions.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";
import { chain, sleep, thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-wal-thread-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
const MB = 1024 * 1024;
/** Threads of this process (Linux). */
const threads = () =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);

/** Blocks this thread (its event loop included) for `ms`. */
const blockThisThread = (ms: number) =>
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

it("the WAL is merged and truncated while the thread that committed is blocked", async () => {
  const path = join(folder, "blocked.db");
  const store = new SqliteCheckpointer(path);
  try {
    const compiled = chain(["a", "b", "c", "d"]).graph.compile({ checkpointer: store });
    for (let run = 0; run < 20; run += 1) await compiled.invoke({ log: [] }, thread(`t${run}`));
    // The merging thread starts after a few dozen commits; give it time to open the file.
    await sleep(300);
    for (let run = 20; run < 30; run += 1) await compiled.invoke({ log: [] }, thread(`t${run}`));
    const before = walSize(path);
    // Nothing on this thread can run now (no timer, no idle merge): only another thread can
    // merge the WAL.
    blockThisThread(3000);
    const during = walSize(path);
    expect({ before: before > 0, during }).toEqual({ before: true, during: 0 });
    const state = await compiled.getState(thread("t29"));
    expect(state.values).toEqual({ log: ["a", "b", "c", "d"] });
  } finally {
    store.close();
  }
});

it("short runs back to back keep the WAL under 6 MB (SQLite's own checkpoint let it reach 8 MB)", async () => {
  const path = join(folder, "short-runs.db");
  const store = new SqliteCheckpointer(path);
  let largest = 0;
  try {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const compiled = chain(names).graph.compile({ checkpointer: store });
    for (let run = 0; run < 1200; run += 1) {
      await compiled.invoke({ log: [] }, thread(`t${run}`));
      largest = Math.max(largest, walSize(path));
    }
    // The bound is 4 MB of frames, checked between writes, plus the frames' headers.
    expect(largest / MB, "largest WAL, MB").toBeLessThan(6);
    const state = await compiled.getState(thread("t1199"));
    expect(state.values).toEqual({ log: names });
  } finally {
    store.close();
  }
}, 180_000);

it("close() leaves no WAL and no thread behind, for many checkpointers in one process", async () => {
  const open = async (name: string) => {
    const path = join(folder, `${name}.db`);
    const store = new SqliteCheckpointer(path);
    const compiled = chain(["a", "b", "c"]).graph.compile({ checkpointer: store });
    // Enough commits to start the merging thread, and time for it to open the file.
    for (let run = 0; run < 15; run += 1) await compiled.invoke({ log: [] }, thread(`t${run}`));
    await sleep(100);
    await compiled.invoke({ log: [] }, thread("last"));
    return { path, store };
  };
  const warm = await open("warm");
  warm.store.close();
  await sleep(200);
  const baseline = threads();
  const stores = await Promise.all(Array.from({ length: 12 }, (_, i) => open(`many-${i}`)));
  const whileOpen = threads();
  for (const { store } of stores) store.close();
  const walsAfterClose = stores.map(({ path }) => walSize(path));
  // A closed thread is joined by Node shortly after it returns.
  for (let tries = 0; tries < 100 && threads() > baseline; tries += 1) await sleep(50);
  expect({
    threadsStarted: whileOpen > baseline,
    walsAfterClose,
    threadsAfterClose: threads(),
  }).toEqual({
    threadsStarted: true,
    walsAfterClose: stores.map(() => 0),
    threadsAfterClose: baseline,
  });
  const reopened = new SqliteCheckpointer(stores[0]!.path);
  try {
    const compiled = chain(["a", "b", "c"]).graph.compile({ checkpointer: reopened });
    expect((await compiled.getState(thread("last"))).values).toEqual({ log: ["a", "b", "c"] });
  } finally {
    reopened.close();
  }
}, 120_000);

// Issue 10 item 8 (the binding): a thread's graph binding is written with its first checkpoint, so
// a process killed during a thread's first run never leaves a thread with checkpoints but no graph
// (which show, continue and history could then never open).
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  MemoryCheckpointer,
  SqliteCheckpointer,
  type Checkpointer,
  type CompiledGraph,
} from "../../src/index.js";
import type { Log } from "../support.js";
import { chain, thread } from "../support.js";
import { readLog, startChild, stopChildren, tempDir, waitFor } from "../crash/spawn.js";
import { DyingCheckpointer } from "./dying.js";

const stores: Record<string, () => Checkpointer> = {
  memory: () => new MemoryCheckpointer(),
  sqlite: () => new SqliteCheckpointer(":memory:"),
};

const build = (checkpointer: Checkpointer): CompiledGraph<typeof Log> =>
  chain(["a", "b", "c"]).graph.compile({ checkpointer, name: "three-steps" });

describe.each(Object.keys(stores))("graph binding (%s)", (kind) => {
  const open = stores[kind] as () => Checkpointer;

  it("a first run killed after any write leaves the thread bound, or not there at all", async () => {
    const counting = new DyingCheckpointer(open(), Infinity);
    await build(counting).invoke({ log: "in" }, thread("t"));
    const expected = await counting.inner.getThread("t");
    expect(expected?.graph?.name).toBe("three-steps");

    const found: string[] = [];
    for (let dieAfter = 0; dieAfter <= counting.writes; dieAfter += 1) {
      const store = open();
      await build(new DyingCheckpointer(store, dieAfter))
        .invoke({ log: "in" }, thread("t"))
        .catch(() => undefined);
      const checkpoints = await build(store).getState(thread("t"));
      const info = await store.getThread("t");
      if (checkpoints.config.configurable.checkpoint_id !== undefined && !info?.graph) {
        found.push(`killed after write ${dieAfter} of ${counting.writes}: checkpoints, no graph`);
      }
      if (info?.graph) expect(info.graph).toEqual(expected?.graph);
    }
    expect(found).toEqual([]);
  });
});

describe("graph binding after a real kill", () => {
  const folder = tempDir("switchyard-binding-");
  afterAll(async () => {
    await stopChildren();
    folder.remove();
  });

  it("a process killed (SIGKILL) during a thread's first run leaves it bound to its graph", async () => {
    const dbPath = join(folder.path, "first.db");
    const logPath = join(folder.path, "first.log");
    const child = startChild("test/storage/first-run-child.ts", [dbPath, logPath, "t", "first"]);
    expect(await child.ready).toBe(true);
    // `slow` starts after the first superstep (prep) was committed.
    await waitFor(
      () => readLog(logPath).some((entry) => entry.key === "slow"),
      30_000,
      "the first run to reach its second node",
    );
    child.kill();
    await child.exited;

    const store = new SqliteCheckpointer(dbPath);
    try {
      const info = await store.getThread("t");
      expect((await store.getTuple("t"))?.checkpoint.step).toBeGreaterThanOrEqual(0);
      expect(info?.graph?.name).toBe("first-run");
    } finally {
      store.close();
    }
  }, 60_000);
});

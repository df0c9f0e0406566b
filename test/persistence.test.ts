// SQLite persistence in one process: threads pinned to their graph's structure, files that are not
// ours (refused, never modified), unknown ids, and a new checkpointer on the same file (what a new
// process does) resuming where the old one stopped.
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  END,
  GraphVersionMismatchError,
  SqliteCheckpointer,
  START,
  StateGraph,
  type SqliteCheckpointerOptions,
  type ThreadMigration,
} from "../src/index.js";
import { appendLoop, checkpointIds, itemsUpTo, longRun, rejection } from "./checkpoint/graphs.js";
import { chain, collect, Log, sleep, thread } from "./support.js";

let folder: string;
let opened: SqliteCheckpointer[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "switchyard-persistence-"));
});
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
  rmSync(folder, { recursive: true, force: true });
});

const dbPath = () => join(folder, "switchyard.db");

function openStore(path = dbPath(), options?: SqliteCheckpointerOptions): SqliteCheckpointer {
  const store = new SqliteCheckpointer(path, options);
  opened.push(store);
  return store;
}

/** Opening `path` must fail; returns the error. */
function openFails(path: string): Error & { code?: string } {
  try {
    openStore(path);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`expected opening ${path} to be refused`);
}

describe("threads are pinned to the graph they started on", () => {
  /** Graph A: START -> a -> END. Graph B adds a node: START -> a -> b -> END. */
  const graphA = (store: SqliteCheckpointer) =>
    chain(["a"]).graph.compile({ checkpointer: store, name: "flow" });
  const graphB = (store: SqliteCheckpointer, migrations: Record<string, ThreadMigration> = {}) =>
    chain(["a", "b"]).graph.compile({ checkpointer: store, name: "flow", migrations });

  async function startOnA(store: SqliteCheckpointer): Promise<string> {
    await graphA(store).invoke({ log: "in" }, thread("t"));
    return (await store.getThread("t"))?.graph?.version as string;
  }

  it("refuses a structurally different graph with GRAPH_VERSION_MISMATCH naming both versions", async () => {
    const store = openStore();
    const versionA = await startOnA(store);
    const graph = graphB(store);
    const error = await rejection(() => graph.invoke({ log: "more" }, thread("t")));
    expect(error).toBeInstanceOf(GraphVersionMismatchError);
    const mismatch = error as GraphVersionMismatchError;
    expect(mismatch.code).toBe("GRAPH_VERSION_MISMATCH");
    expect(mismatch.threadId).toBe("t");
    expect(mismatch.stored).toEqual({ name: "flow", version: versionA });
    expect(mismatch.current.name).toBe("flow");
    expect(mismatch.current.version).not.toBe(versionA);
    expect(mismatch.message).toContain(versionA);
    expect(mismatch.message).toContain(mismatch.current.version);

    await expect(graph.invoke(null, thread("t"))).rejects.toBeInstanceOf(GraphVersionMismatchError);
    await expect(graph.updateState(thread("t"), { log: "x" }, "a")).rejects.toMatchObject({
      code: "GRAPH_VERSION_MISMATCH",
    });
    expect(await checkpointIds(store, "t")).toHaveLength(2);
    expect((await store.getThread("t"))?.graph?.version).toBe(versionA);
  });

  it("continues with { allowGraphChange: true }, and the thread is then pinned to the new graph", async () => {
    const store = openStore();
    const versionA = await startOnA(store);
    const graph = graphB(store);
    const forced = await graph.invoke({ log: "more" }, { ...thread("t"), allowGraphChange: true });
    expect(forced.log).toEqual(["in", "a", "more", "a", "b"]);
    const versionB = (await store.getThread("t"))?.graph?.version;
    expect(versionB).not.toBe(versionA);

    expect((await graph.invoke({ log: "again" }, thread("t"))).log).toHaveLength(8);
    const back = (await rejection(() =>
      graphA(store).invoke({ log: "old" }, thread("t")),
    )) as GraphVersionMismatchError;
    expect(back.code).toBe("GRAPH_VERSION_MISMATCH");
    expect([back.stored.version, back.current.version]).toEqual([versionB, versionA]);
  });

  it("migrates a thread with a registered migration: state transformed, migratedFrom recorded", async () => {
    const store = openStore();
    const pinned = await startOnA(store);
    const mismatch = (await rejection(() =>
      graphB(store).invoke(null, thread("t")),
    )) as GraphVersionMismatchError;
    const versionA = mismatch.stored.version;
    expect(versionA).toBe(pinned);
    const received: unknown[] = [];
    const graph = graphB(store, {
      [versionA]: (state) => {
        received.push(state);
        return { values: { log: [...(state.values.log as string[]), "migrated"] }, next: ["b"] };
      },
    });

    expect((await graph.invoke(null, thread("t"))).log).toEqual(["in", "a", "migrated", "b"]);
    expect(received).toEqual([{ values: { log: ["in", "a"] }, next: [] }]);
    const history = await collect(graph.getStateHistory(thread("t")));
    const migrated = history.find((snapshot) => snapshot.metadata?.migratedFrom === versionA);
    expect(migrated?.metadata?.source).toBe("update");
    expect(migrated?.values.log).toEqual(["in", "a", "migrated"]);
    expect(migrated?.next).toEqual(["b"]);
    expect((await store.getThread("t"))?.graph?.version).toBe(mismatch.current.version);

    // Migrated once: the next run is on the new version and does not migrate again.
    expect((await graph.invoke({ log: "next" }, thread("t"))).log).toHaveLength(7);
    expect(received).toHaveLength(1);
  });

  it("keeps the version when only a node's function body changes", async () => {
    const store = openStore();
    const versionA = await startOnA(store);
    const edited = new StateGraph(Log)
      .addNode("a", () => ({ log: "a, edited" }))
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile({ checkpointer: store, name: "flow" });
    expect((await edited.invoke({ log: "again" }, thread("t"))).log).toEqual([
      ...["in", "a"],
      ...["again", "a, edited"],
    ]);
    expect((await store.getThread("t"))?.graph?.version).toBe(versionA);
  });
});

describe("bad files and unknown ids", () => {
  it("DATABASE_UNAVAILABLE for a path whose folder cannot be created", () => {
    const plain = join(folder, "plain-file");
    writeFileSync(plain, "not a folder");
    const path = join(plain, "sub", "switchyard.db");
    const error = openFails(path);
    expect(error).toMatchObject({ code: "DATABASE_UNAVAILABLE", path });
    expect(error.message).toContain(path);
  });

  it("NOT_A_SWITCHYARD_DATABASE for a file of random bytes, left unchanged", () => {
    const path = dbPath();
    const bytes = randomBytes(8192);
    writeFileSync(path, bytes);
    expect(openFails(path)).toMatchObject({ code: "NOT_A_SWITCHYARD_DATABASE", path });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("NOT_A_SWITCHYARD_DATABASE for someone else's SQLite file, left unchanged", () => {
    const path = dbPath();
    const other = new Database(path);
    other.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
                INSERT INTO customers (name) VALUES ('ada');`);
    other.close();
    const bytes = readFileSync(path);
    expect(openFails(path)).toMatchObject({ code: "NOT_A_SWITCHYARD_DATABASE", path });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare("SELECT name FROM customers").all()).toEqual([{ name: "ada" }]);
    reopened.close();
  });

  it("DATABASE_TOO_NEW for a Switchyard file from a newer schema, left unchanged", async () => {
    const path = dbPath();
    const store = openStore(path);
    await chain(["a"]).graph.compile({ checkpointer: store }).invoke({ log: "in" }, thread("t"));
    store.close();
    const raw = new Database(path);
    const current = raw.pragma("user_version", { simple: true }) as number;
    raw.pragma(`user_version = ${current + 1}`);
    raw.close();
    const bytes = readFileSync(path);
    expect(openFails(path)).toMatchObject({
      code: "DATABASE_TOO_NEW",
      fileVersion: current + 1,
      supportedVersion: current,
    });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("CHECKPOINT_NOT_FOUND for an unknown checkpoint_id", async () => {
    const store = openStore();
    const compiled = chain(["a"]).graph.compile({ checkpointer: store });
    await compiled.invoke({ log: "in" }, thread("t"));
    const unknown = thread("t", "no-such-checkpoint");
    const expected = {
      code: "CHECKPOINT_NOT_FOUND",
      threadId: "t",
      checkpointId: "no-such-checkpoint",
    };
    await expect(compiled.getState(unknown)).rejects.toMatchObject(expected);
    await expect(compiled.invoke(null, unknown)).rejects.toMatchObject(expected);
    await expect(compiled.updateState(unknown, { log: "x" }, "a")).rejects.toMatchObject(expected);
    await expect(compiled.copyThread(unknown, "copy")).rejects.toMatchObject(expected);
    expect(await checkpointIds(store, "t")).toHaveLength(2);
  });

  it("THREAD_NOT_FOUND for an unknown thread", async () => {
    const store = openStore();
    const compiled = chain(["a"]).graph.compile({ checkpointer: store });
    const expected = { code: "THREAD_NOT_FOUND", threadId: "nope" };
    await expect(store.deleteThread("nope")).rejects.toMatchObject(expected);
    await expect(store.copyThread("nope", "copy")).rejects.toMatchObject(expected);
    await expect(store.pruneThread("nope", { keepLast: 1 })).rejects.toMatchObject(expected);
    await expect(compiled.copyThread(thread("nope"), "copy")).rejects.toMatchObject(expected);
    expect(await store.getThread("copy")).toBeUndefined();
  });
});

describe("a new checkpointer on the same file resumes the thread", () => {
  it("continues a run paused at a breakpoint", async () => {
    const { graph, calls } = chain(["a", "b", "c"]);
    const first = openStore();
    await graph
      .compile({ checkpointer: first, interruptBefore: ["b"] })
      .invoke({ log: "in" }, thread("t"));
    first.close();

    const resumed = graph.compile({ checkpointer: openStore(), interruptBefore: ["b"] });
    expect((await resumed.getState(thread("t"))).next).toEqual(["b"]);
    expect(await resumed.invoke(null, thread("t"))).toEqual({ log: ["in", "a", "b", "c"] });
    expect(calls).toEqual({ a: 1, b: 1, c: 1 });
    expect(await collect(resumed.getStateHistory(thread("t")))).toHaveLength(4);
  });

  it("continues a delta chain the other instance wrote, every checkpoint reading back exactly", async () => {
    const bytes = 300;
    const half = appendLoop(100, bytes).graph;
    const first = openStore();
    await half.compile({ checkpointer: first }).invoke({ items: [] }, longRun("t"));
    first.close();

    const compiled = appendLoop(200, bytes).graph.compile({ checkpointer: openStore() });
    expect((await compiled.invoke(null, longRun("t"))).items).toEqual(itemsUpTo(100, bytes));
    // A finished thread continues with new input; the loop runs on to 200 items.
    expect((await compiled.invoke({ items: [] }, longRun("t"))).items).toEqual(
      itemsUpTo(200, bytes),
    );
    const history = await collect(compiled.getStateHistory(thread("t")));
    const lengths = history.map((snapshot) => snapshot.values.items.length);
    for (const [index, snapshot] of history.entries()) {
      expect(snapshot.values.items).toEqual(itemsUpTo(lengths[index] as number, bytes));
    }
    expect(lengths.slice(0, 3)).toEqual([200, 199, 198]);
  });

  it("resumes after a failed parallel step without re-running the sibling that finished", async () => {
    const calls = { fast: 0, flaky: 0, join: 0 };
    let flakyFails = true;
    let store = openStore();
    const graph = new StateGraph(Log)
      .addNode("fast", () => {
        calls.fast += 1;
        return { log: "fast" };
      })
      .addNode("flaky", async () => {
        calls.flaky += 1;
        // Fail only once fast's writes are stored, so the failure cannot abort fast.
        while (!(await store.getTuple("t"))?.pendingWrites.length) await sleep(1);
        if (flakyFails) throw new Error("flaky is down");
        return { log: "flaky" };
      })
      .addNode("join", () => {
        calls.join += 1;
        return { log: "join" };
      })
      .addEdge(START, "fast")
      .addEdge(START, "flaky")
      .addEdge(["fast", "flaky"], "join")
      .addEdge("join", END);
    await expect(
      graph.compile({ checkpointer: store }).invoke({ log: "in" }, thread("t")),
    ).rejects.toMatchObject({ code: "NODE_FAILED", node: "flaky" });
    store.close();

    store = openStore();
    const resumed = graph.compile({ checkpointer: store });
    const state = await resumed.getState(thread("t"));
    expect(state.next).toEqual(["flaky"]);
    expect(state.values.log).toEqual(["in", "fast"]);
    const byName = Object.fromEntries(state.tasks.map((task) => [task.name, task]));
    expect(byName.fast?.result).toEqual({ log: "fast" });
    expect(byName.flaky?.error).toMatchObject({ code: "NODE_FAILED" });

    flakyFails = false;
    expect((await resumed.invoke(null, thread("t"))).log).toEqual(["in", "fast", "flaky", "join"]);
    expect(calls).toEqual({ fast: 1, flaky: 2, join: 1 });
  });
});

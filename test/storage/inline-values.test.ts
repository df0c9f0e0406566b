// Small values live in the checkpoint row (issue 17, schema 5): a superstep that changes only
// small values writes its checkpoint row and nothing else, and every way a checkpoint is read
// back (latest state, history, a fresh process, pruning, copies, a value outgrowing the limit)
// sees the same values as before.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { append, END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-inline-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(folder, `inline-${(files += 1)}.db`);

const State = z.object({
  count: reducer(
    z.number(),
    (a: number, b: number) => a + b,
    () => 0,
  ),
  status: z.string(),
  words: append(z.string()),
});

/** START -> step0 … step{n-1} -> END: each adds 1 to `count`, sets `status`, appends a word. */
function chainGraph(checkpointer: SqliteCheckpointer, length: number, word = "w") {
  const graph = new StateGraph(State);
  const names = Array.from({ length }, (_, i) => `step${i}`);
  names.forEach((name, i) =>
    graph.addNode(name, () => ({ count: 1, status: `at ${i}`, words: `${word}${i}` })),
  );
  const path = [START, ...names, END];
  for (let i = 1; i < path.length; i += 1) graph.addEdge(path[i - 1] as string, path[i] as string);
  return graph.compile({ checkpointer, name: "inline" });
}

function versionRows(path: string): Array<{ thread_id: string; channel: string }> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT thread_id, channel FROM channel_versions").all() as Array<{
      thread_id: string;
      channel: string;
    }>;
  } finally {
    db.close();
  }
}

const expected = (steps: number, word = "w") => ({
  count: steps,
  status: steps === 0 ? "" : `at ${steps - 1}`,
  words: Array.from({ length: steps }, (_, i) => `${word}${i}`),
});

describe("small values in the checkpoint row", () => {
  it("a chain of small values writes no version rows, and reads back the same state everywhere", async () => {
    const path = newFile();
    const store = new SqliteCheckpointer(path);
    const graph = chainGraph(store, 3);
    const final = await graph.invoke({ count: 0, status: "" }, thread("small"));
    expect(final).toEqual(expected(3));
    expect(versionRows(path)).toEqual([]);

    const history = [];
    for await (const snapshot of graph.getStateHistory(thread("small"))) history.push(snapshot);
    // Newest first: after step2, step1, step0, and the input.
    expect(history.map((s) => s.values.count)).toEqual([3, 2, 1, 0]);
    expect(history.map((s) => s.values.words)).toEqual([
      ["w0", "w1", "w2"],
      ["w0", "w1"],
      ["w0"],
      [],
    ]);
    store.close();

    // Another process: nothing remembered, every value read from the rows.
    const again = new SqliteCheckpointer(path);
    const state = await chainGraph(again, 3).getState(thread("small"));
    expect(state.values).toEqual(expected(3));
    again.close();
  });

  it("a value that outgrows the row moves to a version row, then chains as before", async () => {
    const path = newFile();
    const store = new SqliteCheckpointer(path);
    // Ten-character words: the list passes the inline limit after a few steps.
    const word = "abcdefghi-";
    const graph = chainGraph(store, 12, word);
    const final = await graph.invoke({ count: 0, status: "" }, thread("grows"));
    expect(final).toEqual(expected(12, word));
    const rows = versionRows(path);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.channel))).toEqual(new Set(["words"]));

    const history = [];
    for await (const snapshot of graph.getStateHistory(thread("grows"))) history.push(snapshot);
    const counts = history.map((s) => s.values.count);
    expect(counts.slice(0, 13)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    for (const snapshot of history.slice(0, 12)) {
      expect(snapshot.values).toEqual(expected(snapshot.values.count, word));
    }
    store.close();
  });

  it("a run continued by another process extends the values its parent holds in the row", async () => {
    const path = newFile();
    const first = new SqliteCheckpointer(path);
    await chainGraph(first, 2).invoke({ count: 0, status: "" }, thread("continued"));
    first.close();
    const second = new SqliteCheckpointer(path);
    const graph = chainGraph(second, 2);
    // New input on the same thread: the count goes on from 2 (a reducer), the words too.
    const final = await graph.invoke({ count: 5, status: "again" }, thread("continued"));
    expect(final.count).toBe(2 + 5 + 2);
    expect(final.words).toEqual(["w0", "w1", "w0", "w1"]);
    second.close();
    const third = new SqliteCheckpointer(path);
    expect((await chainGraph(third, 2).getState(thread("continued"))).values).toEqual(final);
    third.close();
  });

  it("pruning keeps every value a kept checkpoint carries, even one set long before", async () => {
    const path = newFile();
    const store = new SqliteCheckpointer(path);
    const graph = chainGraph(store, 6);
    await graph.invoke({ count: 0, status: "" }, thread("pruned"));
    const removed = await store.pruneThread("pruned", { keepLast: 1 });
    expect(removed).toBeGreaterThan(0);
    store.close();
    const again = new SqliteCheckpointer(path);
    expect((await chainGraph(again, 6).getState(thread("pruned"))).values).toEqual(expected(6));
    again.close();
  });

  it("a copy of a thread, and a fork from an old checkpoint, carry the values", async () => {
    const path = newFile();
    const store = new SqliteCheckpointer(path);
    const graph = chainGraph(store, 4);
    await graph.invoke({ count: 0, status: "" }, thread("source"));
    const history = [];
    for await (const snapshot of graph.getStateHistory(thread("source"))) history.push(snapshot);
    const afterTwo = history.find((s) => s.values.count === 2);
    const checkpointId = afterTwo?.config.configurable?.checkpoint_id as string;
    expect(checkpointId).toBeTruthy();

    await store.copyThread("source", "copy");
    expect((await graph.getState(thread("copy"))).values).toEqual(expected(4));
    await store.copyThread("source", "copy-at-two", checkpointId);
    expect((await graph.getState(thread("copy-at-two"))).values).toEqual(expected(2));

    // Forking: the old checkpoint's values, then the rest of the chain on top of them.
    const forked = await graph.invoke(null, thread("source", checkpointId));
    expect(forked).toEqual(expected(4));
    store.close();
  });

  it("a checkpoint row holds at most 1,024 characters of small values; the rest get rows", async () => {
    const path = newFile();
    const store = new SqliteCheckpointer(path);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const Wide = z.object(Object.fromEntries(keys.map((key) => [key, z.string()])));
    const value = (key: string, round: number) => `${key}-round-${round}`.padEnd(30, ".");
    const graph = new StateGraph(Wide)
      .addNode("all", () => Object.fromEntries(keys.map((key) => [key, value(key, 1)])))
      .addNode("one", () => ({ k7: value("k7", 2) }))
      .addEdge(START, "all")
      .addEdge("all", "one")
      .addEdge("one", END)
      .compile({ checkpointer: store, name: "wide" });
    const final = await graph.invoke(
      Object.fromEntries(keys.map((key) => [key, value(key, 0)])),
      thread("wide"),
    );
    expect(final).toEqual({
      ...Object.fromEntries(keys.map((key) => [key, value(key, 1)])),
      k7: value("k7", 2),
    });
    store.close();

    const db = new Database(path, { readonly: true });
    const bodies = db
      .prepare("SELECT json_extract(body, '$.i') AS i FROM checkpoints WHERE thread_id = 'wide'")
      .all() as Array<{ i: string | null }>;
    db.close();
    const sizes = bodies.map(({ i }) =>
      Object.values(JSON.parse(i ?? "{}") as Record<string, string>).reduce(
        (sum, data) => sum + data.length,
        0,
      ),
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024);
    expect(Math.max(...sizes)).toBeGreaterThan(900);
    expect(versionRows(path).length).toBeGreaterThan(0);

    const again = new SqliteCheckpointer(path);
    const reread = new StateGraph(Wide).addNode("x", () => ({})).addEdge(START, "x");
    const values = (await reread.compile({ checkpointer: again }).getState(thread("wide"))).values;
    expect(values).toEqual(final);
    again.close();
  });
});

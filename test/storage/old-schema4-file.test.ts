// A file written before schema 5 (schema version 4, made by main at 0fa2578 and kept as an SQL
// dump) keeps what its rewritten tables held: the interrupts still waiting (pending writes), the
// audit log in its order (new entries after the old ones), and it takes new steps.
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  END,
  interrupt,
  reducer,
  SqliteCheckpointer,
  START,
  StateGraph,
} from "../../src/index.js";
import { thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-old-v4-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const State = z.object({
  log: append(z.string()),
  count: reducer(
    z.number(),
    (a: number, b: number) => a + b,
    () => 0,
  ),
});
const approvals = (checkpointer: SqliteCheckpointer) =>
  new StateGraph(State)
    .addNode("first", () => ({ log: interrupt<string>("first?"), count: 1 }))
    .addNode("second", () => ({ log: interrupt<string>("second?"), count: 1 }))
    .addEdge(START, "first")
    .addEdge(START, "second")
    .addEdge("first", END)
    .addEdge("second", END)
    .compile({ checkpointer, name: "approvals" });

function oldFile(): string {
  const path = join(folder, "v4.db");
  const db = new Database(path);
  db.exec(readFileSync(new URL("../fixtures/schema-v4.sql", import.meta.url), "utf8"));
  db.close();
  return path;
}

it("a version-4 file keeps its waiting interrupts and its audit log, and goes on", async () => {
  const path = oldFile();
  const store = new SqliteCheckpointer(path);
  try {
    const graph = approvals(store);
    const answeredLog = await store.getAuditLog("answered");
    expect(answeredLog.map((entry) => [entry.kind, entry.value])).toEqual([
      ["resume", "ok 4177"],
      ["resume", "ok d04f"],
    ]);
    expect((await graph.getState(thread("answered"))).values).toEqual({
      log: ["start", "ok 4177", "ok d04f"],
      count: 2,
    });

    const waiting = await graph.getState(thread("waiting"));
    const questions = waiting.tasks.flatMap((task) => task.interrupts.map((i) => i.value));
    expect(questions.sort()).toEqual(["first?", "second?"]);
    const ids = waiting.tasks.flatMap((task) => task.interrupts.map((i) => i.id));
    const answers = Object.fromEntries(ids.map((id, index) => [id, `answer ${index}`]));
    const final = await graph.invoke(new Command({ resume: answers }), thread("waiting"));
    expect(final.count).toBe(2);
    expect([...final.log].sort()).toEqual(["answer 0", "answer 1", "start"]);
  } finally {
    store.close();
  }
  const db = new Database(path, { readonly: true });
  try {
    expect(db.pragma("user_version", { simple: true })).toBe(5);
    // The old entries keep their sequence numbers; the new ones follow them.
    const rows = db.prepare("SELECT seq, thread_id FROM audit ORDER BY seq").all();
    expect(rows).toEqual([
      { seq: 1, thread_id: "answered" },
      { seq: 2, thread_id: "answered" },
      { seq: 3, thread_id: "waiting" },
      { seq: 4, thread_id: "waiting" },
    ]);
  } finally {
    db.close();
  }
});

// A file written before issue 16's usage sums (schema version 3, made by main at b9b98e6 and kept
// as an SQL dump) opens with its usage summed from the checkpoints it holds — the subgraph's
// included — and new commits add to those sums.
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  SqliteCheckpointer,
  START,
  StateGraph,
  type NodeContext,
} from "../../src/index.js";
import { thread } from "../support.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-old-usage-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function oldFile(): string {
  const path = join(folder, "v3.db");
  const db = new Database(path);
  db.exec(readFileSync(new URL("../fixtures/schema-v3.sql", import.meta.url), "utf8"));
  expect(db.pragma("user_version", { simple: true })).toBe(3);
  db.close();
  return path;
}

const tokens = (input: number, output: number, cost: number) => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
  cost,
});

it("a version-3 file gets its usage sums from its checkpoints, and new runs add to them", async () => {
  const path = oldFile();
  const store = new SqliteCheckpointer(path);
  try {
    // Per million tokens: input 1, output 4.
    const usage = await store.getUsage("t1");
    expect(usage.nodes.a?.total_tokens).toBe(240);
    expect(usage.nodes.b?.total_tokens).toBe(84);
    expect(usage.nodes["research|draft"]?.total_tokens).toBe(20);
    expect(usage.total.total_tokens).toBe(344);
    expect(usage.total.cost).toBeCloseTo((294 * 1 + 50 * 4) / 1e6, 12);
    // The run id of the second run, on its own checkpoints (that version did not pass it on to the
    // subgraph's).
    expect((await store.getUsage("t1", { runId: "run-2" })).total).toMatchObject({
      input_tokens: 140,
      output_tokens: 22,
    });
    expect((await store.getUsage("t2")).total.total_tokens).toBe(172);

    const graph = new StateGraph(z.object({ log: append(z.string()) }))
      .addNode("a", (_state: unknown, ctx: NodeContext) => {
        ctx.reportUsage({ input_tokens: 1, output_tokens: 1, total_tokens: 2 });
        return { log: "again" };
      })
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile({ checkpointer: store });
    await graph.invoke({ log: [] }, { ...thread("t1"), allowGraphChange: true });
    expect((await graph.getUsage("t1")).total.total_tokens).toBe(346);
  } finally {
    store.close();
  }
  const reopened = new SqliteCheckpointer(path);
  try {
    expect((await reopened.getUsage("t1")).nodes.a).toMatchObject(tokens(201, 41, 360e-6));
  } finally {
    reopened.close();
  }
});

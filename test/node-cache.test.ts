// The node cache beyond what LangGraph shares (test/conformance/scenarios-cache.ts): every cache
// passes one suite (Send tasks, clearCache, failures, usage, expiry); the SQLite one survives its
// process, the Postgres one is shared by processes and added to an older schema by a migration.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  MemoryCache,
  MemoryCheckpointer,
  PostgresCache,
  PostgresCheckpointer,
  Send,
  SqliteCache,
  SqliteCheckpointer,
  START,
  StateGraph,
  type NodeCache,
} from "../src/index.js";

import { createTestDatabase, type TestDatabase } from "./support/postgres.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-cache-"));
let database: TestDatabase;
const opened: PostgresCache[] = [];
beforeAll(async () => {
  database = await createTestDatabase("cache");
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(opened.map((cache) => cache.close()));
  await database.drop();
}, 60_000);
let files = 0;
let schemas = 0;

function sqliteCache(): { cache: SqliteCache; path: string } {
  files += 1;
  const path = join(dir, `cache-${files}.db`);
  new SqliteCheckpointer(path); // creates the Switchyard file the cache adds its table to
  return { cache: new SqliteCache(path), path };
}

/** A cache in a schema of its own of the test database (`schema`: share one). */
function postgresCache(schema = `cache_${(schemas += 1)}`): PostgresCache {
  const cache = new PostgresCache(database.url, { schema });
  opened.push(cache);
  return cache;
}

const CACHES: ReadonlyArray<readonly [string, () => NodeCache]> = [
  ["MemoryCache", () => new MemoryCache()],
  ["SqliteCache", () => sqliteCache().cache],
  ["PostgresCache", () => postgresCache()],
];

const State = z.object({ items: z.array(z.number()), out: append(z.string()) });

/** START -> fan (Send per item) -> work (cached) -> END; counts work's calls per item. */
function fanOut(cache: NodeCache, calls: Map<number, number>, fail = new Set<number>()) {
  return new StateGraph(State)
    .addNode(
      "work",
      (item: number, ctx) => {
        calls.set(item, (calls.get(item) ?? 0) + 1);
        if (fail.has(item)) throw new Error(`item ${item} failed`);
        ctx.reportUsage({ input_tokens: 10, output_tokens: 1, total_tokens: 11 });
        return { out: `done ${item}` };
      },
      { cachePolicy: {} },
    )
    .addConditionalEdges(START, (state) => state.items.map((item) => new Send("work", item)))
    .addEdge("work", END)
    .compile({ cache, checkpointer: new MemoryCheckpointer(), name: "fan" });
}

describe.each(CACHES)("%s", (_, makeCache) => {
  it("serves each Send argument seen before from the cache and runs the new ones", async () => {
    const calls = new Map<number, number>();
    const graph = fanOut(makeCache(), calls);
    await graph.invoke({ items: [1, 2] }, { configurable: { thread_id: "a" } });
    const second = await graph.invoke({ items: [2, 3] }, { configurable: { thread_id: "b" } });
    expect(second.out).toEqual(["done 2", "done 3"]);
    expect(Object.fromEntries(calls)).toEqual({ 1: 1, 2: 1, 3: 1 });
  });

  it("does not cache a failed task, and counts no tokens for a cached one", async () => {
    const calls = new Map<number, number>();
    const cache = makeCache();
    const failing = fanOut(cache, calls, new Set([9]));
    await expect(
      failing.invoke({ items: [9] }, { configurable: { thread_id: "f" } }),
    ).rejects.toThrow(/item 9 failed/);
    const graph = fanOut(cache, calls);
    await graph.invoke({ items: [9] }, { configurable: { thread_id: "g1" } });
    await graph.invoke({ items: [9] }, { configurable: { thread_id: "g2" } });
    expect(calls.get(9)).toBe(2);
    expect((await graph.getUsage("g1")).total.input_tokens).toBe(10);
    expect((await graph.getUsage("g2")).total.input_tokens).toBe(0);
  });

  it("clearCache() makes the graph's cached nodes run again", async () => {
    const calls = new Map<number, number>();
    const graph = fanOut(makeCache(), calls);
    await graph.invoke({ items: [4] }, { configurable: { thread_id: "c1" } });
    await graph.clearCache();
    await graph.invoke({ items: [4] }, { configurable: { thread_id: "c2" } });
    expect(calls.get(4)).toBe(2);
  });

  it("streams a cached task's start in debug but no task_result, as LangGraph", async () => {
    const graph = fanOut(makeCache(), new Map());
    await graph.invoke({ items: [5] }, { configurable: { thread_id: "d1" } });
    const events: Array<[string, unknown]> = [];
    for await (const event of graph.stream(
      { items: [5] },
      { configurable: { thread_id: "d2" }, streamMode: "debug" },
    )) {
      const { type, payload } = event as { type: string; payload: { name?: string } };
      events.push([type, payload.name]);
    }
    expect(events.filter(([type]) => type !== "checkpoint")).toEqual([["task", "work"]]);
  });

  it("serves an entry until its ttl runs out, one without ttl forever, and copies of values", async () => {
    const cache = makeCache();
    const value = { items: [1, 2] };
    await cache.set([
      { namespace: ["work"], key: "gone", value, ttl: 0 },
      { namespace: ["work"], key: "kept", value },
      { namespace: ["work"], key: "hour", value: "h", ttl: 3600 },
    ]);
    value.items.push(3);
    const keys = ["gone", "kept", "hour", "never"].map((key) => ({ namespace: ["work"], key }));
    const found = await cache.get(keys);
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { namespace: ["work"], key: "hour", value: "h" },
      { namespace: ["work"], key: "kept", value: { items: [1, 2] } },
    ]);
    await cache.clear([["other"]]);
    expect(await cache.get(keys)).toHaveLength(2);
    await cache.clear([["work"]]);
    expect(await cache.get(keys)).toEqual([]);
  });
});

describe("PostgresCache", () => {
  it("is shared by every process on the database: one's results serve the other", async () => {
    const calls = new Map<number, number>();
    const schema = `shared_${(schemas += 1)}`;
    await fanOut(postgresCache(schema), calls).invoke(
      { items: [6] },
      { configurable: { thread_id: "s1" } },
    );
    const result = await fanOut(postgresCache(schema), calls).invoke(
      { items: [6] },
      { configurable: { thread_id: "s2" } },
    );
    expect(result.out).toEqual(["done 6"]);
    expect(calls.get(6)).toBe(1);
  });

  it("adds its table to a schema an older Switchyard made (version 1), keeping the checkpoints", async () => {
    const schema = `older_${(schemas += 1)}`;
    const checkpointer = new PostgresCheckpointer(database.url, { schema });
    const config = { configurable: { thread_id: "c" } };
    await checkpointer.setThreadGraph("m", { name: "fan", version: "1" });
    await checkpointer.close();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // What a schema of version 1 looked like: no node_cache table (nor version 3's usage sums).
      await admin.query(`DROP TABLE ${schema}.node_cache`);
      await admin.query(`DROP TABLE ${schema}.usage_totals`);
      await admin.query(`UPDATE ${schema}.schema_version SET version = 1`);
      const calls = new Map<number, number>();
      await fanOut(postgresCache(schema), calls).invoke({ items: [7] }, config);
      await fanOut(postgresCache(schema), calls).invoke({ items: [7] }, config);
      expect(calls.get(7)).toBe(1);
      const after = await admin.query(
        `SELECT (SELECT version FROM ${schema}.schema_version) AS version,
                (SELECT count(*)::int FROM ${schema}.threads WHERE thread_id = 'm') AS threads`,
      );
      expect(after.rows[0]).toEqual({ version: 3, threads: 1 });
    } finally {
      await admin.end();
    }
  }, 60_000);
});

describe("SqliteCache", () => {
  it("keeps cached results in the database file across connections", async () => {
    const { cache, path } = sqliteCache();
    const calls = new Map<number, number>();
    await fanOut(cache, calls).invoke({ items: [8] }, { configurable: { thread_id: "p1" } });
    cache.close();
    const reopened = new SqliteCache(path);
    const result = await fanOut(reopened, calls).invoke(
      { items: [8] },
      { configurable: { thread_id: "p2" } },
    );
    expect(result.out).toEqual(["done 8"]);
    expect(calls.get(8)).toBe(1);
    reopened.close();
  });

  it("refuses a file that is not a Switchyard database", () => {
    expect(() => new SqliteCache(join(dir, "missing.db"))).toThrow(/DATABASE_UNAVAILABLE|open/i);
  });
});

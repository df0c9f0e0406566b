// The RunStore contract (the server's run and thread records), for every implementation.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  DatabaseTooNewError,
  MemoryRunStore,
  PostgresRunStore,
  RUN_TASK,
  RunInProgressError,
  SqliteCheckpointer,
  SqliteRunStore,
  type RunRecord,
  type RunStore,
} from "../../src/index.js";

import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

const dirs: string[] = [];
const databases: TestDatabase[] = [];
const opened: PostgresRunStore[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const store of opened.splice(0)) await store.close();
});
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

/** A PostgresRunStore on a database of its own (each case starts from empty tables). */
async function postgresStore(): Promise<PostgresRunStore> {
  const database = await createTestDatabase("runs");
  databases.push(database);
  const store = new PostgresRunStore(database.url);
  opened.push(store);
  return store;
}

function sqlitePath(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-runs-"));
  dirs.push(dir);
  const path = join(dir, "switchyard.db");
  new SqliteCheckpointer(path).close();
  return path;
}

const IMPLEMENTATIONS: Array<{ name: string; open: () => RunStore | Promise<RunStore> }> = [
  { name: "MemoryRunStore", open: () => new MemoryRunStore() },
  { name: "SqliteRunStore", open: () => new SqliteRunStore(sqlitePath()) },
  { name: "PostgresRunStore", open: postgresStore },
];

function run(
  runId: string,
  threadId: string,
  createdAt: string,
  status: RunRecord["status"] = "pending",
): RunRecord {
  return {
    runId,
    threadId,
    assistantId: "graph",
    status,
    metadata: { by: "test" },
    multitaskStrategy: "reject",
    kwargs: { input: { n: 1 } },
    createdAt,
    updatedAt: createdAt,
  };
}

for (const { name, open } of IMPLEMENTATIONS) {
  describe(name, () => {
    it("keeps runs per thread, newest first, filtered and paged", async () => {
      const store = await open();
      await store.putRun(run("r1", "t", "2026-01-01T00:00:01.000Z"));
      await store.putRun(run("r2", "t", "2026-01-01T00:00:02.000Z", "success"));
      await store.putRun(run("r3", "t", "2026-01-01T00:00:03.000Z"));
      await store.putRun(run("x1", "other", "2026-01-01T00:00:04.000Z"));
      expect((await store.listRuns("t")).map((r) => r.runId)).toEqual(["r3", "r2", "r1"]);
      expect((await store.listRuns("t", { limit: 1, offset: 1 })).map((r) => r.runId)).toEqual([
        "r2",
      ]);
      expect((await store.listRuns("t", { status: "success" })).map((r) => r.runId)).toEqual([
        "r2",
      ]);
      expect(await store.getRun("t", "r1")).toEqual(run("r1", "t", "2026-01-01T00:00:01.000Z"));
      expect(await store.getRun("other", "r1")).toBeUndefined();

      expect(await store.setRunStatus("r1", "running", "2026-01-01T00:01:00.000Z")).toBe(true);
      expect(await store.setRunStatus("nope", "running", "2026-01-01T00:01:00.000Z")).toBe(false);
      expect(await store.getRun("t", "r1")).toMatchObject({
        status: "running",
        updatedAt: "2026-01-01T00:01:00.000Z",
      });
      expect(await store.deleteRun("other", "r1")).toBe(false);
      expect(await store.deleteRun("t", "r1")).toBe(true);
      expect(await store.getRun("t", "r1")).toBeUndefined();
    });

    it("keeps a run's stream events in order, after a position; they go with the run and the thread", async () => {
      const store = await open();
      await store.putRun(run("r1", "t", "2026-01-01T00:00:01.000Z"));
      await store.putRun(run("r2", "t", "2026-01-01T00:00:02.000Z"));
      await store.appendEvent("r1", { seq: 0, event: "metadata", data: { run_id: "r1" } });
      await store.appendEvent("r1", { seq: 1, event: "values", data: { log: ["a"] } });
      await store.appendEvent("r1", { seq: 2, event: "values", data: { log: ["a", "b"] } });
      await store.appendEvent("r2", { seq: 0, event: "metadata", data: { run_id: "r2" } });
      expect((await store.listEvents("r1", -1)).map((e) => e.seq)).toEqual([0, 1, 2]);
      expect(await store.listEvents("r1", 0)).toEqual([
        { seq: 1, event: "values", data: { log: ["a"] } },
        { seq: 2, event: "values", data: { log: ["a", "b"] } },
      ]);
      await store.deleteRun("t", "r1");
      expect(await store.listEvents("r1", -1)).toEqual([]);
      expect(await store.listEvents("r2", -1)).toHaveLength(1);
      await store.deleteThread("t");
      expect(await store.listEvents("r2", -1)).toEqual([]);
    });

    it("deleteEventsEndedBefore deletes the events of runs that ended before a time, keeping the runs", async () => {
      const store = await open();
      await store.putRun(run("old", "t", "2026-01-01T00:00:01.000Z", "success"));
      await store.putRun(run("new", "t", "2026-01-03T00:00:01.000Z", "error"));
      await store.putRun(run("live", "t", "2026-01-01T00:00:02.000Z", "running"));
      for (const runId of ["old", "new", "live"]) {
        await store.appendEvent(runId, { seq: 0, event: "metadata", data: { runId } });
        await store.appendEvent(runId, { seq: 1, event: "values", data: {} });
      }
      expect(await store.deleteEventsEndedBefore("2026-01-02T00:00:00.000Z")).toBe(2);
      expect(await store.listEvents("old", -1)).toEqual([]);
      expect(await store.listEvents("new", -1)).toHaveLength(2);
      expect(await store.listEvents("live", -1)).toHaveLength(2);
      expect((await store.listRuns("t")).map((r) => r.runId).sort()).toEqual([
        "live",
        "new",
        "old",
      ]);
    });

    it("listUnfinished lists pending and running runs, oldest first", async () => {
      const store = await open();
      await store.putRun(run("b", "t", "2026-01-01T00:00:02.000Z", "running"));
      await store.putRun(run("a", "u", "2026-01-01T00:00:01.000Z", "pending"));
      await store.putRun(run("c", "t", "2026-01-01T00:00:03.000Z", "success"));
      await store.putRun(run("d", "t", "2026-01-01T00:00:04.000Z", "pending"));
      const left = await store.listUnfinished();
      expect(left.map((r) => r.runId)).toEqual(["a", "b", "d"]);
    });

    it("keeps thread records, most recently updated first; deleting one deletes its runs", async () => {
      const store = await open();
      await store.putThread({
        threadId: "t1",
        metadata: { a: 1 },
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:05.000Z",
      });
      await store.putThread({
        threadId: "t2",
        metadata: {},
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:09.000Z",
      });
      await store.putThread({
        threadId: "t1",
        metadata: { a: 2 },
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:07.000Z",
      });
      expect((await store.listThreads()).map((t) => t.threadId)).toEqual(["t2", "t1"]);
      expect(await store.getThread("t1")).toMatchObject({ metadata: { a: 2 } });
      await store.putRun(run("r", "t1", "2026-01-01T00:00:01.000Z"));
      await store.deleteThread("t1");
      expect(await store.getThread("t1")).toBeUndefined();
      expect(await store.listRuns("t1")).toEqual([]);
    });
  });
}

describe("SqliteRunStore", () => {
  it("keeps its records across reopening the file", async () => {
    const path = sqlitePath();
    const first = new SqliteRunStore(path);
    await first.putRun(run("r", "t", "2026-01-01T00:00:01.000Z"));
    first.close();
    const second = new SqliteRunStore(path);
    expect(await second.getRun("t", "r")).toMatchObject({
      runId: "r",
      kwargs: { input: { n: 1 } },
    });
    second.close();
  });

  it("refuses a file that is not a Switchyard database and leaves it untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-runs-"));
    dirs.push(dir);
    const path = join(dir, "notes.txt");
    writeFileSync(path, "");
    expect(() => new SqliteRunStore(path)).toThrow(
      expect.objectContaining({ code: "NOT_A_SWITCHYARD_DATABASE" }),
    );
    expect(() => new SqliteRunStore(join(dir, "missing.db"))).toThrow(
      expect.objectContaining({ code: "DATABASE_UNAVAILABLE" }),
    );
  });
});

describe("PostgresRunStore retention (the workers' hourly job)", () => {
  it("deletes old idle threads with their runs, keeping threads with an unfinished run", async () => {
    const store = await postgresStore();
    await store.putRun(run("old", "t", "2026-01-01T00:00:00.000Z", "success"));
    await store.putRun(run("open", "u", "2026-01-01T00:00:00.000Z", "running"));

    for (const threadId of ["t", "u"]) {
      await store.putThread({
        threadId,
        metadata: {},
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      });
    }
    // "u" has a run still running: kept.
    expect(await store.deleteThreadsOlderThan("2026-02-01T00:00:00.000Z")).toBe(1);
    expect(await store.getThread("t")).toBeUndefined();
    expect(await store.listRuns("t")).toEqual([]);
    expect(await store.getThread("u")).toBeDefined();
  });
});

describe("PostgresRunStore schema", () => {
  it("run tables written by a newer Switchyard: DATABASE_TOO_NEW, and nothing is changed", async () => {
    const database = await createTestDatabase("runs");
    databases.push(database);
    const older = new PostgresRunStore(database.url);
    opened.push(older);
    await older.putRun(run("kept", "t", "2026-01-01T00:00:00.000Z"));
    const [bumped] = await older.query<{ version: number }>(
      "INSERT INTO server_schema (version) SELECT max(version) + 1 FROM server_schema RETURNING version",
    );

    const newer = new PostgresRunStore(database.url);
    opened.push(newer);
    const refused = await newer.ready().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DatabaseTooNewError);
    expect(refused).toMatchObject({
      code: "DATABASE_TOO_NEW",
      fileVersion: bumped?.version,
      supportedVersion: (bumped?.version ?? 0) - 1,
    });
    expect((refused as Error).message).toContain("server_schema");
    expect((refused as Error).message).toContain("Upgrade Switchyard");
    await expect(newer.getRun("t", "kept")).rejects.toMatchObject({ code: "DATABASE_TOO_NEW" });

    const [after] = await older.query<{ version: number; runs: number }>(
      "SELECT (SELECT max(version) FROM server_schema) AS version, (SELECT count(*)::int FROM server_runs) AS runs",
    );
    expect(after).toEqual({ version: bumped?.version, runs: 1 });
  });
});

describe("PostgresRunStore.enqueueRun: the record and its job together", () => {
  /** The jobs graphile-worker holds, as task, key and payload. */
  async function jobs(store: PostgresRunStore) {
    return store.query<{ task: string; key: string | null; payload: unknown }>(
      `SELECT task.identifier AS task, job.key, job.payload
       FROM graphile_worker._private_jobs AS job
         JOIN graphile_worker._private_tasks AS task ON task.id = job.task_id
       ORDER BY job.id`,
    );
  }

  it("queues a job keyed by the run id whose payload is only the id; a refused run leaves neither", async () => {
    const store = await postgresStore();
    await store.enqueueRun(run("first", "t", "2026-01-01T00:00:00.000Z"));
    expect(await store.getRun("t", "first")).toMatchObject({ status: "pending" });
    expect(await jobs(store)).toEqual([
      { task: RUN_TASK, key: "first", payload: { runId: "first" } },
    ]);

    // "reject" on a thread with an unfinished run: RUN_IN_PROGRESS, no record, no job.
    const refused = await store.enqueueRun(run("second", "t", "2026-01-01T00:00:01.000Z")).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RunInProgressError);
    expect(refused).toMatchObject({ code: "RUN_IN_PROGRESS", threadId: "t", runId: "first" });
    expect(await store.getRun("t", "second")).toBeUndefined();
    expect(await jobs(store)).toHaveLength(1);

    // "enqueue" waits its turn: recorded and queued.
    await store.enqueueRun({
      ...run("third", "t", "2026-01-01T00:00:02.000Z"),
      multitaskStrategy: "enqueue",
    });
    expect((await jobs(store)).map((job) => job.key)).toEqual(["first", "third"]);
  });
});

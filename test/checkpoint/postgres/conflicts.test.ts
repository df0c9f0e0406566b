// Serialization failures provoked for real: a prune works on one snapshot of its thread, and an
// administrator deletes one of the checkpoints it is about to delete, after that snapshot was
// taken. Postgres refuses the prune's delete (40001); the checkpointer tries again on a fresh
// snapshot, and reports DATABASE_CONFLICT once its retries are spent.
import { afterAll, beforeAll, expect, it } from "vitest";
import { DatabaseConflictError, PostgresCheckpointer } from "../../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { checkpointIds, checkpointRecord, logWrite, rejection } from "../graphs.js";
import { adminClient, lockWaiter } from "./admin.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("conflicts");
}, 60_000);
afterAll(async () => database.drop(), 60_000);

/** A thread "t" of five checkpoints cp-1 … cp-5 in schema `schema`. */
async function fiveCheckpoints(schema: string, conflictRetries?: number) {
  const store = new PostgresCheckpointer(database.url, { schema, conflictRetries });
  let parent: string | undefined;
  for (const id of ["cp-1", "cp-2", "cp-3", "cp-4", "cp-5"]) {
    await store.commit("t", checkpointRecord(id, parent, "loop", { log: id }), logWrite(id));
    parent = id;
  }
  return store;
}

/**
 * Runs `prune` while an administrator's transaction holds the thread's row and deletes cp-1;
 * the administrator commits once the prune waits for that row (its snapshot is taken by then).
 */
async function pruneAgainstConcurrentDelete<T>(schema: string, prune: () => Promise<T>) {
  const admin = await adminClient(database.url);
  const monitor = await adminClient(database.url);
  try {
    await admin.query("BEGIN");
    await admin.query(`SELECT 1 FROM ${schema}.threads WHERE thread_id = 't' FOR UPDATE`);
    await admin.query(
      `DELETE FROM ${schema}.checkpoints WHERE thread_id = 't' AND checkpoint_id = 'cp-1'`,
    );
    const outcome = prune().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await lockWaiter(monitor);
    await admin.query("COMMIT");
    return await outcome;
  } finally {
    await Promise.all([admin.end(), monitor.end()]);
  }
}

it("a prune that hits a serialization failure is tried again on a fresh snapshot", async () => {
  const store = await fiveCheckpoints("retried");
  try {
    const outcome = await pruneAgainstConcurrentDelete("retried", () =>
      store.pruneThread("t", { keepLast: 2 }),
    );
    // The first try saw cp-1 and would have deleted three; the retry sees it gone and deletes two.
    expect(outcome).toEqual({ value: 2 });
    expect(await checkpointIds(store, "t")).toEqual(["cp-5", "cp-4"]);
    expect((await store.getTuple("t"))?.channels.log).toEqual({
      hasBase: true,
      base: ["cp-5"],
      deltas: [],
    });
  } finally {
    await store.close();
  }
}, 60_000);

it("with its retries spent, the prune fails with DATABASE_CONFLICT and deletes nothing", async () => {
  const store = await fiveCheckpoints("spent", 0);
  try {
    const outcome = await pruneAgainstConcurrentDelete("spent", () =>
      store.pruneThread("t", { keepLast: 2 }),
    );
    const error = (outcome as { error: DatabaseConflictError }).error;
    expect(error).toBeInstanceOf(DatabaseConflictError);
    expect(error).toMatchObject({ code: "DATABASE_CONFLICT", attempts: 1, threadId: "t" });
    expect(error.message).toContain("could not serialize access");
    expect(error.message).toContain("conflictRetries");
    // Only the administrator's delete happened.
    expect(await checkpointIds(store, "t")).toEqual(["cp-5", "cp-4", "cp-3", "cp-2"]);
    const retry = () => store.pruneThread("t", { keepLast: 2 });
    expect(await retry()).toBe(2);
    expect(await rejection(() => store.pruneThread("gone", { keepLast: 1 }))).toMatchObject({
      code: "THREAD_NOT_FOUND",
    });
  } finally {
    await store.close();
  }
}, 60_000);

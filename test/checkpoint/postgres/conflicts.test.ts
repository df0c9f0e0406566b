// Serialization failures provoked for real: a prune works on one snapshot of its thread, and an
// administrator deletes one of the checkpoints it is about to delete, after that snapshot was
// taken. Postgres refuses the prune's delete (40001); the checkpointer tries again on a fresh
// snapshot, and reports DATABASE_CONFLICT once its retries are spent. Deadlocks (40P01) the same,
// on a superstep's commit.
import { afterAll, beforeAll, expect, it } from "vitest";
import { DatabaseConflictError, PostgresCheckpointer } from "../../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { checkpointIds, checkpointRecord, logWrite, rejection } from "../graphs.js";
import { adminClient, danasAnswer, lockWaiter } from "./admin.js";

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

/**
 * A superstep's commit caught in a real deadlock (40P01): the commit locks the thread's lease row
 * (FOR SHARE) and then waits for its thread row, which an administrator holds; the administrator
 * then asks for the lease row. Postgres breaks the cycle by aborting the commit (the
 * administrator's session waits 60 s before it looks for deadlocks, the checkpointer's 1 s), and
 * once the administrator's lock query returns, the commit has certainly been aborted once.
 */
async function commitThroughDeadlock(schema: string, conflictRetries?: number) {
  const store = new PostgresCheckpointer(database.url, { schema, conflictRetries });
  await store.acquireLease("t", "run");
  await store.commit(
    "t",
    checkpointRecord("cp-1", undefined, "loop", { log: "cp-1" }),
    logWrite("cp-1"),
    {
      lease: "run",
    },
  );
  const admin = await adminClient(database.url);
  const monitor = await adminClient(database.url);
  try {
    await admin.query("BEGIN");
    await admin.query("SET LOCAL deadlock_timeout = '60s'");
    await admin.query(`SELECT 1 FROM ${schema}.threads WHERE thread_id = 't' FOR UPDATE`);
    const outcome = store
      .commit("t", checkpointRecord("cp-2", "cp-1", "loop", { log: "cp-2" }), logWrite("cp-2"), {
        lease: "run",
        audit: [danasAnswer],
      })
      .then(
        () => ({ committed: true }),
        (error: unknown) => ({ error }),
      );
    await lockWaiter(monitor);
    await admin.query(`SELECT 1 FROM ${schema}.leases WHERE thread_id = 't' FOR UPDATE`);
    await admin.query("COMMIT");
    return { store, outcome: await outcome };
  } finally {
    await Promise.all([admin.end(), monitor.end()]);
  }
}

it("a commit aborted by a deadlock is made again, once, with its audit entry", async () => {
  const { store, outcome } = await commitThroughDeadlock("deadlock_retried");
  try {
    expect(outcome).toEqual({ committed: true });
    expect(await checkpointIds(store, "t")).toEqual(["cp-2", "cp-1"]);
    expect(await store.getAuditLog("t")).toMatchObject([{ actor: "dana", interruptId: "i-1" }]);
  } finally {
    await store.close();
  }
}, 60_000);

it("a deadlock with no retries left is DATABASE_CONFLICT, and the commit stored nothing", async () => {
  const { store, outcome } = await commitThroughDeadlock("deadlock_spent", 0);
  try {
    const error = (outcome as { error: DatabaseConflictError }).error;
    expect(error).toBeInstanceOf(DatabaseConflictError);
    expect(error).toMatchObject({ code: "DATABASE_CONFLICT", attempts: 1, threadId: "t" });
    expect(error.message).toContain("deadlock detected");
    expect(error.message).toContain('thread "t"');
    expect(await checkpointIds(store, "t")).toEqual(["cp-1"]);
    expect(await store.getAuditLog("t")).toEqual([]);
  } finally {
    await store.close();
  }
}, 60_000);

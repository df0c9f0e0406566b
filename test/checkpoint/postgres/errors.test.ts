// Postgres failures provoked for real, each surfacing as a named error with nothing half-written:
// a closed port, a missing database, sessions ended by an administrator, a schema from a newer
// Switchyard, a read-only tool pointed at an empty database, a read-only server and a closed
// checkpointer.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DatabaseConnectionLostError,
  DatabaseReadOnlyError,
  DatabaseUnavailableError,
  DatabaseTooNewError,
  DatabaseUnreachableError,
  PostgresCheckpointer,
  SchemaNotFoundError,
} from "../../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { freePort } from "../../support/postgres-cluster.js";
import { checkpointRecord, logWrite, rejection } from "../graphs.js";
import { sleep } from "../../support.js";
import { adminClient, danasAnswer, lockWaiter } from "./admin.js";

const record = (id: string, parentId?: string) =>
  checkpointRecord(id, parentId, "loop", { log: id });

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("errors");
}, 60_000);
afterAll(async () => database.drop(), 60_000);

describe("PostgresCheckpointer: connecting", () => {
  it("a closed port: DATABASE_UNREACHABLE saying the connection was refused, without the password", async () => {
    const port = await freePort();
    const store = new PostgresCheckpointer(
      `postgres://dana:s3cret-pw@127.0.0.1:${port}/switchyard`,
    );
    try {
      const error = await rejection(() => store.getTuple("t"));
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect(error.code).toBe("DATABASE_UNREACHABLE");
      expect(error.message).toContain("refused");
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toContain("Check that PostgreSQL is running");
      expect(error.message).not.toContain("s3cret-pw");
      // Writes fail the same way, as rejected promises.
      const write = () => store.commit("t", record("cp-1"), logWrite("cp-1"));
      expect(await rejection(write)).toMatchObject({ code: "DATABASE_UNREACHABLE" });
    } finally {
      await store.close();
    }
  });

  it("a database that does not exist: DATABASE_UNREACHABLE naming it", async () => {
    const url = new URL(database.url);
    url.pathname = "/no_such_database";
    const store = new PostgresCheckpointer(url.toString());
    try {
      const error = await rejection(() => store.getThread("t"));
      expect(error).toMatchObject({ code: "DATABASE_UNREACHABLE" });
      expect(error.message).toContain('"no_such_database" does not exist');
      expect(error.message).toContain("createdb");
    } finally {
      await store.close();
    }
  });
});

describe("PostgresCheckpointer: sessions ended by an administrator", () => {
  it("a write whose session is ended twice fails with DATABASE_CONNECTION_LOST and stores nothing", async () => {
    const store = new PostgresCheckpointer(database.url, { schema: "lost", max: 2 });
    const admin = await adminClient(database.url);
    const monitor = await adminClient(database.url);
    try {
      await store.acquireLease("t", "run");
      await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "run" });

      // The administrator holds the lease row, so the write waits inside its transaction.
      await admin.query("BEGIN");
      await admin.query(`SELECT * FROM lost.leases WHERE thread_id = 't' FOR UPDATE`);
      const write = store
        .commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), { lease: "run" })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      // The first loss is retried on a new connection (the transaction died with the session);
      // the second is reported.
      const ended: number[] = [];
      while (ended.length < 2) {
        const pid = await lockWaiter(monitor, ended);
        await admin.query("SELECT pg_terminate_backend($1)", [pid]);
        ended.push(pid);
      }
      const error = (await write) as DatabaseConnectionLostError;
      await admin.query("ROLLBACK");
      expect(error).toBeInstanceOf(DatabaseConnectionLostError);
      expect(error).toMatchObject({ code: "DATABASE_CONNECTION_LOST", duringCommit: false });
      expect(error.message).toContain('thread "t"');
      expect(error.message).toContain("rolled back");

      // Nothing of the write is stored, and the store goes on with fresh connections.
      const latest = await store.getTuple("t");
      expect(latest?.checkpoint.id).toBe("cp-1");
      expect(
        (await admin.query(`SELECT count(*)::int AS n FROM lost.checkpoints`)).rows[0],
      ).toEqual({ n: 1 });
      await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), { lease: "run" });
      expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-2");
    } finally {
      await Promise.all([admin.end(), monitor.end()]);
      await store.close();
    }
  }, 60_000);

  it("a session ended once mid-write: the write is made again on a new connection, once", async () => {
    const store = new PostgresCheckpointer(database.url, { schema: "lost_once", max: 2 });
    const admin = await adminClient(database.url);
    const monitor = await adminClient(database.url);
    try {
      await store.acquireLease("t", "run");
      await store.commit("t", record("cp-1"), logWrite("cp-1"), { lease: "run" });
      await admin.query("BEGIN");
      await admin.query(`SELECT * FROM lost_once.leases WHERE thread_id = 't' FOR UPDATE`);
      const write = store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"), {
        lease: "run",
        audit: [danasAnswer],
      });
      const first = await lockWaiter(monitor);
      await admin.query("SELECT pg_terminate_backend($1)", [first]);
      // The write waits again, on another session; then the administrator lets it through.
      await lockWaiter(monitor, [first]);
      await admin.query("COMMIT");
      await write;
      expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-2");
      expect(await store.getAuditLog("t")).toHaveLength(1);
    } finally {
      await Promise.all([admin.end(), monitor.end()]);
      await store.close();
    }
  }, 60_000);

  it("idle pooled sessions ended by an administrator are replaced without an error", async () => {
    const store = new PostgresCheckpointer(database.url, { schema: "idle", max: 3 });
    const admin = await adminClient(database.url);
    try {
      await store.commit("t", record("cp-1"), logWrite("cp-1"));
      const { rows } = await admin.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-1");
      await store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
      expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-2");
    } finally {
      await admin.end();
      await store.close();
    }
  }, 60_000);
});

describe("PostgresCheckpointer: a read-only server", () => {
  it("a database that refuses writes: DATABASE_READ_ONLY saying to point at the primary; reads still work", async () => {
    // What a hot standby answers (SQLSTATE 25006), on a database whose sessions start read-only.
    const readOnly = await createTestDatabase("readonly");
    const writer = new PostgresCheckpointer(readOnly.url, { schema: "ro" });
    const admin = await adminClient(readOnly.url);
    try {
      await writer.commit("t", record("cp-1"), logWrite("cp-1"));
      await writer.close();
      await admin.query(`ALTER DATABASE ${readOnly.name} SET default_transaction_read_only = on`);
      const store = new PostgresCheckpointer(readOnly.url, { schema: "ro" });
      try {
        const write = () => store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
        const error = await rejection(write);
        expect(error).toBeInstanceOf(DatabaseReadOnlyError);
        expect(error.code).toBe("DATABASE_READ_ONLY");
        expect(error.message).toContain('thread "t"');
        expect(error.message).toContain("primary");
        expect(error.message).toContain("default_transaction_read_only");
        expect(error.message).not.toContain("-wal");
        expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-1");
      } finally {
        await store.close();
      }
    } finally {
      await admin.end();
      await readOnly.drop();
    }
  });
});

describe("PostgresCheckpointer: the schema", () => {
  it("a schema written by a newer Switchyard: DATABASE_TOO_NEW, and nothing is changed", async () => {
    const older = new PostgresCheckpointer(database.url, { schema: "newer" });
    await older.commit("t", record("cp-1"), logWrite("cp-1"));
    await older.close();
    const admin = await adminClient(database.url);
    try {
      const { rows } = await admin.query<{ version: number }>(
        `UPDATE newer.schema_version SET version = version + 1 RETURNING version`,
      );
      const bumped = rows[0]?.version as number;
      const store = new PostgresCheckpointer(database.url, { schema: "newer" });
      try {
        const error = await rejection(() => store.getTuple("t"));
        expect(error).toBeInstanceOf(DatabaseTooNewError);
        expect(error).toMatchObject({
          code: "DATABASE_TOO_NEW",
          fileVersion: bumped,
          supportedVersion: bumped - 1,
        });
        expect(error.message).toContain('(schema "newer")');
        expect(error.message).toContain("Upgrade Switchyard");
        const write = () => store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
        expect(await rejection(write)).toMatchObject({ code: "DATABASE_TOO_NEW" });
      } finally {
        await store.close();
      }
      const after = await admin.query(
        `SELECT (SELECT version FROM newer.schema_version) AS version,
                (SELECT count(*)::int FROM newer.checkpoints) AS checkpoints`,
      );
      expect(after.rows[0]).toEqual({ version: bumped, checkpoints: 1 });
    } finally {
      await admin.end();
    }
  });

  it("create: false on a database without Switchyard's tables: SCHEMA_NOT_FOUND, nothing created", async () => {
    const store = new PostgresCheckpointer(database.url, { schema: "absent", create: false });
    const admin = await adminClient(database.url);
    try {
      const error = await rejection(async () => {
        for await (const info of store.listThreads()) return info;
      });
      expect(error).toBeInstanceOf(SchemaNotFoundError);
      expect(error.message).toContain('schema "absent"');
      const { rows } = await admin.query(
        `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'absent'`,
      );
      expect(rows).toEqual([]);

      // Once a writer has created it, the same read-only store reads it.
      const writer = new PostgresCheckpointer(database.url, { schema: "absent" });
      await writer.commit("t", record("cp-1"), logWrite("cp-1"));
      await writer.close();
      expect((await store.getTuple("t"))?.checkpoint.id).toBe("cp-1");
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it("several processes' stores starting at once on a new schema create it once", async () => {
    const stores = Array.from(
      { length: 6 },
      () => new PostgresCheckpointer(database.url, { schema: "racing", max: 1 }),
    );
    try {
      await Promise.all(
        stores.map((store, index) => store.commit(`t${index}`, record("cp-1"), logWrite("cp-1"))),
      );
      const ids: string[] = [];
      for await (const info of stores[0]!.listThreads()) ids.push(info.threadId);
      expect(ids.sort()).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe("PostgresCheckpointer: close()", () => {
  /** The server sessions opened with `application_name` = `name`. */
  async function sessions(admin: pg.Client, name: string): Promise<number> {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
      [name],
    );
    return rows[0]?.n ?? 0;
  }

  it("ends the pool it made: its sessions end, and a later call is DATABASE_UNAVAILABLE saying it was closed", async () => {
    const url = new URL(database.url);
    url.searchParams.set("application_name", "sy_closing");
    const store = new PostgresCheckpointer(url.toString(), { schema: "closing" });
    const admin = await adminClient(database.url);
    try {
      await store.commit("t", record("cp-1"), logWrite("cp-1"));
      expect(await sessions(admin, "sy_closing")).toBeGreaterThan(0);
      await store.close();
      // A session's row goes when its backend has exited, a moment after the client hung up.
      const until = Date.now() + 30_000;
      while ((await sessions(admin, "sy_closing")) > 0 && Date.now() < until) await sleep(50);
      expect(await sessions(admin, "sy_closing")).toBe(0);

      const error = await rejection(() => store.getTuple("t"));
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error.message).toContain("was closed");
      const write = () => store.commit("t", record("cp-2", "cp-1"), logWrite("cp-2"));
      expect(await rejection(write)).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
      await store.close(); // twice is fine
    } finally {
      await admin.end();
    }
  });

  it("leaves a pool passed in open for its owner", async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const store = new PostgresCheckpointer(pool, { schema: "lent" });
      await store.commit("t", record("cp-1"), logWrite("cp-1"));
      await store.close();
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM lent.checkpoints",
      );
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

// A full disk provoked for real: the test database's tables live in a tablespace on a 4 MB tmpfs
// (this needs root, as the test cluster does). Commits of incompressible values fill it until
// Postgres refuses to extend a file; the checkpointer reports DISK_FULL, and the thread stays at
// its last stored checkpoint with exactly the audit entries of the commits that were stored.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { DiskFullError, PostgresCheckpointer, type AuditEntry } from "../../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { checkpointRecord } from "../graphs.js";

const mountPoint = mkdtempSync(join(tmpdir(), "switchyard-full-"));
const tablespace = `sy_full_${process.pid}`;
let database: TestDatabase;
let cluster: pg.Client;

beforeAll(async () => {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
  execFileSync("chown", ["postgres:postgres", mountPoint]);
  cluster = new pg.Client({ connectionString: inject("postgresUrl") });
  await cluster.connect();
  await cluster.query(`CREATE TABLESPACE ${tablespace} LOCATION '${mountPoint}'`);
  database = await createTestDatabase("full");
  // New tables of this database (the checkpointer's) go to the small tablespace.
  await cluster.query(`ALTER DATABASE ${database.name} SET default_tablespace = ${tablespace}`);
}, 60_000);

afterAll(async () => {
  await database?.drop();
  await cluster?.query(`DROP TABLESPACE IF EXISTS ${tablespace}`);
  await cluster?.end();
  execFileSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
}, 60_000);

const answer = (index: number): AuditEntry => ({
  at: new Date(index).toISOString(),
  actor: "dana",
  interruptId: `i-${index}`,
  node: "approve",
  kind: "resume",
  value: index,
});

it("a full disk: DISK_FULL, the transaction rolled back, the thread at its last stored write", async () => {
  const store = new PostgresCheckpointer(database.url);
  try {
    let stored = 0;
    let failure: unknown;
    let parent: string | undefined;
    for (let index = 1; index <= 60 && failure === undefined; index += 1) {
      const id = `cp-${String(index).padStart(2, "0")}`;
      // ~200 KB that no compression shrinks.
      const value = randomBytes(150_000).toString("base64");
      try {
        await store.commit(
          "t",
          checkpointRecord(id, parent, "loop", { blob: id }),
          [{ channel: "blob", version: id, kind: "value", value }],
          { audit: [answer(index)] },
        );
        stored = index;
        parent = id;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(DiskFullError);
    expect(failure).toMatchObject({ code: "DISK_FULL", threadId: "t" });
    expect((failure as Error).message).toContain("Free disk space");
    expect(stored).toBeGreaterThan(0);

    // Reading needs no space: the thread is exactly as its last stored commit left it.
    expect((await store.getTuple("t"))?.checkpoint.id).toBe(parent);
    expect((await store.getAuditLog("t")).map((entry) => entry.value)).toEqual(
      Array.from({ length: stored }, (_, index) => index + 1),
    );
  } finally {
    await store.close();
  }
}, 120_000);

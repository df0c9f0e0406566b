import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

describe("the test run's PostgreSQL cluster", () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it("is a real server on loopback, and each test database is separate", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    databases.push(a, b);
    expect(new URL(a.url).hostname).toBe("127.0.0.1");
    const ca = new pg.Client({ connectionString: a.url });
    const cb = new pg.Client({ connectionString: b.url });
    await ca.connect();
    await cb.connect();
    try {
      const version = await ca.query<{ server_version_num: string }>("SHOW server_version_num");
      expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(150000);
      await ca.query("CREATE TABLE only_in_a (x int)");
      const seen = await cb.query("SELECT to_regclass('only_in_a') AS t");
      expect(seen.rows[0]).toEqual({ t: null });
    } finally {
      await ca.end();
      await cb.end();
    }
  });
});

import { afterAll, beforeAll } from "vitest";
import {
  MemoryCheckpointer,
  PostgresCheckpointer,
  SqliteCheckpointer,
  type ThreadStore,
} from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "./postgres.js";

/**
 * The three stores, for a test file that runs the same cases on each (`describe.each`): every
 * call of a factory opens a fresh store — Postgres in a schema of its own, in a database made for
 * the file — and all are closed, the database dropped, when the file is done.
 */
export function everyStore(name: string): ReadonlyArray<readonly [string, () => ThreadStore]> {
  let database: TestDatabase | undefined;
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    database = await createTestDatabase(name);
  }, 60_000);
  afterAll(async () => {
    for (const close of closers) await close();
    await database?.drop();
  }, 60_000);
  let schemas = 0;
  return [
    ["memory", () => new MemoryCheckpointer()],
    [
      "sqlite",
      () => {
        const store = new SqliteCheckpointer(":memory:");
        closers.push(() => store.close());
        return store;
      },
    ],
    [
      "postgres",
      () => {
        if (!database) throw new Error("everyStore: open the Postgres store inside a test");
        const store = new PostgresCheckpointer(database.url, {
          schema: `${name}_${(schemas += 1)}`,
        });
        closers.push(() => store.close());
        return store;
      },
    ],
  ];
}

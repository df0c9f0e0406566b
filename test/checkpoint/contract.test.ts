// Runs the checkpointer contract against every implementation: memory, SQLite in memory, SQLite
// on a file, and Postgres (on the run's throwaway cluster).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { MemoryCheckpointer, PostgresCheckpointer, SqliteCheckpointer } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { describeCheckpointerContract } from "./contract.js";

const folder = mkdtempSync(join(tmpdir(), "switchyard-contract-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

describeCheckpointerContract("MemoryCheckpointer", (options) => ({
  store: new MemoryCheckpointer(options),
}));

describeCheckpointerContract("SqliteCheckpointer(:memory:)", (options) => {
  const store = new SqliteCheckpointer(":memory:", options);
  return { store, close: () => store.close() };
});

describeCheckpointerContract("SqliteCheckpointer(file)", (options) => {
  files += 1;
  const path = join(folder, `contract-${files}.db`);
  const store = new SqliteCheckpointer(path, options);
  return {
    store,
    close: () => {
      store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
});

// One database for this file; each store gets a schema of its own, so every case starts empty.
let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase("contract");
}, 60_000);
afterAll(async () => database?.drop(), 60_000);
let schemas = 0;

describeCheckpointerContract("PostgresCheckpointer", (options) => {
  if (!database) throw new Error("the contract's database is created in beforeAll");
  schemas += 1;
  const store = new PostgresCheckpointer(database.url, {
    ...options,
    schema: `contract_${schemas}`,
    max: 4,
  });
  return { store, close: () => store.close() };
});

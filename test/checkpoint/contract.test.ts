// Runs the checkpointer contract against every implementation: memory, SQLite in memory, SQLite
// on a file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { MemoryCheckpointer, SqliteCheckpointer } from "../../src/index.js";
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

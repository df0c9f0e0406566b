// The Postgres-vs-SQLite storage bench still runs: `bench/postgres/commit-latency.ts --quick`
// end to end against the run's cluster. No timing assertions — only that both stores were measured.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-pg-test-"));
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("bench");
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}, 60_000);

interface Figures {
  commitP50: number;
  putWritesP50: number;
  msPerStep: number;
}

it("npm run bench:postgres -- --quick measures both stores", { timeout: 120_000 }, async () => {
  const json = join(dir, "results.json");
  const { stdout } = await run("npx", [
    ...["tsx", "bench/postgres/commit-latency.ts", "--quick"],
    ...["--json", json, "--postgres", database.url],
  ]);
  expect(stdout).toContain("| postgres |");
  const report = JSON.parse(readFileSync(json, "utf8")) as { stores: Record<string, Figures> };
  expect(Object.keys(report.stores).sort()).toEqual(["postgres", "sqlite"]);
  for (const figures of Object.values(report.stores)) {
    expect(figures.commitP50).toBeGreaterThan(0);
    expect(figures.putWritesP50).toBeGreaterThan(0);
    expect(figures.msPerStep).toBeGreaterThan(0);
  }
});

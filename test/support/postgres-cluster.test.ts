import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  startPostgresCluster,
  sweepStaleClusters,
  type PostgresCluster,
} from "./postgres-cluster.js";

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe("the tests' throwaway PostgreSQL cluster", () => {
  let cluster: PostgresCluster | undefined;
  const own = process.env["SWITCHYARD_TEST_POSTGRES"];

  afterEach(() => {
    cluster?.stop();
    if (own !== undefined) process.env["SWITCHYARD_TEST_POSTGRES"] = own;
  });

  it("a cluster whose test process died is stopped and removed by the next run; a live one is left alone", async () => {
    delete process.env["SWITCHYARD_TEST_POSTGRES"];
    cluster = await startPostgresCluster();
    const dir = cluster.dir as string;
    expect(await answers(cluster.url)).toBe(true);

    expect(sweepStaleClusters()).not.toContain(dir);
    expect(await answers(cluster.url)).toBe(true);

    // As a run killed before its teardown leaves it: the owner's pid is no longer a process.
    const gone = spawnSync("true").pid;
    writeFileSync(join(dir, "owner.pid"), String(gone));
    expect(sweepStaleClusters()).toContain(dir);
    expect(existsSync(dir)).toBe(false);
    expect(await answers(cluster.url)).toBe(false);
  }, 120_000);
});

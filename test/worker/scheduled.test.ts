// The scheduled jobs run once across the fleet, not once per worker: three workers on one
// database share graphile-worker's crontab, and each minute's deadline sweep runs on one of them;
// the hourly retention is scheduled the same way.
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { END, PostgresCheckpointer, PostgresRunStore, START, StateGraph } from "../../src/index.js";
import { startWorker, type SwitchyardWorker } from "../../src/worker/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

let database: TestDatabase;
let checkpointer: PostgresCheckpointer;
const stores: PostgresRunStore[] = [];
const workers: SwitchyardWorker[] = [];

const graph = new StateGraph(z.object({ n: z.number() }))
  .addNode("noop", () => ({}))
  .addEdge(START, "noop")
  .addEdge("noop", END);

beforeAll(async () => {
  database = await createTestDatabase("cron");
  checkpointer = new PostgresCheckpointer(database.url, { leaseMs: 3000 });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await Promise.all(stores.map((store) => store.close()));
  await checkpointer?.close();
  await database?.drop();
}, 60_000);

test("each minute's deadline sweep runs on one worker of three", async () => {
  const compiled = graph.compile({ checkpointer, name: "noop" });
  const sweptAt: number[] = [];
  const sweepExpired = compiled.sweepExpired.bind(compiled);
  compiled.sweepExpired = (...args) => {
    sweptAt.push(Date.now());
    return sweepExpired(...args);
  };
  for (const index of [0, 1, 2]) {
    // One run store (pool) per worker, as separate processes would have.
    const runs = new PostgresRunStore(database.url);
    stores.push(runs);
    workers.push(
      await startWorker({
        runs,
        checkpointer,
        graphs: { noop: compiled as never },
        workerId: `cron-${index}`,
        concurrency: 1,
        log: () => undefined,
      }),
    );
  }
  // graphile-worker ticks at the start of each minute. The first tick after all three workers
  // are up is counted: its job runs once, whichever worker takes it (a generous 30 s for that,
  // under load); a schedule per worker would sweep three times.
  const tick = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  await new Promise((resolve) => setTimeout(resolve, tick + 30_000 - Date.now()));
  const inTick = sweptAt.filter((at) => at >= tick && at < tick + 30_000);
  expect(inTick, `sweeps at ${JSON.stringify(sweptAt)}, tick ${tick}`).toHaveLength(1);
  // Retention (hourly, at :17) is scheduled the same way: graphile-worker knows one schedule of
  // each job for the whole fleet, whose ticks it hands out once.
  const known = await stores[0]!.query<{ identifier: string }>(
    "SELECT identifier FROM graphile_worker._private_known_crontabs ORDER BY identifier",
  );
  expect(known.map((row) => row.identifier)).toEqual(["switchyard_retention", "switchyard_sweep"]);
}, 150_000);

// `npm run bench:postgres [-- --quick] [-- --json out.json] [-- --postgres URL]`: what one
// superstep's storage costs on Postgres against a SQLite file — the latency of a leased `commit`
// (checkpoint + one delta + lease check, one transaction), of a leased `putWrites` (one task's
// writes), and the time per step of a graph that appends 200 B per step. Without --postgres (or
// SWITCHYARD_POSTGRES) it starts a throwaway cluster on 127.0.0.1, as the tests do.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startPostgresCluster } from "../../test/support/postgres-cluster.js";
import { measureStore, type StoreFigures } from "./measure-store.js";
import { PostgresCheckpointer, SqliteCheckpointer, type ThreadStore } from "../../src/index.js";

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string" },
    postgres: { type: "string" },
  },
});
const plan = options.quick
  ? { operations: 50, steps: 30, rounds: 1 }
  : { operations: 1000, steps: 400, rounds: 3 };

const given = options.postgres ?? process.env.SWITCHYARD_POSTGRES;
const cluster = given ? undefined : await startPostgresCluster();
const url = given || cluster?.url || "";
const schema = `bench_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "switchyard-commit-bench-"));

type Name = "sqlite" | "postgres";
const open: Record<Name, (round: number) => ThreadStore & { close(): unknown }> = {
  sqlite: (round) => new SqliteCheckpointer(join(dir, `bench-${round}.db`)),
  postgres: () => new PostgresCheckpointer(url, { schema }),
};
const figures: Record<Name, StoreFigures[]> = { sqlite: [], postgres: [] };
const started = new Date().toISOString();
const load = [loadavg()[0] ?? 0];
try {
  for (let round = 0; round < plan.rounds; round += 1) {
    // Alternate which store goes first, so neither always runs on a machine the other just warmed.
    const order: Name[] = round % 2 === 0 ? ["sqlite", "postgres"] : ["postgres", "sqlite"];
    for (const name of order) {
      const store = open[name](round);
      try {
        figures[name].push(await measureStore(store, `round-${round}`, plan));
      } finally {
        await store.close();
      }
    }
  }
} finally {
  load.push(loadavg()[0] ?? 0);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
/** Each figure: the median over rounds. */
const medianFigures = (rounds: readonly StoreFigures[]): StoreFigures => {
  const of = (key: keyof StoreFigures) => median(rounds.map((round) => round[key]));
  return {
    commitP50: of("commitP50"),
    commitP95: of("commitP95"),
    putWritesP50: of("putWritesP50"),
    putWritesP95: of("putWritesP95"),
    msPerStep: of("msPerStep"),
  };
};
const summary: Record<Name, StoreFigures> = {
  sqlite: medianFigures(figures.sqlite),
  postgres: medianFigures(figures.postgres),
};

const environment = {
  date: started,
  quick: options.quick,
  node: process.version,
  cpu: `${availableParallelism()} × ${cpus()[0]?.model ?? "unknown"}`,
  loadAverage: load,
  postgres: given ? "given" : "throwaway cluster on 127.0.0.1 (fsync off)",
};
const ms = (value: number) => value.toFixed(2);
console.log(`# Per-step storage latency: Postgres vs SQLite${options.quick ? " (quick)" : ""}\n`);
console.log(
  `${started}, Node ${process.version}, ${environment.cpu}, load ${load.map((l) => l.toFixed(1)).join(" → ")}`,
);
console.log(
  `${plan.operations} operations, a ${plan.steps}-step graph, ${plan.rounds} round(s); medians in ms\n`,
);
console.log("| store | commit p50 | commit p95 | putWrites p50 | putWrites p95 | graph ms/step |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const name of ["sqlite", "postgres"] as const) {
  const f = summary[name];
  console.log(
    `| ${name} | ${ms(f.commitP50)} | ${ms(f.commitP95)} | ${ms(f.putWritesP50)} | ${ms(f.putWritesP95)} | ${ms(f.msPerStep)} |`,
  );
}
if (options.json) {
  writeFileSync(
    options.json,
    `${JSON.stringify({ ...environment, plan, stores: summary }, null, 2)}\n`,
  );
}

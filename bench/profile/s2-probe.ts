// `node --import tsx bench/profile/s2-probe.ts [runs [pauseEvery]]`: S2's chain (a new thread per
// run) back to back on one SQLite file (a 5 ms pause every `pauseEvery` runs when given),
// Switchyard alone: latency median / mean / p99, the largest WAL on disk (sampled every 20 runs),
// wall and process CPU time. Used for the WAL A/B in docs/performance.md.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";

const runs = Number(process.argv[2] ?? 4000);
const pauseEvery = Number(process.argv[3] ?? 0);
const path = join(mkdtempSync(join(tmpdir(), "s2probe-")), "p.db");
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const store = new SqliteCheckpointer(path);
const b = new StateGraph(
  z.object({
    count: reducer(
      z.number(),
      (a: number, c: number) => a + c,
      () => 0,
    ),
  }),
);
const names = Array.from({ length: 10 }, (_, i) => `n${i}`);
for (const n of names) b.addNode(n, () => ({ count: 1 }));
const p = [START, ...names, END];
for (let i = 1; i < p.length; i++) b.addEdge(p[i - 1] as string, p[i] as string);
const g = b.compile({ checkpointer: store });
let t = 0;
for (let i = 0; i < 300; i++)
  await g.invoke({ count: 0 }, { configurable: { thread_id: `w${t++}` } });
const lat: number[] = [];
let maxWal = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  await g.invoke({ count: 0 }, { configurable: { thread_id: `t${t++}` } });
  lat.push(performance.now() - s);
  if (i % 20 === 0) maxWal = Math.max(maxWal, size(`${path}-wal`));
  if (pauseEvery && i % pauseEvery === 0) await new Promise((r) => setTimeout(r, 5));
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
lat.sort((a, b) => a - b);
const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
console.log(
  JSON.stringify({
    runs,
    median: +lat[lat.length >> 1]!.toFixed(3),
    mean: +mean.toFixed(3),
    p99: +lat[Math.floor(lat.length * 0.99)]!.toFixed(2),
    max: +lat[lat.length - 1]!.toFixed(1),
    maxWalMB: +(maxWal / 1e6).toFixed(2),
    wallMs: Math.round(wall),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  }),
);
store.close();
rmSync(dirname(path), { recursive: true, force: true });

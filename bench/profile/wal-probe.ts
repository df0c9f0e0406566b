// `node --import tsx bench/profile/wal-probe.ts [steps]`: D1's loop (1 KB appended per step, one
// thread) with the file and WAL sizes sampled at every step: µs per step, the largest WAL, and the
// worst (file + WAL) / bytes appended from step 1,000 on. Used for docs/performance.md.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";

const steps = Number(process.argv[2] ?? 2000);
const path = join(mkdtempSync(join(tmpdir(), "walprobe-")), "p.db");
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const store = new SqliteCheckpointer(path);
let worst = 0;
let maxWal = 0;
const samples: string[] = [];
const graph = new StateGraph(
  z.object({
    items: reducer(
      z.array(z.string()),
      (a: string[], b: string[]) => a.concat(b),
      () => [],
    ),
  }),
)
  .addNode("step", (state) => {
    const n = state.items.length;
    const wal = size(`${path}-wal`);
    maxWal = Math.max(maxWal, wal);
    if (n >= 1000) worst = Math.max(worst, (size(path) + wal) / (n * 1024));
    if (n % 250 === 0)
      samples.push(`${n}: db ${(size(path) / 1e6).toFixed(2)} wal ${(wal / 1e6).toFixed(2)}`);
    return { items: [`${n}:`.padEnd(1024, "x")] };
  })
  .addEdge(START, "step")
  .addConditionalEdges("step", (s) => (s.items.length < steps ? "step" : END), ["step", END])
  .compile({ checkpointer: store });
const t = performance.now();
await graph.invoke({ items: [] }, { configurable: { thread_id: "t" }, recursionLimit: steps + 10 });
const ms = performance.now() - t;
console.log(samples.join("\n"));
console.log(
  `steps ${steps} ms ${ms.toFixed(0)} per step ${((ms * 1000) / steps).toFixed(0)} us; max WAL ${(maxWal / 1e6).toFixed(2)} MB; worst ratio from 1000: ${worst.toFixed(2)}; after ${(size(path) + size(path + "-wal")) / (steps * 1024)}`,
);
store.close();
console.log("after close wal", size(`${path}-wal`));
rmSync(dirname(path), { recursive: true, force: true });

// `npx tsx bench/profile/hot-path.ts [--async] [--sqlite | --null] [--runs N]`: Switchyard alone, a
// chain of 10 nodes (S1, S1A with --async, S2/S2A with --sqlite) in a loop. `--null` checkpoints to
// a checkpointer that stores nothing: the runtime's own work per commit, without the storage's. Prints per superstep: the
// promises created (async_hooks), bytes allocated (heap growth with GC off between samples is not
// reliable, so `--expose-gc` deltas over a batch), time and CPU time. Run under `node --cpu-prof`
// to profile.
import { createHook } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PerformanceObserver } from "node:perf_hooks";
import { z } from "zod";
import {
  END,
  MemoryCheckpointer,
  reducer,
  SqliteCheckpointer,
  START,
  StateGraph,
} from "../../src/index.js";

const { values: options } = parseArgs({
  options: {
    async: { type: "boolean", default: false },
    sqlite: { type: "boolean", default: false },
    null: { type: "boolean", default: false },
    runs: { type: "string", default: "5000" },
  },
});
const LENGTH = 10;
const runs = Number(options.runs);
const dir = mkdtempSync(join(tmpdir(), "switchyard-hot-path-"));
/** Commits nothing: every thread stays new, so each run takes its lease in its first commit. */
class NullCheckpointer extends MemoryCheckpointer {
  override commit(): Promise<void> {
    return Promise.resolve();
  }
}
const checkpointer = options.sqlite
  ? new SqliteCheckpointer(join(dir, "hot.db"))
  : options.null
    ? new NullCheckpointer()
    : undefined;

const builder = new StateGraph(
  z.object({
    count: reducer(
      z.number(),
      (a: number, b: number) => a + b,
      () => 0,
    ),
  }),
);
const names = Array.from({ length: LENGTH }, (_, i) => `node${i}`);
for (const name of names) {
  builder.addNode(
    name,
    options.async
      ? async () => {
          await Promise.resolve();
          return { count: 1 };
        }
      : () => ({ count: 1 }),
  );
}
const path = [START, ...names, END];
for (let i = 1; i < path.length; i += 1) builder.addEdge(path[i - 1] as string, path[i] as string);
const graph = builder.compile({ checkpointer });

let thread = 0;
async function once(): Promise<void> {
  thread += 1;
  const config = checkpointer ? { configurable: { thread_id: `t${thread}` } } : undefined;
  const result = await graph.invoke({ count: 0 }, config);
  if (result.count !== LENGTH) throw new Error(`count ${result.count}`);
}

for (let i = 0; i < Math.min(500, runs); i += 1) await once();

let promises = 0;
const hook = createHook({
  init(_id, type) {
    if (type === "PROMISE") promises += 1;
  },
});
hook.enable();
await once();
hook.disable();
const promisesPerRun = promises;

// Bytes allocated: heap growth over a batch with no collection in it (run with --expose-gc and
// --min-semi-space-size=64 so the young generation holds the batch; a batch with a GC is discarded).
const gc = (globalThis as { gc?: () => void }).gc;
let collections = 0;
const gcWatch = new PerformanceObserver((list) => (collections += list.getEntries().length));
gcWatch.observe({ entryTypes: ["gc"] });
const allocRuns = 100;
let heapBytes: number | string = "n/a";
for (let tries = 0; tries < 5 && gc && heapBytes === "n/a"; tries += 1) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
  collections = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < allocRuns; i += 1) await once();
  const heapAfter = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (collections === 0) heapBytes = Math.round((heapAfter - heapBefore) / allocRuns / LENGTH);
}
gcWatch.disconnect();

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
for (let i = 0; i < runs; i += 1) await once();
const cpu = process.cpuUsage(cpuBefore);
const elapsed = Number(process.hrtime.bigint() - started) / 1e6;

const steps = LENGTH; // supersteps that run a node (the input is applied before them)
console.log(
  JSON.stringify({
    variant: `${options.async ? "async" : "sync"} ${options.sqlite ? "sqlite" : options.null ? "null checkpointer" : "no checkpointer"}`,
    promisesPerRun,
    promisesPerSuperstep: +(promisesPerRun / steps).toFixed(1),
    heapBytesPerSuperstep: heapBytes,
    msPerRun: +(elapsed / runs).toFixed(4),
    usPerSuperstep: +((elapsed / runs / steps) * 1000).toFixed(2),
    // This process's CPU time (user + system): less inflated than the wall clock on a shared box.
    cpuUsPerSuperstep: +((cpu.user + cpu.system) / runs / steps).toFixed(2),
  }),
);
if (checkpointer instanceof SqliteCheckpointer) checkpointer.close();
rmSync(dir, { recursive: true, force: true });

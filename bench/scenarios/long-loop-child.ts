// One engine's S6 run, in a process of its own so that its peak RSS is that engine's alone.
// Usage (by long-loop.ts): long-loop-child.ts <engine> <steps> <warm-up steps> <db path>;
// the result goes back over the IPC channel, or to stdout when run by hand. The database files are
// removed once measured (LangGraph's reaches 1.3 GB).
import { existsSync, rmSync, statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { loadEngine } from "../engines/load.js";
import { ENGINE_NAMES, type BenchEngine, type EngineName } from "../engines/types.js";
import { expectValue } from "../scenario.js";

export interface LongLoopRun {
  readonly totalMs: number;
  /** Steps 1–100 and the last 100 steps (each half of the run when it has fewer than 200). */
  readonly first100Ms: number;
  readonly last100Ms: number;
  /** The database file plus its -wal, after closing. */
  readonly fileBytes: number;
  readonly maxRssBytes: number;
}

const KILOBYTE = 1024;

async function runLoop(engine: BenchEngine, steps: number, dbPath: string) {
  removeDatabase(dbPath);
  const stepStarts: number[] = [];
  const saver = engine.sqlite(dbPath);
  const graph = engine
    .graph({
      chunks: engine.reducer(
        z.array(z.string()),
        (list, more) => list.concat(more),
        () => [],
      ),
    })
    .addNode("grow", (state) => {
      stepStarts.push(performance.now());
      return { chunks: [`${state.chunks.length} `.padEnd(KILOBYTE, "x")] };
    })
    .addEdge(engine.START, "grow")
    .addConditionalEdges("grow", (state) => (state.chunks.length < steps ? "grow" : engine.END))
    .compile({ checkpointer: saver.checkpointer });

  const begin = performance.now();
  const state = await graph.invoke(
    { chunks: [] },
    // Both engines count steps differently (LangGraph needs steps + 1); neither limit is tested here.
    { configurable: { thread_id: "long-loop" }, recursionLimit: steps * 2 },
  );
  const end = performance.now();
  saver.close();
  const fileBytes = sizeOf(dbPath) + sizeOf(`${dbPath}-wal`);
  removeDatabase(dbPath);
  expectValue(engine, "the number of chunks", state.chunks.length, steps);

  // A step runs from its node's start to the next node's start (to the end of the run for the last).
  const window = Math.min(100, Math.floor(steps / 2));
  const at = (step: number) => stepStarts[step] as number;
  return {
    totalMs: end - begin,
    first100Ms: at(window) - at(0),
    last100Ms: end - at(steps - window),
    fileBytes,
  };
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

const [name, steps, warmupSteps, dbPath] = process.argv.slice(2);
if (!ENGINE_NAMES.includes(name as EngineName) || !dbPath) {
  throw new Error(
    `usage: long-loop-child.ts <${ENGINE_NAMES.join("|")}> <steps> <warm-up steps> <db>`,
  );
}
const engine = await loadEngine(name as EngineName);
if (Number(warmupSteps) > 0) {
  await runLoop(engine, Number(warmupSteps), `${dbPath}.warmup`);
}
const measured = await runLoop(engine, Number(steps), dbPath);
const run: LongLoopRun = { ...measured, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
if (process.send) process.send(run, () => process.disconnect());
else console.log(JSON.stringify(run));

// R1–R4: reads on long threads (issue 17). One SQLite file per engine holds three counter threads
// of different lengths (10, 1,000 and 10,000 steps; 10, 100 and 1,000 with --quick), built once:
// getState on each (R1), a one-step run on each (R2), the full history of the longest (R3) and
// its 10 newest checkpoints (R4).
import { join } from "node:path";
import { z } from "zod";
import type { BenchEngine, CompiledLike } from "../engines/types.js";
import { expectValue, timedScenario, type Prepared } from "../scenario.js";

type Counter = { count: number; until: number };

const sizes = (quick: boolean) => (quick ? [10, 100, 1000] : [10, 1000, 10_000]);
const built = new Map<string, Promise<void>>();

function counterLoop(engine: BenchEngine, checkpointer: unknown): CompiledLike<Counter> {
  return engine
    .graph({
      count: engine.reducer(
        z.number(),
        (a, b) => a + b,
        () => 0,
      ),
      until: z.number(),
    })
    .addNode("add", () => ({ count: 1 }))
    .addEdge(engine.START, "add")
    .addConditionalEdges("add", (state) => (state.count < state.until ? "add" : engine.END))
    .compile({ checkpointer });
}

const config = (steps: number) => ({
  configurable: { thread_id: `steps-${steps}` },
  recursionLimit: steps + 10,
});

/** The engine's file with the three threads, built on first use. */
function threadsFile(engine: BenchEngine, workDir: string, quick: boolean): Promise<string> {
  const path = join(workDir, `reads-${engine.name}.db`);
  let building = built.get(path);
  if (!building) {
    building = (async () => {
      const saver = engine.sqlite(path);
      const graph = counterLoop(engine, saver.checkpointer);
      for (const steps of sizes(quick)) await graph.invoke({ until: steps }, config(steps));
      saver.close();
    })();
    built.set(path, building);
  }
  return building.then(() => path);
}

async function opened(
  engine: BenchEngine,
  workDir: string,
  quick: boolean,
  run: (graph: CompiledLike<Counter>) => () => Promise<void>,
): Promise<Prepared> {
  const saver = engine.sqlite(await threadsFile(engine, workDir, quick));
  return { run: run(counterLoop(engine, saver.checkpointer)), close: () => saver.close() };
}

const SIZE_NAMES = ["10", "1,000", "10,000"];
const label = (index: number) => `${SIZE_NAMES[index]} steps (--quick: a tenth above 10)`;

export const getStateScenarios = [0, 1, 2].map((index) =>
  timedScenario({
    id: `R1${"abc"[index]}`,
    title: `getState of a counter thread of ${label(index)}, SQLite`,
    minRatio: 1,
    prepare: (engine, workDir, quick) =>
      opened(engine, workDir, quick, (graph) => async () => {
        const steps = sizes(quick)[index] as number;
        const state = await graph.getState(config(steps));
        expectValue(engine, "count", state.values.count >= steps, true);
      }),
  }),
);

export const oneStepScenarios = [0, 1, 2].map((index) =>
  timedScenario({
    id: `R2${"abc"[index]}`,
    title: `a one-step run on a counter thread of ${label(index)}, SQLite`,
    minRatio: 1,
    prepare: (engine, workDir, quick) =>
      opened(engine, workDir, quick, (graph) => {
        const steps = sizes(quick)[index] as number;
        let next: number | undefined;
        return async () => {
          next ??= (await graph.getState(config(steps))).values.count + 1;
          const state = await graph.invoke({ until: next }, config(steps));
          expectValue(engine, "count", state.count, next);
          next += 1;
        };
      }),
  }),
);

export const fullHistory = timedScenario({
  id: "R3",
  title: "the full history of the 10,000-step thread (--quick: 1,000), SQLite",
  minRatio: 1,
  timing: { rounds: 1 },
  prepare: (engine, workDir, quick) =>
    opened(engine, workDir, quick, (graph) => async () => {
      const steps = sizes(quick)[2] as number;
      let listed = 0;
      for await (const snapshot of graph.getStateHistory(config(steps))) {
        if (typeof snapshot.values.count === "number") listed += 1;
      }
      expectValue(engine, "history at least as long as the steps", listed > steps, true);
    }),
});

export const historyLimit = timedScenario({
  id: "R4",
  title: "the 10 newest checkpoints of the 10,000-step thread (--quick: 1,000), SQLite",
  minRatio: 1,
  prepare: (engine, workDir, quick) =>
    opened(engine, workDir, quick, (graph) => async () => {
      const steps = sizes(quick)[2] as number;
      let listed = 0;
      for await (const snapshot of graph.getStateHistory(config(steps), { limit: 10 })) {
        if (snapshot.values.count >= steps - 10) listed += 1;
      }
      expectValue(engine, "checkpoints listed", listed, 10);
    }),
});

// S1 and S2: a chain of 10 nodes, each adding 1 to a reducer counter.
import { join } from "node:path";
import { z } from "zod";
import type { BenchEngine } from "../engines/types.js";
import { expectValue, timedScenario } from "../scenario.js";

const LENGTH = 10;

/** The S1/S2 graph; exported so one engine can be profiled alone. */
export function chainGraph(engine: BenchEngine, checkpointer?: unknown) {
  const graph = engine.graph({
    count: engine.reducer(
      z.number(),
      (a, b) => a + b,
      () => 0,
    ),
  });
  const names = Array.from({ length: LENGTH }, (_, i) => `node${i}`);
  for (const name of names) graph.addNode(name, () => ({ count: 1 }));
  const path = [engine.START, ...names, engine.END];
  for (let i = 1; i < path.length; i += 1) graph.addEdge(path[i - 1] as string, path[i] as string);
  return graph.compile({ checkpointer });
}

export const chainInMemory = timedScenario({
  id: "S1",
  title: `chain of ${LENGTH} nodes, reducer counter, no checkpointer`,
  minRatio: 40,
  prepare(engine) {
    const graph = chainGraph(engine);
    return {
      run: async () =>
        expectValue(engine, "count", (await graph.invoke({ count: 0 })).count, LENGTH),
      close: () => {},
    };
  },
});

export const chainSqlite = timedScenario({
  id: "S2",
  title: `chain of ${LENGTH} nodes, SQLite file, a new thread per run`,
  minRatio: 10,
  prepare(engine, workDir) {
    const saver = engine.sqlite(join(workDir, `chain-${engine.name}.db`));
    const graph = chainGraph(engine, saver.checkpointer);
    let threads = 0;
    return {
      run: async () => {
        threads += 1;
        const state = await graph.invoke(
          { count: 0 },
          { configurable: { thread_id: `t${threads}` } },
        );
        expectValue(engine, "count", state.count, LENGTH);
      },
      close: () => saver.close(),
    };
  },
});

// S3 and S4: one node Sends to 100 workers, each appending one item; a join node counts them.
import { join } from "node:path";
import { z } from "zod";
import type { BenchEngine } from "../engines/types.js";
import { expectValue, timedScenario } from "../scenario.js";

const WORKERS = 100;

/** The S3/S4 graph; exported so one engine can be profiled alone. */
export function fanOutGraph(engine: BenchEngine, checkpointer?: unknown) {
  return engine
    .graph({
      items: engine.reducer(
        z.array(z.string()),
        (list, more) => list.concat(more),
        () => [],
      ),
      count: z.number(),
    })
    .addNode("fanOut", () => ({}))
    .addNode<{ index: number }>("worker", ({ index }) => ({ items: [`item ${index}`] }))
    .addNode("join", (state) => ({ count: state.items.length }))
    .addEdge(engine.START, "fanOut")
    .addConditionalEdges("fanOut", () =>
      Array.from({ length: WORKERS }, (_, index) => new engine.Send("worker", { index })),
    )
    .addEdge("worker", "join")
    .addEdge("join", engine.END)
    .compile({ checkpointer });
}

export const fanOutInMemory = timedScenario({
  id: "S3",
  title: `Send to ${WORKERS} workers + join, no checkpointer`,
  minRatio: 20,
  prepare(engine) {
    const graph = fanOutGraph(engine);
    return {
      run: async () =>
        expectValue(engine, "count", (await graph.invoke({ count: 0 })).count, WORKERS),
      close: () => {},
    };
  },
});

export const fanOutSqlite = timedScenario({
  id: "S4",
  title: `Send to ${WORKERS} workers + join, SQLite file, a new thread per run`,
  minRatio: 10,
  prepare(engine, workDir) {
    const saver = engine.sqlite(join(workDir, `fan-out-${engine.name}.db`));
    const graph = fanOutGraph(engine, saver.checkpointer);
    let threads = 0;
    return {
      run: async () => {
        threads += 1;
        const state = await graph.invoke(
          { count: 0 },
          { configurable: { thread_id: `t${threads}` } },
        );
        expectValue(engine, "count", state.count, WORKERS);
      },
      close: () => saver.close(),
    };
  },
});

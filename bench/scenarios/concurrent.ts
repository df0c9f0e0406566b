// C1: throughput with many threads at once — 1,000 runs of S2's chain (--quick: 50), each on a
// thread of its own, started together on one SQLite file. One call is one batch.
import { join } from "node:path";
import { expectValue, timedScenario } from "../scenario.js";
import { chainGraph } from "./chain.js";

export const concurrentThreads = timedScenario({
  id: "C1",
  title: "1,000 concurrent threads (--quick: 50), each a run of S2's chain, SQLite",
  minRatio: 1,
  timing: { rounds: 1, iterations: 2, warmupIterations: 1, timeMs: 0, warmupMs: 0 },
  prepare(engine, workDir, quick) {
    const saver = engine.sqlite(join(workDir, `concurrent-${engine.name}.db`));
    const graph = chainGraph(engine, saver.checkpointer);
    const threads = quick ? 50 : 1000;
    let batch = 0;
    return {
      run: async () => {
        batch += 1;
        const states = await Promise.all(
          Array.from({ length: threads }, (_, index) =>
            graph.invoke({ count: 0 }, { configurable: { thread_id: `b${batch}-${index}` } }),
          ),
        );
        for (const state of states) expectValue(engine, "count", state.count, 10);
      },
      close: () => saver.close(),
    };
  },
});

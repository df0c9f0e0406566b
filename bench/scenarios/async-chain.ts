// S1A and S2A: S1 and S2 as an independent harness wrote them — async nodes, LangGraph's state
// declared with `Annotation.Root` — reported by means as well as medians.
import { join } from "node:path";
import type { BenchEngine } from "../engines/types.js";
import { expectValue, timedScenario } from "../scenario.js";

const LENGTH = 10;

function asyncChain(engine: BenchEngine, checkpointer?: unknown) {
  const graph = engine.counterGraph();
  const names = Array.from({ length: LENGTH }, (_, i) => `node${i}`);
  for (const name of names) {
    graph.addNode(name, async () => {
      await Promise.resolve();
      return { count: 1 };
    });
  }
  const path = [engine.START, ...names, engine.END];
  for (let i = 1; i < path.length; i += 1) graph.addEdge(path[i - 1] as string, path[i] as string);
  return graph.compile({ checkpointer });
}

export const asyncChainInMemory = timedScenario({
  id: "S1A",
  title: `chain of ${LENGTH} async nodes, LangGraph on Annotation, no checkpointer`,
  minRatio: 40,
  prepare(engine) {
    const graph = asyncChain(engine);
    return {
      run: async () =>
        expectValue(engine, "count", (await graph.invoke({ count: 0 })).count, LENGTH),
      close: () => {},
    };
  },
});

export const asyncChainSqlite = timedScenario({
  id: "S2A",
  title: `chain of ${LENGTH} async nodes, LangGraph on Annotation, SQLite, a new thread per run`,
  minRatio: 10,
  prepare(engine, workDir) {
    const saver = engine.sqlite(join(workDir, `async-chain-${engine.name}.db`));
    const graph = asyncChain(engine, saver.checkpointer);
    let threads = 0;
    return {
      run: async () => {
        threads += 1;
        const config = { configurable: { thread_id: `t${threads}` } };
        expectValue(engine, "count", (await graph.invoke({ count: 0 }, config)).count, LENGTH);
      },
      close: () => saver.close(),
    };
  },
});

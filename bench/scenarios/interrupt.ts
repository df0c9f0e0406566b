// S5: a node calls interrupt(), the run pauses, then Command({ resume }) finishes it; SQLite.
import { join } from "node:path";
import { z } from "zod";
import { expectValue, timedScenario } from "../scenario.js";

export const interruptResume = timedScenario({
  id: "S5",
  title: "interrupt() then Command({ resume }), SQLite file, one cycle per run",
  minRatio: 5,
  prepare(engine, workDir) {
    const saver = engine.sqlite(join(workDir, `interrupt-${engine.name}.db`));
    const graph = engine
      .graph({ answer: z.string().optional() })
      .addNode("ask", () => ({ answer: engine.interrupt<string>({ question: "approve?" }) }))
      .addEdge(engine.START, "ask")
      .addEdge("ask", engine.END)
      .compile({ checkpointer: saver.checkpointer });
    let threads = 0;
    return {
      run: async () => {
        threads += 1;
        const config = { configurable: { thread_id: `t${threads}` } };
        await graph.invoke({}, config);
        const state = await graph.invoke(engine.resume("yes"), config);
        expectValue(engine, "answer", state.answer, "yes");
      },
      close: () => saver.close(),
    };
  },
});

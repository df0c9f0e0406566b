// A child for wal-crash.test.ts: a long loop appending 1 KB per step on one thread, so the WAL's
// merging thread is busy merging when the parent kills the process. Prints `ready`, then the
// number of items in the state each time a step starts (that many are committed by then).
import { z } from "zod";
import { END, reducer, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";

const [path = "", stepsArgument = "100000"] = process.argv.slice(2);
const steps = Number(stepsArgument);
const store = new SqliteCheckpointer(path);
const Items = z.object({
  items: reducer(
    z.array(z.string()),
    (list: string[], more: string[]) => list.concat(more),
    () => [],
  ),
});
const graph = new StateGraph(Items)
  .addNode("step", (state) => {
    process.stdout.write(`${state.items.length}\n`);
    return { items: [`${state.items.length}:`.padEnd(1024, "x")] };
  })
  .addEdge(START, "step")
  .addConditionalEdges("step", (state) => (state.items.length < steps ? "step" : END), [
    "step",
    END,
  ])
  .compile({ checkpointer: store });
process.stdout.write("ready\n");
await graph.invoke(
  { items: [] },
  { configurable: { thread_id: "long" }, recursionLimit: steps + 10 },
);
store.close();

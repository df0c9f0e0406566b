// The throughput scenario's graph: three nodes in a row, a durable step in the middle, no waiting,
// so a run costs what the engine, the checkpointer and the queue cost.
import { z } from "zod";
import { append, END, START, StateGraph } from "../../../src/index.js";

export const graph = new StateGraph(z.object({ n: z.number(), log: append(z.string()) }))
  .addNode("a", (state) => ({ n: state.n + 1, log: "a" }))
  .addNode("b", async (state, ctx) => ({
    n: await ctx.step("double", () => state.n * 2),
    log: "b",
  }))
  .addNode("c", (state) => ({ n: state.n + 1, log: "c" }))
  .addEdge(START, "a")
  .addEdge("a", "b")
  .addEdge("b", "c")
  .addEdge("c", END);

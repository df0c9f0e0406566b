// The server scenarios' graph on Switchyard (one node, n + 1), served by createServer.
import { z } from "zod";
import { END, START, StateGraph } from "../../src/index.js";

export const builder = new StateGraph(z.object({ n: z.number() }))
  .addNode("step", (state) => ({ n: state.n + 1 }))
  .addEdge(START, "step")
  .addEdge("step", END);

// The server scenarios' graph on LangGraph (one node, n + 1), loaded by @langchain/langgraph-api.
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ n: Annotation<number> });

export const graph = new StateGraph(State)
  .addNode("step", (state) => ({ n: state.n + 1 }))
  .addEdge(START, "step")
  .addEdge("step", END)
  .compile();

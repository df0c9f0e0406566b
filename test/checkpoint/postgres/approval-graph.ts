// The graph the lease races run: an approval, then a booking that must happen once per thread.
import { z } from "zod";
import { append, approval, END, START, StateGraph } from "../../../src/index.js";

export function approvalGraph() {
  return new StateGraph(z.object({ log: append(z.string()) }))
    .addNode("approve", () => {
      const decision = approval({ question: "Book it?" });
      return { log: `approved by ${decision.comment ?? "?"}` };
    })
    .addNode("book", () => ({ log: "booked" }))
    .addEdge(START, "approve")
    .addEdge("approve", "book")
    .addEdge("book", END);
}

export const threadIds = (count: number) =>
  Array.from({ length: count }, (_, index) => `claim-${index}`);

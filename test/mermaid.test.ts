// drawMermaid(): nodes, solid edges, dashed conditional edges with path-map labels, join edges.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Command, END, START, StateGraph } from "../src/index.js";

const noop = () => {};

function draw(): string[] {
  return new StateGraph(z.object({ x: z.number() }))
    .addNode("plan", noop)
    .addNode("left", noop)
    .addNode("right", noop)
    .addNode("join", noop)
    .addNode("review", () => new Command({ goto: "plan" }), { ends: ["plan", END] })
    .addNode("my node", noop)
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => "left", { go_left: "left", right: "right", done: END })
    .addEdge(["left", "right"], "join")
    .addEdge("join", "review")
    .addConditionalEdges("review", () => "my node", ["my node"])
    .addEdge("my node", END)
    .compile()
    .drawMermaid()
    .split("\n")
    .map((line) => line.trim());
}

describe("drawMermaid", () => {
  const lines = draw();

  it("starts a flowchart and declares START, END and every node with its name as label", () => {
    expect(lines[0]).toBe("flowchart TD");
    expect(lines).toContain("__start__([START])");
    expect(lines).toContain("__end__([END])");
    for (const name of ["plan", "left", "right", "join", "review"]) {
      expect(lines).toContain(`n_${name}["${name}"]`);
    }
  });

  it("gives a node whose name is not a safe id a safe id, keeping the name as label", () => {
    const declaration = lines.find((line) => line.endsWith('["my node"]'));
    expect(declaration).toMatch(/^n_my_node\w*\["my node"\]$/);
    const id = declaration?.split("[")[0] as string;
    expect(lines).toContain(`${id} --> __end__`);
    expect(lines).toContain(`n_review -.-> ${id}`);
  });

  it("draws plain edges solid", () => {
    expect(lines).toContain("__start__ --> n_plan");
    expect(lines).toContain("n_join --> n_review");
  });

  it("draws conditional edges dashed, labelled where the path map renames the result", () => {
    expect(lines).toContain('n_plan -. "go_left" .-> n_left');
    expect(lines).toContain('n_plan -. "done" .-> __end__');
    expect(lines).toContain("n_plan -.-> n_right");
    expect(lines.filter((line) => line.startsWith("n_plan "))).toHaveLength(3);
  });

  it("draws a join as an edge from each of its sources", () => {
    expect(lines).toContain("n_left --> n_join");
    expect(lines).toContain("n_right --> n_join");
  });

  it("draws a node's declared Command ends", () => {
    expect(lines).toContain("n_review -.-> n_plan");
    expect(lines).toContain("n_review -.-> __end__");
  });

  it("draws a router without a path map to every node and END", () => {
    const text = new StateGraph(z.object({ x: z.number() }))
      .addNode("a", noop)
      .addNode("b", noop)
      .addEdge(START, "a")
      .addConditionalEdges("a", () => END)
      .compile()
      .drawMermaid();
    for (const target of ["n_a", "n_b", "__end__"]) expect(text).toContain(`n_a -.-> ${target}`);
  });
});

describe("drawMermaid with subgraphs", () => {
  it("draws a compiled-graph node as a subgraph box with the child's nodes and edges, nested", () => {
    const S = z.object({ x: z.number() });
    const inner = new StateGraph(S)
      .addNode("ask", noop)
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    const middle = new StateGraph(S)
      .addNode("draft", noop)
      .addNode("review", inner)
      .addEdge(START, "draft")
      .addEdge("draft", "review")
      .addEdge("review", END)
      .compile();
    const lines = new StateGraph(S)
      .addNode("writer", middle)
      .addEdge(START, "writer")
      .addEdge("writer", END)
      .compile()
      .drawMermaid()
      .split("\n")
      .map((line) => line.trim());
    const box = lines.indexOf('subgraph n_writer["writer"]');
    const innerBox = lines.indexOf('subgraph n_writer__review["review"]');
    expect(box).toBeGreaterThan(0);
    expect(innerBox).toBeGreaterThan(box);
    expect(lines.indexOf('n_writer__review__ask["ask"]')).toBeGreaterThan(innerBox);
    expect(lines.filter((line) => line === "end")).toHaveLength(2);
    expect(lines).toContain("__start__ --> n_writer");
    expect(lines).toContain("n_writer --> __end__");
    expect(lines).toContain("n_writer____start__ --> n_writer__draft");
    expect(lines).toContain("n_writer__draft --> n_writer__review");
    expect(lines).toContain("n_writer__review____start__ --> n_writer__review__ask");
    expect(lines).toContain("n_writer__review__ask --> n_writer__review____end__");
  });
});

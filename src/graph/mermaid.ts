import { END, START } from "./constants.js";
import type { GraphSpec } from "./spec.js";

/**
 * Mermaid flowchart text: solid arrows for edges, dashed for conditional edges (labelled when a
 * path map renames the router's result), dotted for a node's declared Command `ends`. A node that
 * is a compiled graph is drawn as a Mermaid `subgraph` box holding the child's own nodes and edges
 * (LangGraph's xray view), to any depth; the parent's edges lead to and from the box.
 */
export function drawMermaid(spec: GraphSpec): string {
  const lines = ["flowchart TD"];
  const edges = new Set<string>();
  drawGraph(spec, "", "  ", lines, edges);
  return [...lines, ...edges].join("\n") + "\n";
}

/** Declares `spec`'s nodes (ids prefixed with `prefix`) into `lines`, and its edges into `edges`. */
function drawGraph(
  spec: GraphSpec,
  prefix: string,
  indent: string,
  lines: string[],
  edges: Set<string>,
): void {
  const id = (name: string): string =>
    name === START
      ? `${prefix}__start__`
      : name === END
        ? `${prefix}__end__`
        : safeId(prefix, name);
  lines.push(`${indent}${id(START)}([START])`);
  for (const node of spec.nodes.values()) {
    if (!node.subgraph) {
      lines.push(`${indent}${id(node.name)}["${escapeLabel(node.name)}"]`);
      continue;
    }
    lines.push(`${indent}subgraph ${id(node.name)}["${escapeLabel(node.name)}"]`);
    drawGraph(node.subgraph, `${id(node.name)}__`, `${indent}  `, lines, edges);
    lines.push(`${indent}end`);
  }
  lines.push(`${indent}${id(END)}([END])`);
  const add = (line: string): void => {
    edges.add(`  ${line}`);
  };
  for (const [source, out] of spec.outgoing) {
    for (const target of out.edges) add(`${id(source)} --> ${id(target)}`);
    for (const router of out.routers) {
      if (!router.pathMap) {
        for (const target of [...spec.nodes.keys(), END]) add(`${id(source)} -.-> ${id(target)}`);
      } else if (Array.isArray(router.pathMap)) {
        for (const target of router.pathMap as readonly string[])
          add(`${id(source)} -.-> ${id(target)}`);
      } else {
        for (const [label, target] of Object.entries(router.pathMap)) {
          add(
            label === target
              ? `${id(source)} -.-> ${id(target)}`
              : `${id(source)} -. "${escapeLabel(label)}" .-> ${id(target)}`,
          );
        }
      }
    }
  }
  for (const barrier of spec.barriers) {
    for (const source of barrier.sources) add(`${id(source)} --> ${id(barrier.target)}`);
  }
  for (const node of spec.nodes.values()) {
    for (const target of node.ends) add(`${id(node.name)} -.-> ${id(target)}`);
  }
}

function safeId(prefix: string, name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return cleaned === name
    ? `${prefix === "" ? "n_" : prefix}${name}`
    : `${prefix === "" ? "n_" : prefix}${cleaned}_${hash(name)}`;
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;");
}

import { END, START } from "./constants.js";
import type { GraphSpec } from "./spec.js";

/**
 * Mermaid flowchart text: solid arrows for edges, dashed for conditional edges (labelled when a
 * path map renames the router's result), dotted for a node's declared Command `ends`.
 */
export function drawMermaid(spec: GraphSpec): string {
  const lines = ["flowchart TD"];
  const id = (name: string): string =>
    name === START ? "__start__" : name === END ? "__end__" : safeId(name);
  lines.push(`  __start__([START])`);
  for (const node of spec.nodes.values())
    lines.push(`  ${id(node.name)}["${escapeLabel(node.name)}"]`);
  lines.push(`  __end__([END])`);
  const edges = new Set<string>();
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
  return [...lines, ...edges].join("\n") + "\n";
}

function safeId(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return cleaned === name ? `n_${name}` : `n_${cleaned}_${hash(name)}`;
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;");
}

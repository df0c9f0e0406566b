import { Graph, layout as runLayout } from "@dagrejs/dagre";
import type { GraphStructure } from "../index.js";
import { html, type SafeHtml } from "./html.js";

/** How a node stands in a thread; a node may be in none of these. */
export type NodeMark = "done" | "running" | "waiting" | "failed" | "next";

interface Point {
  readonly x: number;
  readonly y: number;
}

/** The part of dagre's graph the layout uses (its graphlib types do not resolve here). */
interface LayoutGraph {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(label: () => object): void;
  setNode(name: string, label: { width: number; height: number }): void;
  setEdge(source: string, target: string): void;
  graph(): { width?: number; height?: number };
  node(name: string): { x: number; y: number; width: number; height: number };
  edge(source: string, target: string): { points?: Point[] } | undefined;
}

const LayoutGraph = Graph as unknown as new (options: { multigraph: boolean }) => LayoutGraph;
const layoutGraph = runLayout as unknown as (graph: LayoutGraph) => void;

const START = "__start__";
const END = "__end__";
const CHAR_WIDTH = 7.6;
const NODE_HEIGHT = 34;

/**
 * The graph as inline SVG, laid out by dagre (top to bottom), each node marked with how it stands
 * in the thread. Conditional edges are dashed. Nodes carry `data-node` and `data-mark` and a
 * <title>, so the marks are readable without colour.
 */
export function graphSvg(
  structure: GraphStructure,
  marks: ReadonlyMap<string, NodeMark>,
  /** Unique on the page: prefixes the SVG's ids and the anchors of its subgraphs. */
  id = "graph",
): SafeHtml {
  const subgraphs = new Set(Object.keys(structure.subgraphs ?? {}));
  const layout = new LayoutGraph({ multigraph: false });
  layout.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 40, marginx: 10, marginy: 10 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of structure.nodes) {
    const label = labelOf(node);
    layout.setNode(node, {
      width: Math.max(70, label.length * CHAR_WIDTH + 28),
      height: NODE_HEIGHT,
    });
  }
  for (const edge of structure.edges) layout.setEdge(edge.source, edge.target);
  layoutGraph(layout);
  const size = layout.graph();
  const width = Math.ceil(size.width ?? 200);
  const height = Math.ceil(size.height ?? 100);
  const edges = structure.edges.map((edge) => {
    const points = layout.edge(edge.source, edge.target)?.points ?? [];
    const path = points
      .map(
        (point, index) => `${index === 0 ? "M" : "L"}${point.x.toFixed(1)},${point.y.toFixed(1)}`,
      )
      .join(" ");
    return html`<path
      class="edge${edge.conditional ? " conditional" : ""}"
      d="${path}"
      marker-end="url(#${id}-arrow)"
      ><title>
        ${labelOf(edge.source)} → ${labelOf(edge.target)}${edge.conditional ? " (conditional)" : ""}
      </title></path
    >`;
  });
  const nodes = structure.nodes.map((node) => {
    const box = layout.node(node);
    const mark = marks.get(node);
    const terminal = node === START || node === END;
    const subgraph = subgraphs.has(node);
    const classes = ["node", mark ?? "", terminal ? "terminal" : "", subgraph ? "subgraph" : ""]
      .filter(Boolean)
      .join(" ");
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    const shape = html`<g class="${classes}" data-node="${node}" data-mark="${mark ?? ""}">
      <title>
        ${labelOf(node)}${mark ? `: ${mark}` : ""}${subgraph ? " (subgraph: open it below)" : ""}
      </title>
      <rect
        x="${x.toFixed(1)}"
        y="${y.toFixed(1)}"
        width="${box.width.toFixed(1)}"
        height="${box.height}"
        rx="${terminal ? 17 : 6}"
      />
      <text x="${box.x.toFixed(1)}" y="${(box.y + 4.5).toFixed(1)}" text-anchor="middle"
        >${labelOf(node)}${mark === "waiting" ? " ‖" : mark === "failed" ? " ✕" : mark === "done" ? " ✓" : mark === "running" ? " …" : ""}</text
      >
    </g>`;
    return subgraph ? html`<a href="#${subgraphAnchor(id, node)}">${shape}</a>` : shape;
  });
  return html`<svg
      class="graph"
      role="group"
      aria-label="Graph of the thread, nodes marked by state"
      viewBox="0 0 ${width} ${height}"
      width="${width}"
      height="${height}"
      xmlns="http://www.w3.org/2000/svg"
    >
      <defs>
        <marker
          id="${id}-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path class="arrow" d="M0,0 L10,5 L0,10 z" />
        </marker>
      </defs>
      ${edges}${nodes}
    </svg>
    ${id === "graph" ? LEGEND : ""}`;
}

const LEGEND = html`<p class="legend" aria-hidden="true">
  <span class="badge done">✓ done</span> <span class="badge running">… running</span
  ><span class="badge waiting">‖ waiting</span> <span class="badge failed">✕ failed</span>
</p>`;

/** The id of the element that shows subgraph `node` of the graph drawn with `id`. */
export function subgraphAnchor(id: string, node: string): string {
  return `${id}-sub-${node.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

function labelOf(node: string): string {
  return node === START ? "start" : node === END ? "end" : node;
}

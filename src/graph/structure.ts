// A graph's structure as data (nodes and edges), what getGraph() returns and the server serves.
import { END, START } from "./constants.js";
import { pathMapTargets, type GraphSpec } from "./spec.js";

/** What `getGraph()` returns. */
export interface GraphStructure {
  readonly nodes: readonly string[];
  readonly edges: ReadonlyArray<{
    readonly source: string;
    readonly target: string;
    readonly conditional: boolean;
  }>;
  /** Without xray: the structure of each node that is a compiled graph, by node name; absent if none. */
  readonly subgraphs?: Readonly<Record<string, GraphStructure>>;
}

export function graphStructure(spec: GraphSpec, xray: number): GraphStructure {
  const edges = new Map<string, { source: string; target: string; conditional: boolean }>();
  const add = (source: string, target: string, conditional: boolean): void => {
    const key = `${source}\u0000${target}`;
    if (!edges.get(key) || !conditional) edges.set(key, { source, target, conditional });
  };
  const everyTarget = [...spec.nodes.keys(), END];
  for (const [source, out] of spec.outgoing) {
    for (const target of out.edges) add(source, target, false);
    for (const router of out.routers) {
      const targets = router.pathMap ? pathMapTargets(router.pathMap) : everyTarget;
      for (const target of targets) add(source, target, true);
    }
  }
  for (const barrier of spec.barriers) {
    for (const source of barrier.sources) add(source, barrier.target, false);
  }
  for (const node of spec.nodes.values()) {
    for (const target of node.ends) add(node.name, target, true);
  }
  const flat = { nodes: [START, ...spec.nodes.keys(), END], edges: [...edges.values()] };
  if (xray <= 0) {
    const subgraphs: Record<string, GraphStructure> = {};
    for (const node of spec.nodes.values()) {
      if (node.subgraph) subgraphs[node.name] = graphStructure(node.subgraph, 0);
    }
    return Object.keys(subgraphs).length > 0 ? { ...flat, subgraphs } : flat;
  }
  let drawn: GraphStructure = flat;
  for (const node of spec.nodes.values()) {
    if (node.subgraph)
      drawn = expandSubgraph(drawn, node.name, graphStructure(node.subgraph, xray - 1));
  }
  return drawn;
}

/** `graph` with node `name` replaced by `child`'s nodes (`name:node`) and edges. */
function expandSubgraph(
  graph: GraphStructure,
  name: string,
  child: GraphStructure,
): GraphStructure {
  const inner = (node: string) => `${name}:${node}`;
  const entries = child.edges.filter((edge) => edge.source === START && edge.target !== END);
  const exits = child.edges.filter((edge) => edge.target === END && edge.source !== START);
  const edges: Array<GraphStructure["edges"][number]> = [];
  for (const edge of graph.edges) {
    if (edge.target === name) {
      for (const entry of entries) edges.push({ ...edge, target: inner(entry.target) });
    } else if (edge.source === name) {
      for (const exit of exits) {
        const conditional = edge.conditional || exit.conditional;
        edges.push({ source: inner(exit.source), target: edge.target, conditional });
      }
    } else {
      edges.push(edge);
    }
  }
  for (const edge of child.edges) {
    if (edge.source === START || edge.target === END) continue;
    edges.push({ ...edge, source: inner(edge.source), target: inner(edge.target) });
  }
  const childNodes = child.nodes.filter((node) => node !== START && node !== END).map(inner);
  const nodes = graph.nodes.flatMap((node) => (node === name ? childNodes : [node]));
  return { nodes, edges };
}

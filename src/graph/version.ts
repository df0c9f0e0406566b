import { createHash } from "node:crypto";
import { pathMapTargets, type GraphSpec } from "./spec.js";

/**
 * A hash of the graph's structure: state keys (and whether each folds writes), node names, edges,
 * path maps, joins and `ends`, and the version of every subgraph node's graph. Node code is not part of it: editing what a node does keeps the
 * version; adding, removing or renaming nodes, edges or keys changes it.
 */
export function graphVersion(spec: Omit<GraphSpec, "version">): string {
  const structure = {
    state: [...spec.channels.values()]
      .map((channel) => `${channel.key}:${channel.reduce ? "reducer" : "value"}`)
      .sort(),
    nodes: [...spec.nodes.values()]
      .map(
        (node) =>
          `${node.name}->${[...node.ends].sort().join(",")}` +
          (node.subgraph ? `[${node.subgraph.version}]` : ""),
      )
      .sort(),
    edges: [...spec.outgoing]
      .map(([source, out]) => ({
        source,
        edges: [...out.edges].sort(),
        routers: out.routers.map((router) =>
          router.pathMap ? pathMapTargets(router.pathMap).sort() : ["*"],
        ),
        joins: out.barriers.map((barrier) => barrier.id).sort(),
      }))
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)),
  };
  return createHash("sha256").update(JSON.stringify(structure)).digest("hex").slice(0, 16);
}

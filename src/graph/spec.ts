import type { ChannelSpec } from "./state.js";
import type {
  CachePolicy,
  GuardOptions,
  NodeContext,
  PathMap,
  RetryPolicy,
  Router,
} from "./types.js";

/**
 * The validated, immutable description of a graph that the runtime executes. The builder produces
 * it once at compile time; nothing in it changes while graphs run.
 */
export interface GraphSpec {
  readonly name: string;
  /** Structural version: see graphVersion(). Threads are pinned to it. */
  readonly version: string;
  readonly channels: ReadonlyMap<string, ChannelSpec>;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  /** Outgoing edges per node, START included. */
  readonly outgoing: ReadonlyMap<string, Outgoing>;
  readonly barriers: readonly BarrierSpec[];
}

export interface NodeSpec {
  readonly name: string;
  readonly run: (input: unknown, ctx: NodeContext) => unknown;
  readonly retryPolicy: RetryPolicy | undefined;
  readonly timeoutMs: number | undefined;
  readonly cachePolicy?: CachePolicy;
  readonly guard?: GuardOptions;
  readonly ends: readonly string[];
  readonly description: string | undefined;
  /** Set when the node is a compiled graph (`addNode("name", compiled)`): the child's spec. */
  readonly subgraph?: GraphSpec;
}

export interface RouterSpec {
  readonly source: string;
  readonly route: Router<unknown>;
  readonly pathMap: PathMap | undefined;
}

/** `addEdge([a, b], c)`: `target` runs once every source has run since it last ran. */
export interface BarrierSpec {
  readonly id: string;
  readonly sources: readonly string[];
  readonly target: string;
}

export interface Outgoing {
  readonly edges: readonly string[];
  readonly routers: readonly RouterSpec[];
  readonly barriers: readonly BarrierSpec[];
}

/** Node names a path map can produce. */
export function pathMapTargets(pathMap: PathMap): string[] {
  return Array.isArray(pathMap) ? [...(pathMap as readonly string[])] : Object.values(pathMap);
}

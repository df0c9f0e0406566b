import {
  NoEntryPointError,
  UnknownNodeError,
  UnreachableNodeError,
  UnsatisfiableBarrierError,
} from "../errors.js";
import { END, START } from "./constants.js";
import { pathMapTargets, type GraphSpec } from "./spec.js";

/**
 * Compile-time checks. Every edge target must exist, every node must be reachable from START
 * through edges, path maps or `ends`, and every barrier source must be able to run before its join.
 */
export function validateGraph(spec: GraphSpec): void {
  const known = [...spec.nodes.keys()];
  const exists = (name: string): boolean => name === END || spec.nodes.has(name);

  for (const [source, out] of spec.outgoing) {
    if (source !== START && !spec.nodes.has(source)) {
      throw new UnknownNodeError(source, `An edge from "${source}"`, known);
    }
    for (const target of out.edges) {
      if (!exists(target))
        throw new UnknownNodeError(target, `The edge "${source}" -> "${target}"`, known);
    }
    for (const router of out.routers) {
      if (!router.pathMap) continue;
      for (const target of pathMapTargets(router.pathMap)) {
        if (!exists(target)) {
          throw new UnknownNodeError(
            target,
            `The path map of the conditional edge from "${source}"`,
            known,
          );
        }
      }
    }
  }
  for (const barrier of spec.barriers) {
    for (const source of barrier.sources) {
      if (!spec.nodes.has(source)) {
        throw new UnknownNodeError(source, `The join into "${barrier.target}"`, known);
      }
    }
    if (!spec.nodes.has(barrier.target)) {
      throw new UnknownNodeError(
        barrier.target,
        `The join from [${barrier.sources.join(", ")}]`,
        known,
      );
    }
  }
  for (const node of spec.nodes.values()) {
    for (const target of node.ends) {
      if (!exists(target))
        throw new UnknownNodeError(target, `The "ends" option of node "${node.name}"`, known);
    }
  }

  const start = spec.outgoing.get(START);
  if (
    !start ||
    (start.edges.length === 0 && start.routers.length === 0 && start.barriers.length === 0)
  ) {
    throw new NoEntryPointError();
  }

  const reachable = reachableFrom(spec, START, undefined);
  const unreachable = known.filter((name) => !reachable.has(name));
  if (unreachable.length > 0) throw new UnreachableNodeError(unreachable);

  for (const barrier of spec.barriers) {
    const beforeTarget = reachableFrom(spec, START, barrier.target);
    for (const source of barrier.sources) {
      if (!beforeTarget.has(source)) throw new UnsatisfiableBarrierError(barrier.target, source);
    }
  }
}

/** Nodes reachable from `from` without passing through `avoid`. */
function reachableFrom(spec: GraphSpec, from: string, avoid: string | undefined): Set<string> {
  const everyNode = [...spec.nodes.keys()];
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const current = queue.pop() as string;
    for (const next of successors(spec, current, everyNode)) {
      if (next === END || next === avoid || seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

function successors(spec: GraphSpec, name: string, everyNode: readonly string[]): string[] {
  const out = spec.outgoing.get(name);
  const result: string[] = [...(spec.nodes.get(name)?.ends ?? [])];
  if (!out) return result;
  result.push(...out.edges);
  for (const router of out.routers) {
    // A router without a path map may return any node.
    result.push(...(router.pathMap ? pathMapTargets(router.pathMap) : everyNode));
  }
  // A barrier target counts as reachable from each source; whether it can fire is checked separately.
  for (const barrier of out.barriers) result.push(barrier.target);
  return result;
}

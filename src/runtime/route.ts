import { END, isSend, type Send } from "../graph/constants.js";
import { pathMapTargets, type GraphSpec, type RouterSpec } from "../graph/spec.js";
import type { NodeContext, RouteResult } from "../graph/types.js";
import { InvalidRouteError, UnknownNodeError } from "../errors.js";
import { isPromiseLike, untilAborted, type AbortRace } from "./abort-race.js";
import { withWrites, type TaskOutput } from "./writes.js";

/**
 * Where a node (or START) leads after writing `writes`: its Command goto, its static edges, then
 * its routers' choices. Routers see the superstep's state with only this node's writes applied.
 * Synchronous unless a router returns a promise; `race` (the run's) waits on one.
 */
export function routeAfter(
  node: string,
  writes: TaskOutput["writes"],
  commandGoto: Array<string | Send>,
  values: Readonly<Record<string, unknown>>,
  ctx: NodeContext,
  spec: GraphSpec,
  race?: AbortRace,
): Array<string | Send> | Promise<Array<string | Send>> {
  const goto = checkGoto(node, commandGoto, spec);
  const out = spec.outgoing.get(node);
  if (!out) return goto;
  goto.push(...out.edges);
  if (out.routers.length === 0) return goto;
  const view = withWrites(values, writes, spec.channels);
  for (let index = 0; index < out.routers.length; index += 1) {
    const router = out.routers[index] as RouterSpec;
    const route: unknown = router.route(view, ctx);
    if (isPromiseLike(route)) {
      const waited = race ? race.wait(route) : untilAborted(route, ctx.signal);
      return waited.then((result) =>
        routeRest(goto, out.routers, index, result as RouteResult, view, ctx, spec, race),
      );
    }
    goto.push(...resolveRoute(router, route as RouteResult, spec));
  }
  return goto;
}

/** The rest of routeAfter once router `index` answered `result` asynchronously. */
async function routeRest(
  goto: Array<string | Send>,
  routers: readonly RouterSpec[],
  index: number,
  result: RouteResult,
  view: Readonly<Record<string, unknown>>,
  ctx: NodeContext,
  spec: GraphSpec,
  race: AbortRace | undefined,
): Promise<Array<string | Send>> {
  goto.push(...resolveRoute(routers[index] as RouterSpec, result, spec));
  for (const router of routers.slice(index + 1)) {
    let route: unknown = router.route(view, ctx);
    if (isPromiseLike(route)) {
      route = await (race ? race.wait(route) : untilAborted(route, ctx.signal));
    }
    goto.push(...resolveRoute(router, route as RouteResult, spec));
  }
  return goto;
}

/** Maps a router's result through its path map and checks every target exists. */
export function resolveRoute(
  router: RouterSpec,
  result: RouteResult,
  spec: GraphSpec,
): Array<string | Send> {
  const items: readonly unknown[] = Array.isArray(result) ? result : [result];
  const targets: Array<string | Send> = [];
  for (const item of items) {
    if (isSend(item)) {
      targets.push(checkSend(router.source, item, spec));
      continue;
    }
    if (typeof item !== "string") {
      throw new InvalidRouteError(
        router.source,
        `returned ${item === undefined ? "undefined" : typeof item}; a router must return a node name, END, a Send, or a list of these.`,
      );
    }
    let target = item;
    if (router.pathMap && !Array.isArray(router.pathMap)) {
      const mapped = (router.pathMap as Record<string, string>)[item];
      if (mapped === undefined) {
        throw new InvalidRouteError(
          router.source,
          `returned "${item}", which is not a key of its path map (${Object.keys(router.pathMap).join(", ")}).`,
        );
      }
      target = mapped;
    } else if (router.pathMap && !pathMapTargets(router.pathMap).includes(item)) {
      throw new InvalidRouteError(
        router.source,
        `returned "${item}", which is not in its path map (${pathMapTargets(router.pathMap).join(", ")}).`,
      );
    }
    if (target !== END && !spec.nodes.has(target)) {
      throw new UnknownNodeError(target, `The router of "${router.source}"`, [
        ...spec.nodes.keys(),
      ]);
    }
    targets.push(target);
  }
  return targets;
}

function checkGoto(
  node: string,
  goto: Array<string | Send>,
  spec: GraphSpec,
): Array<string | Send> {
  for (const target of goto) {
    if (isSend(target)) checkSend(node, target, spec);
    else if (target !== END && !spec.nodes.has(target)) {
      throw new UnknownNodeError(target, `Command({ goto }) from "${node}"`, [
        ...spec.nodes.keys(),
      ]);
    }
  }
  return goto;
}

function checkSend(source: string, send: Send, spec: GraphSpec): Send {
  if (!spec.nodes.has(send.node)) {
    throw new UnknownNodeError(send.node, `A Send from "${source}"`, [...spec.nodes.keys()]);
  }
  return send;
}

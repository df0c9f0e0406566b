import { Hono } from "hono";
import {
  InvalidRequestError,
  type CompiledGraph,
  type StateSnapshot,
  type ThreadRecord,
} from "../index.js";
import type { ServerEnv } from "./auth.js";
import {
  historyBody,
  parseBody,
  queryInt,
  readJson,
  stateCheckpointBody,
  updateStateBody,
} from "./bodies.js";
import type { ServerContext } from "./context.js";
import { wireState, wireUsage } from "./wire.js";

/** A thread's state: read it (latest or at a checkpoint), update it, walk its history. */
export function stateRoutes(ctx: ServerContext): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  const graphFor = async (record: ThreadRecord): Promise<CompiledGraph<never>> => {
    const graph = await ctx.graphOfThread(record);
    if (!graph) {
      throw new InvalidRequestError(
        `Thread "${record.threadId}" has no graph yet: start a run on it, or create it with metadata.graph_id.`,
      );
    }
    return graph;
  };

  const stateAt = async (threadId: string, checkpointId: string | undefined, subgraphs = false) => {
    const record = await ctx.thread(threadId);
    const graph = await ctx.graphOfThread(record);
    if (!graph) return wireState(emptySnapshot(threadId));
    const configurable = {
      thread_id: threadId,
      ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
    };
    const state = wireState(await graph.getState({ configurable }, { subgraphs }));
    // The latest state carries the thread's usage and budget (a Switchyard key the SDK passes on).
    return checkpointId === undefined
      ? { ...state, usage: wireUsage(await graph.getUsage(threadId)) }
      : state;
  };

  const subgraphs = (query: string | undefined) => query === "true" || query === "1";
  routes.get("/:thread_id/state", async (c) =>
    c.json(await stateAt(c.req.param("thread_id"), undefined, subgraphs(c.req.query("subgraphs")))),
  );
  routes.get("/:thread_id/state/:checkpoint_id", async (c) =>
    c.json(
      await stateAt(
        c.req.param("thread_id"),
        c.req.param("checkpoint_id"),
        subgraphs(c.req.query("subgraphs")),
      ),
    ),
  );
  routes.post("/:thread_id/state/checkpoint", async (c) => {
    const body = parseBody(stateCheckpointBody, await readJson(c.req), "checkpoint");
    const { checkpoint } = body;
    return c.json(
      await stateAt(c.req.param("thread_id"), checkpoint.checkpoint_id, body.subgraphs === true),
    );
  });

  routes.post("/:thread_id/state", async (c) => {
    const body = parseBody(updateStateBody, await readJson(c.req), "state update");
    const record = await ctx.thread(c.req.param("thread_id"));
    const graph = await graphFor(record);
    const checkpointId = body.checkpoint_id ?? body.checkpoint?.checkpoint_id;
    const actor = c.get("actor");
    const configurable = {
      thread_id: record.threadId,
      ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
      ...(actor ? { actor } : {}),
    };
    const config = await graph.updateState(
      { configurable },
      body.values ?? {},
      body.as_node ?? undefined,
    );
    await ctx.saveThread(record.threadId, {});
    const checkpoint = {
      thread_id: record.threadId,
      checkpoint_ns: "",
      checkpoint_id: config.configurable.checkpoint_id,
    };
    return c.json({ checkpoint, configurable: checkpoint });
  });

  const history = async (threadId: string, body: ReturnType<typeof historyBody.parse>) => {
    const record = await ctx.thread(threadId);
    const graph = await ctx.graphOfThread(record);
    if (!graph) return [];
    const before =
      typeof body.before === "string"
        ? body.before
        : (body.before?.checkpoint_id ?? body.before?.configurable?.checkpoint_id);
    const states = [];
    const options = {
      limit: body.limit ?? 10,
      ...(before ? { before: { configurable: { checkpoint_id: before } } } : {}),
      ...(body.metadata ? { filter: body.metadata } : {}),
    };
    for await (const snapshot of graph.getStateHistory(
      { configurable: { thread_id: threadId } },
      options,
    )) {
      states.push(wireState(snapshot));
    }
    return states;
  };

  routes.post("/:thread_id/history", async (c) => {
    const body = parseBody(historyBody, await readJson(c.req), "history query");
    return c.json(await history(c.req.param("thread_id"), body));
  });
  routes.get("/:thread_id/history", async (c) => {
    const limit = queryInt(c.req.query("limit"), "limit", 10);
    const before = c.req.query("before");
    return c.json(await history(c.req.param("thread_id"), { limit, before }));
  });
  return routes;
}

function emptySnapshot(threadId: string): StateSnapshot<unknown> {
  return {
    values: {},
    next: [],
    tasks: [],
    config: { configurable: { thread_id: threadId, checkpoint_ns: "" } },
    metadata: undefined,
    createdAt: undefined,
    parentConfig: undefined,
  };
}

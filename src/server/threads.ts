import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { ThreadExistsError, UnsupportedOptionError, type ThreadRecord } from "../index.js";
import type { ServerEnv } from "./auth.js";
import {
  createThreadBody,
  parseBody,
  patchThreadBody,
  readJson,
  searchThreadsBody,
} from "./bodies.js";
import type { ServerContext } from "./context.js";

/** Threads: create, read, search, update metadata, copy, delete. */
export function threadRoutes(ctx: ServerContext): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.post("/", async (c) => {
    const body = parseBody(createThreadBody, await readJson(c.req), "thread");
    if (body.supersteps && body.supersteps.length > 0) {
      throw new UnsupportedOptionError(
        "Creating a thread with supersteps",
        "Create it, then POST /threads/{id}/state for each update.",
      );
    }
    const threadId = body.thread_id ?? randomUUID();
    const existing = await ctx.findThread(threadId);
    if (existing) {
      if (body.if_exists !== "do_nothing") throw new ThreadExistsError(threadId);
      return c.json(await ctx.wireThread(existing));
    }
    const record = await ctx.saveThread(threadId, body.metadata ?? {});
    return c.json(await ctx.wireThread(record));
  });

  const search = async (query: ReturnType<typeof searchThreadsBody.parse>) => {
    const found = new Map<string, ThreadRecord>();
    for (const record of await ctx.runs.listThreads()) found.set(record.threadId, record);
    for await (const info of ctx.checkpointer.listThreads()) {
      if (!found.has(info.threadId)) {
        const record = await ctx.findThread(info.threadId);
        if (record) found.set(info.threadId, record);
      }
    }
    const threads = [];
    for (const record of found.values()) {
      if (query.ids && !query.ids.includes(record.threadId)) continue;
      const metadata = query.metadata ?? {};
      const matches = Object.entries(metadata).every(
        ([key, value]) => JSON.stringify(record.metadata[key]) === JSON.stringify(value),
      );
      if (!matches) continue;
      const thread = await ctx.wireThread(record);
      if (query.status && thread.status !== query.status) continue;
      threads.push(thread);
    }
    const sortBy = query.sort_by ?? "updated_at";
    const direction = query.sort_order === "asc" ? 1 : -1;
    return threads.sort((a, b) =>
      a[sortBy] < b[sortBy] ? -direction : a[sortBy] > b[sortBy] ? direction : 0,
    );
  };

  routes.post("/search", async (c) => {
    const query = parseBody(searchThreadsBody, await readJson(c.req), "thread search");
    const threads = await search(query);
    const offset = query.offset ?? 0;
    c.header("X-Pagination-Total", String(threads.length));
    return c.json(threads.slice(offset, offset + (query.limit ?? 10)));
  });
  routes.post("/count", async (c) => {
    const query = parseBody(searchThreadsBody, await readJson(c.req), "thread count");
    return c.json((await search(query)).length);
  });

  routes.get("/:thread_id", async (c) => {
    return c.json(await ctx.wireThread(await ctx.thread(c.req.param("thread_id"))));
  });
  routes.patch("/:thread_id", async (c) => {
    const body = parseBody(patchThreadBody, await readJson(c.req), "thread update");
    const record = await ctx.thread(c.req.param("thread_id"));
    const saved = await ctx.saveThread(record.threadId, body.metadata ?? {});
    return c.json(await ctx.wireThread(saved));
  });
  routes.delete("/:thread_id", async (c) => {
    const record = await ctx.thread(c.req.param("thread_id"));
    const active = await ctx.executor.active(record.threadId);
    if (active) {
      await active.cancel();
      await active.done;
    }
    if (await ctx.checkpointer.getThread(record.threadId)) {
      await ctx.checkpointer.deleteThread(record.threadId);
    }
    await ctx.runs.deleteThread(record.threadId);
    return c.body(null, 204);
  });
  routes.post("/:thread_id/copy", async (c) => {
    const record = await ctx.thread(c.req.param("thread_id"));
    const copyId = randomUUID();
    const graph = await ctx.graphOfThread(record);
    if (graph && (await ctx.checkpointer.getThread(record.threadId))) {
      await graph.copyThread({ configurable: { thread_id: record.threadId } }, copyId);
    }
    const copy = await ctx.saveThread(copyId, { ...record.metadata });
    return c.json(await ctx.wireThread(copy));
  });
  return routes;
}

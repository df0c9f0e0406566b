import { Hono } from "hono";
import { z } from "zod";
import type { ServerEnv } from "./auth.js";
import { parseBody, readJson, searchAssistantsBody } from "./bodies.js";
import type { ServerContext } from "./context.js";
import { wireAssistant } from "./wire.js";

/** Assistants: one per graph the server was started with, named after it; read-only. */
export function assistantRoutes(ctx: ServerContext): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  const all = () =>
    [...ctx.graphs.entries()].map(([name, served]) =>
      wireAssistant(name, served.description, ctx.startedAt),
    );

  const search = (query: z.output<typeof searchAssistantsBody>) =>
    all().filter(
      (assistant) =>
        (query.graph_id == null || assistant.graph_id === query.graph_id) &&
        (query.name == null || assistant.name.includes(query.name)) &&
        Object.entries(query.metadata ?? {}).every(
          ([key, value]) => (assistant.metadata as Record<string, unknown>)[key] === value,
        ),
    );

  routes.post("/search", async (c) => {
    const query = parseBody(searchAssistantsBody, await readJson(c.req), "assistant search");
    const matching = search(query);
    const offset = query.offset ?? 0;
    c.header("X-Pagination-Total", String(matching.length));
    return c.json(matching.slice(offset, offset + (query.limit ?? 10)));
  });
  routes.post("/count", async (c) => {
    const query = parseBody(searchAssistantsBody, await readJson(c.req), "assistant search");
    return c.json(search(query).length);
  });
  routes.get("/:id", (c) => {
    const assistant = ctx.assistant(c.req.param("id"));
    return c.json(wireAssistant(assistant.id, assistant.description, ctx.startedAt));
  });
  routes.get("/:id/graph", (c) => {
    const { graph } = ctx.assistant(c.req.param("id"));
    const xray = c.req.query("xray");
    const depth =
      xray === undefined || xray === "false" ? 0 : xray === "true" ? true : Number(xray);
    const structure = graph.getGraph({ xray: Number.isNaN(depth) ? 0 : depth });
    return c.json({
      nodes: structure.nodes.map((id) => ({
        id,
        type: id === "__start__" || id === "__end__" ? "schema" : "runnable",
        data: id,
      })),
      edges: structure.edges.map((edge) => ({ ...edge })),
    });
  });
  routes.get("/:id/schemas", (c) => {
    const assistant = ctx.assistant(c.req.param("id"));
    const schema = assistant.schema;
    const json = (io: "input" | "output") =>
      schema ? z.toJSONSchema(schema, { io, unrepresentable: "any" }) : null;
    return c.json({
      graph_id: assistant.id,
      input_schema: json("input"),
      output_schema: json("output"),
      state_schema: json("output"),
      config_schema: null,
      context_schema: null,
    });
  });
  routes.get("/:id/subgraphs", (c) => {
    ctx.assistant(c.req.param("id"));
    return c.json({});
  });
  return routes;
}

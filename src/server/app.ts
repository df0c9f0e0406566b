import { Hono } from "hono";
import { EndpointNotFoundError } from "../index.js";
import { assistantRoutes } from "./assistants.js";
import { sweepDeadlines } from "./deadlines.js";
import { browserAccess, requireApiKey, type ServerEnv } from "./auth.js";
import { ServerContext } from "./context.js";
import { limitBody, rateLimit } from "./limits.js";
import type { ServerOptions } from "./options.js";
import { resumeUnfinished } from "./resume.js";
import { pruneRunEvents } from "./retention.js";
import { runRoutes } from "./runs.js";
import { stateRoutes } from "./state.js";
import { threadRoutes } from "./threads.js";
import { createConsole } from "../web/index.js";
import { wireError } from "./wire.js";

/** How long stored run events are kept after their run ended, unless told otherwise. */
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** What `createServer` returns: the routes, and how to stop the runs in flight. */
export interface SwitchyardServer {
  /** The Hono app: mount it, or hand `app.fetch` to any server that speaks the Fetch API. */
  readonly app: Hono<ServerEnv>;
  /**
   * Takes up again the runs a previous process left pending or running (from their thread's last
   * checkpoint), starts the deadline sweeps and the pruning of old run events; answers how many
   * runs it took up. Call once before serving.
   */
  start(): Promise<number>;
  /** Cancels every active run and waits until each has stopped at a checkpoint. */
  close(): Promise<void>;
}

/**
 * The LangGraph Agent Server API over Switchyard graphs: assistants, threads, state, runs with SSE
 * streaming, as `@langchain/langgraph-sdk`'s `Client` calls them. `switchyard serve` runs it on
 * Node; an app can mount `app` in its own server.
 *
 * @example
 * const checkpointer = new SqliteCheckpointer("app.db");
 * const server = createServer({
 *   graphs: { support: { graph: builder.compile({ checkpointer }), schema: builder.schema } },
 *   checkpointer,
 *   runs: new SqliteRunStore("app.db"),
 * });
 * await server.start();
 * serve({ fetch: server.app.fetch, port: 2024 }); // from @hono/node-server
 */
export function createServer(options: ServerOptions): SwitchyardServer {
  const graphs = new Map(Object.entries(options.graphs));
  const ctx = new ServerContext(
    graphs,
    options.checkpointer,
    options.runs,
    options.queue,
    options.runTimeoutMs,
  );
  const app = new Hono<ServerEnv>();

  app.onError((error, c) => {
    const { status, body } = wireError(error);
    if (status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return c.json(body, status);
  });
  app.notFound((c) => {
    const { status, body } = wireError(new EndpointNotFoundError(c.req.method, c.req.path));
    return c.json(body, status);
  });

  // The console at / (before the key check: its frame loads without a key, its data checks it).
  app.route("/", createConsole({ ...options, api: (request) => app.fetch(request) }));

  if (options.apiKeys && Object.keys(options.apiKeys).length > 0) {
    app.use("*", browserAccess(options.corsOrigins));
    app.use("*", requireApiKey(options.apiKeys));
    if (options.requestsPerMinute) {
      app.use("*", rateLimit({ requestsPerMinute: options.requestsPerMinute }));
    }
  }
  app.use("*", limitBody(options.maxBodyBytes ?? 1024 * 1024));

  app.get("/ok", (c) => c.json({ ok: true }));
  app.get("/info", (c) =>
    c.json({
      version: "switchyard",
      flags: { assistants: true, crons: false, langsmith: false },
    }),
  );
  app.route("/assistants", assistantRoutes(ctx));
  const { threadRuns, statelessRuns } = runRoutes(ctx, options.heartbeatMs ?? 10_000);
  app.route("/threads", stateRoutes(ctx));
  app.route("/threads", threadRuns);
  app.route("/threads", threadRoutes(ctx));
  app.route("/runs", statelessRuns);

  let stopSweeps: (() => Promise<void>) | undefined;
  let stopPruning: (() => void) | undefined;
  return {
    app,
    start: async () => {
      // With a queue the workers own runs, sweeps and retention (docs/scale-out.md).
      if (options.queue) return 0;
      const resumed = await resumeUnfinished(ctx);
      const log = options.log ?? ((line: string) => console.log(line));
      stopSweeps ??= sweepDeadlines(graphs, options.sweepEveryMs ?? 60_000, log);
      stopPruning ??= pruneRunEvents(options.runs, options.keepRunEventsMs ?? WEEK_MS, log);
      return resumed;
    },
    close: async () => {
      stopPruning?.();
      await stopSweeps?.();
      await ctx.executor.shutdown();
    },
  };
}

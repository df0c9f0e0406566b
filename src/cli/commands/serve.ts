import type { AddressInfo } from "node:net";
import { serve as listen } from "@hono/node-server";
import {
  PostgresRunQueue,
  PostgresRunStore,
  SqliteRunStore,
  UnsafeBindError,
  type ThreadStore,
} from "../../index.js";
import { createServer, parseApiKeys, type ServedGraph } from "../../server/index.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { compileGraph, listGraphFiles, loadGraph } from "../graphs.js";
import { nonNegative, positive } from "../option-values.js";

export interface ServeOptions {
  port?: string;
  host?: string;
  sweepEvery?: string;
  rateLimit?: string;
  leaseSeconds?: string;
  corsOrigins?: string;
  runTimeout?: string;
  keepRunEvents?: string;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/;

/**
 * `switchyard serve`: the LangGraph Agent Server API over the graphs folder, on the database, until
 * SIGTERM or SIGINT; then it stops accepting, cancels the runs in flight (each stops at its last
 * checkpoint) and exits 0. With --postgres it executes nothing: it records and queues runs on that
 * database for `switchyard worker` processes and relays the events they store.
 */
export async function serve(ctx: CliContext, options: ServeOptions): Promise<number> {
  const port = Number(options.port ?? "2024");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(
      "INVALID_PORT",
      `--port must be a port number, got "${options.port}".`,
      EXIT.usage,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const sweepSeconds = nonNegative(options.sweepEvery, {
    name: "--sweep-every",
    unit: "seconds",
    fallback: 60,
    zeroMeans: "turns deadline sweeps off",
    code: "INVALID_SWEEP_INTERVAL",
  });
  const requestsPerMinute = nonNegative(options.rateLimit, {
    name: "--rate-limit",
    unit: "requests per minute",
    fallback: 0,
    whole: true,
    zeroMeans: "turns it off",
    code: "INVALID_RATE_LIMIT",
  });
  const leaseSeconds = positive(options.leaseSeconds, {
    name: "--lease-seconds",
    unit: "seconds",
    fallback: 30,
    code: "INVALID_LEASE",
  });
  const runTimeoutSeconds = nonNegative(options.runTimeout, {
    name: "--run-timeout",
    unit: "seconds",
    fallback: 0,
    zeroMeans: "turns it off",
  });
  const keepDays = nonNegative(options.keepRunEvents, {
    name: "--keep-run-events",
    unit: "days",
    fallback: 7,
    zeroMeans: "turns it off",
  });
  const apiKeys = parseApiKeys(process.env.SWITCHYARD_API_KEYS);
  if (!apiKeys && !LOOPBACK.test(host)) throw new UnsafeBindError(host);
  const corsOrigins = corsOriginsOf(options.corsOrigins, apiKeys !== undefined);

  const url = ctx.postgres;
  // A server starts threads, like `run`: it creates the database when there is none yet.
  const checkpointer: ThreadStore = ctx.checkpointer({
    create: true,
    leaseMs: leaseSeconds * 1000,
  });
  const graphs: Record<string, ServedGraph> = {};
  for (const file of listGraphFiles(ctx.graphsDir)) {
    const loaded = await loadGraph(file);
    const compiled = compileGraph(loaded, checkpointer);
    graphs[loaded.name] = {
      graph: compiled,
      schema: compiled.schema,
      ...(loaded.description ? { description: loaded.description } : {}),
    };
  }
  const runs = url ? new PostgresRunStore(url) : new SqliteRunStore(ctx.dbPath);
  try {
    // Fails here, with the checkpointer's named error, when the database cannot be reached.
    if (url) await checkpointer.getThread("switchyard-serve-probe");
    const server = createServer({
      graphs,
      checkpointer,
      runs,
      ...(runs instanceof PostgresRunStore ? { queue: new PostgresRunQueue(runs) } : {}),
      // With a queue the workers sweep deadlines (graphile-worker's crontab, once per fleet).
      sweepEveryMs: url ? 0 : sweepSeconds * 1000,
      runTimeoutMs: runTimeoutSeconds * 1000,
      keepRunEventsMs: keepDays * 24 * 3600 * 1000,
      ...(requestsPerMinute > 0 ? { requestsPerMinute } : {}),
      ...(corsOrigins ? { corsOrigins } : {}),
      log: ctx.out,
      ...(apiKeys ? { apiKeys } : {}),
    });
    const resumed = await server.start();
    const http = await new Promise<ReturnType<typeof listen>>((resolve) => {
      const started = listen({ fetch: server.app.fetch, port, hostname: host }, () =>
        resolve(started),
      );
    });
    const { port: bound } = http.address() as AddressInfo;
    const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    ctx.out(`switchyard serve: http://${shown}:${bound}`);
    ctx.out(`  graphs: ${Object.keys(graphs).join(", ") || "(none)"} (from ${ctx.graphsDir})`);
    ctx.out(
      url
        ? `  database: ${ctx.dbPath} (runs are queued for \`switchyard worker\` processes)`
        : `  database: ${ctx.dbPath}`,
    );
    ctx.out(
      apiKeys
        ? `  API keys: ${Object.keys(apiKeys).join(", ")} (x-api-key required; CORS open to ${corsOrigins ? corsOrigins.join(", ") : "any origin"})`
        : "  no API keys: listening on loopback only, no CORS",
    );
    if (resumed > 0) {
      ctx.out(`  ${resumed} run(s) left unfinished by a previous server taken up again`);
    }
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    ctx.out("switchyard serve: stopping (cancelling runs in flight)");
    http.close();
    await server.close();
    if ("closeAllConnections" in http) http.closeAllConnections();
    ctx.out("switchyard serve: stopped");
    return EXIT.done;
  } finally {
    await runs.close();
  }
}

/** `--cors-origins a,b`: origins like `https://host:port`; refused without API keys. */
function corsOriginsOf(text: string | undefined, withKeys: boolean): string[] | undefined {
  if (text === undefined) return undefined;
  if (!withKeys) {
    throw new CliError(
      "CORS_WITHOUT_KEYS",
      "--cors-origins needs API keys (SWITCHYARD_API_KEYS): without keys the server answers no " +
        "browser origin, so that no web page can drive it.",
      EXIT.usage,
    );
  }
  const origins = text.split(",").map((origin) => origin.trim());
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new CliError(
        "INVALID_CORS_ORIGIN",
        `--cors-origins takes origins like "https://chat.example.com" or "http://localhost:3000", comma-separated; got "${origin}".`,
        EXIT.usage,
      );
    }
  }
  return origins;
}

// The two servers of the server scenarios, in this process on loopback: `switchyard serve`'s app
// (SQLite file, run records and events stored) and LangGraph's own in-memory Agent Server
// (`startServer` of @langchain/langgraph-api), both serving the same one-node graph as "bench".
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { SqliteCheckpointer, SqliteRunStore } from "../../src/index.js";
import { createServer } from "../../src/server/index.js";
import type { EngineName } from "../engines/types.js";
import { builder } from "./switchyard-graph.js";

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export function startServer(engine: EngineName, workDir: string): Promise<RunningServer> {
  return engine === "switchyard" ? startSwitchyard(workDir) : startLangGraph(workDir);
}

async function startSwitchyard(workDir: string): Promise<RunningServer> {
  const db = join(workDir, "server.db");
  const checkpointer = new SqliteCheckpointer(db);
  const runs = new SqliteRunStore(db);
  const graph = builder.compile({ checkpointer, name: "bench" }) as never;
  const server = createServer({
    graphs: { bench: { graph } },
    checkpointer,
    runs,
    sweepEveryMs: 0,
    log: () => {},
  });
  await server.start();
  const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve(started),
    );
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      http.close();
      await server.close();
      if ("closeAllConnections" in http) http.closeAllConnections();
      runs.close();
      checkpointer.close();
    },
  };
}

async function startLangGraph(workDir: string): Promise<RunningServer> {
  process.env.LOG_LEVEL ??= "error";
  const { startServer: startAgentServer } = await import("@langchain/langgraph-api/server");
  const graphFile = fileURLToPath(new URL("./langgraph-graph.ts", import.meta.url));
  const { host, cleanup } = await startAgentServer({
    port: 0,
    nWorkers: 1,
    host: "127.0.0.1",
    cwd: workDir,
    graphs: { bench: `${graphFile}:graph` },
  });
  return { url: `http://${host}`, close: cleanup };
}

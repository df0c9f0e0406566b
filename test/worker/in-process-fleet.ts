// A fleet in one process for the worker tests: a fresh database, the graphs' PostgresCheckpointer,
// and an API server that only queues (createServer with a PostgresRunQueue) on a free port of
// 127.0.0.1. Workers are started by the tests (startWorker on `workerRuns`), when they need them.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@langchain/langgraph-sdk";
import {
  PostgresCheckpointer,
  PostgresRunQueue,
  PostgresRunStore,
  type CompiledGraph,
} from "../../src/index.js";
import { createServer } from "../../src/server/index.js";
import type { SwitchyardWorker } from "../../src/worker/index.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

export interface InProcessFleet {
  readonly database: TestDatabase;
  readonly checkpointer: PostgresCheckpointer;
  /** The run store the workers use (its own pool, as a separate process would have). */
  readonly workerRuns: PostgresRunStore;
  /** LangGraph's SDK client on the API server, without retries. */
  client(): Client;
  /** Stops the workers given, the server, the pools, and drops the database. */
  stop(workers: ReadonlyArray<SwitchyardWorker | undefined>): Promise<void>;
}

export async function startInProcessFleet(options: {
  readonly prefix: string;
  readonly leaseMs: number;
  /** The graphs by assistant name, compiled with the fleet's checkpointer. */
  readonly graphs: (
    checkpointer: PostgresCheckpointer,
  ) => Readonly<Record<string, CompiledGraph<never>>>;
}): Promise<InProcessFleet> {
  const database = await createTestDatabase(options.prefix);
  const checkpointer = new PostgresCheckpointer(database.url, { leaseMs: options.leaseMs });
  const serverRuns = new PostgresRunStore(database.url);
  const workerRuns = new PostgresRunStore(database.url);
  const graphs = options.graphs(checkpointer);
  const server = createServer({
    graphs: Object.fromEntries(Object.entries(graphs).map(([name, graph]) => [name, { graph }])),
    checkpointer,
    runs: serverRuns,
    queue: new PostgresRunQueue(serverRuns),
    log: () => undefined,
  });
  await server.start();
  const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve(started),
    );
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    database,
    checkpointer,
    workerRuns,
    client: () => new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }),
    async stop(workers) {
      await Promise.all(workers.map((worker) => worker?.stop() ?? Promise.resolve()));
      await server.close();
      http.close();
      await serverRuns.close();
      await workerRuns.close();
      await checkpointer.close();
      await database.drop();
    },
  };
}

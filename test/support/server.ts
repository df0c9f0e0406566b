// Starts a real `switchyard serve` process (node bin/switchyard.js … serve --port 0) on a fresh
// database, and always stops it when the test finishes.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll } from "vitest";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(REPO_ROOT, "bin", "switchyard.js");

/** The graphs the server tests use: `slow` and `expense-approval`. */
export const SERVER_GRAPHS = "test/server/fixtures/graphs";

export interface ServerOptions {
  /** Graphs folder relative to the repository root. */
  readonly graphs?: string;
  /** SWITCHYARD_API_KEYS for the process. */
  readonly apiKeys?: string;
  /** A database path to reuse (for restarts); a fresh temporary one otherwise. */
  readonly db?: string;
  /** A Postgres database instead of the SQLite file: `serve --postgres URL` (runs go to workers). */
  readonly postgres?: string;
  readonly args?: readonly string[];
}

export interface RunningServer {
  readonly url: string;
  readonly db: string;
  /** Everything the process printed so far. */
  output(): string;
  /** A real LangGraph SDK client for this server, without retries so failures show at once. */
  client(apiKey?: string): Client;
  /** SIGTERM, then the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
  /** SIGKILL at once, as a crash: nothing is cleaned up; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Deletes the temporary folder (call after stop). */
  remove(): void;
}

/**
 * Starts the server and resolves once it prints its URL. The caller must `stop()` and `remove()`
 * it (serverForFile does).
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-"));
  const db = options.db ?? join(dir, "switchyard.db");
  const child = spawn(
    process.execPath,
    [
      BIN,
      ...(options.postgres ? ["--postgres", options.postgres] : ["--db", db]),
      "--graphs",
      options.graphs ?? SERVER_GRAPHS,
      "serve",
      "--port",
      "0",
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SWITCHYARD_DB: undefined,
        SWITCHYARD_API_KEYS: options.apiKeys,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (data: string) => (output += data));
  child.stderr?.setEncoding("utf8").on("data", (data: string) => (output += data));
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code)),
  );
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  let url: string;
  try {
    url = await waitForUrl(child, () => output, exited);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    db,
    output: () => output,
    client: (apiKey) =>
      new Client({ apiUrl: url, apiKey: apiKey ?? null, callerOptions: { maxRetries: 0 } }),
    stop,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * One server for every test of a file: started before the first, stopped (and its temporary
 * folder deleted) after the last, whatever happened in between.
 */
export function serverForFile(options: ServerOptions = {}): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startServer(options);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    server?.remove();
  });
  return () => {
    if (!server) throw new Error("the server did not start");
    return server;
  };
}

async function waitForUrl(
  child: ChildProcess,
  output: () => string,
  exited: Promise<number | null>,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  let ended = false;
  void exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    const match = /^switchyard serve: (http:\/\/\S+)$/m.exec(output());
    if (match?.[1]) return match[1];
    if (ended) throw new Error(`switchyard serve exited (${String(child.exitCode)}):\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`switchyard serve printed no URL within 15 s:\n${output()}`);
}

// Starts a real `switchyard worker --postgres URL` process (node bin/switchyard.js … worker) and
// stops it by SIGTERM (drain) or SIGKILL (a crash) when the test says so.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(REPO_ROOT, "bin", "switchyard.js");

export interface WorkerProcessOptions {
  /** The fleet's database. */
  readonly postgres: string;
  /** Graphs folder relative to the repository root. */
  readonly graphs: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface WorkerProcess {
  readonly pid: number;
  /** The id it claims runs under (`server_runs.worker_id`). */
  readonly workerId: string;
  output(): string;
  /** kill -9: no drain, no release; its runs move when their leases expire. */
  kill(): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after 30 s). */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts the worker and resolves once it prints its id (it is then taking jobs). */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--graphs",
      options.graphs,
      "worker",
      "--postgres",
      options.postgres,
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SWITCHYARD_POSTGRES: undefined, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (data: string) => (output += data));
  child.stderr.setEncoding("utf8").on("data", (data: string) => (output += data));
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code)),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + 30_000;
  let workerId: string | undefined;
  while (workerId === undefined) {
    workerId = /^switchyard worker (\S+):/m.exec(output)?.[1];
    if (workerId) break;
    if (ended || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `switchyard worker did not start (exit ${String(child.exitCode)}):\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid as number,
    workerId,
    output: () => output,
    exited,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway PostgreSQL cluster from the machine's own (Debian) server binaries: `initdb` into a
 * temp folder as the `postgres` user, listening on a free port of 127.0.0.1 only, removed by `stop()`.
 * Set SWITCHYARD_TEST_POSTGRES to a connection string to use a server of your own instead.
 */
export interface PostgresCluster {
  /** Connection string of the cluster's `postgres` database, as superuser `postgres`. */
  readonly url: string;
  /** The cluster's folder (undefined for a server of your own). */
  readonly dir: string | undefined;
  stop(): void;
}

const CLUSTER_PREFIX = "switchyard-pg-";
/** The pid of the test process that started the cluster, kept in the cluster's folder. */
const OWNER_FILE = "owner.pid";

export class PostgresUnavailableError extends Error {
  readonly code = "POSTGRES_UNAVAILABLE";
}

export function findPostgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new PostgresUnavailableError(
      "PostgreSQL server binaries were not found under /usr/lib/postgresql. Install them with " +
        "`apt-get install -y postgresql` (.ci/run does this), or set SWITCHYARD_TEST_POSTGRES to a " +
        "connection string of a server the tests may create databases on.",
    );
  }
  return join(root, versions[0]!, "bin");
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary as `postgres` when we are root (initdb and postgres refuse to run as root). */
function asPostgres(bin: string, args: string[]): string[] {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  return isRoot ? ["runuser", "-u", "postgres", "--", bin, ...args] : [bin, ...args];
}

function run(command: string[], what: string): void {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  if (result.status !== 0) {
    throw new PostgresUnavailableError(
      `${what} failed (exit ${String(result.status)}): ${result.stderr || result.stdout}`,
    );
  }
}

function stopCluster(bin: string, dir: string): void {
  const data = join(dir, "data");
  if (existsSync(join(data, "postmaster.pid"))) {
    const stop = asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    spawnSync(stop[0]!, stop.slice(1));
  }
  rmSync(dir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops and removes the clusters whose test process is gone: a run killed before its teardown
 * (a timeout, Ctrl-C twice) would otherwise leave its server running. Returns the folders removed.
 */
export function sweepStaleClusters(root: string = tmpdir()): string[] {
  const removed: string[] = [];
  let bin: string | undefined;
  for (const name of readdirSync(root)) {
    if (!name.startsWith(CLUSTER_PREFIX)) continue;
    const dir = join(root, name);
    const owner = join(dir, OWNER_FILE);
    if (!existsSync(owner)) continue;
    const pid = Number(readFileSync(owner, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    bin ??= findPostgresBin();
    stopCluster(bin, dir);
    removed.push(dir);
  }
  return removed;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const own = process.env["SWITCHYARD_TEST_POSTGRES"];
  if (own !== undefined && own !== "") return { url: own, dir: undefined, stop: () => undefined };

  const bin = findPostgresBin();
  sweepStaleClusters();
  const dir = mkdtempSync(join(tmpdir(), CLUSTER_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot) execFileSync("chown", ["postgres:postgres", dir]);
  run(
    asPostgres(join(bin, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
    ]),
    "initdb",
  );
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-h 127.0.0.1",
    `-k ${dir}`,
    "-c max_connections=300",
    "-c shared_buffers=64MB",
    // A throwaway cluster: durability of the cluster itself is not under test here.
    "-c fsync=off",
    "-c full_page_writes=off",
  ].join(" ");
  run(
    asPostgres(join(bin, "pg_ctl"), [
      "-D",
      data,
      "-o",
      options,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]),
    "pg_ctl start",
  );
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    stop() {
      if (stopped) return;
      stopped = true;
      stopCluster(bin, dir);
    },
  };
}

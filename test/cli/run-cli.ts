// Runs the real `switchyard` command — `node bin/switchyard.js …` from the repository root, the way
// a user does after `npm install` — and reads what it prints.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { onTestFinished } from "vitest";
import { SqliteCheckpointer } from "../../src/index.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(REPO_ROOT, "bin", "switchyard.js");

/** Graph folders for `--graphs`, relative to the repository root (the CLI's working directory). */
export const FIXTURE_GRAPHS = "test/cli/fixtures/graphs";
export const BROKEN_GRAPHS = "test/cli/fixtures/broken";
/** Graphs about time: an approval with a deadline from its input, a node that takes a minute. */
export const TIMING_GRAPHS = "test/cli/fixtures/timing";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `switchyard ...args` and resolves when it exits. stdin is not a terminal. SWITCHYARD_DB and
 * SWITCHYARD_POSTGRES are removed from the inherited environment, so a test that forgets `--db`
 * cannot touch a real database by accident; pass them in `env` to test them. Runs in the repository root unless `cwd` says.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd: string = REPO_ROOT,
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: {
      ...process.env,
      SWITCHYARD_DB: undefined,
      SWITCHYARD_POSTGRES: undefined,
      NO_COLOR: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (data: string) => (stdout += data));
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Workspace {
  /** A temporary folder, deleted when the test finishes. */
  readonly dir: string;
  /** A database path inside it (not created until a command opens it). */
  readonly db: string;
  /**
   * `switchyard --db <db> --exit-code [--graphs <graphs>] ...args`: with --exit-code, so a run
   * that waits for a decision exits 3, as scripts that ask for it see.
   */
  readonly cli: (...args: string[]) => Promise<CliResult>;
}

/**
 * A fresh database path for one test, with the fixture graphs unless `graphs` says otherwise. The
 * file does not exist until a command creates it; with `initialised` it is created up front, for
 * tests whose first commands run at the same time.
 */
export function workspace(
  graphs: string | null = FIXTURE_GRAPHS,
  options: { initialised?: boolean } = {},
): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, "switchyard.db");
  if (options.initialised) new SqliteCheckpointer(db).close();
  const graphArgs = graphs === null ? [] : ["--graphs", graphs];
  return {
    dir,
    db,
    cli: (...args) => runCli(["--db", db, "--exit-code", ...graphArgs, ...args]),
  };
}

/** The thread a `run` started: from its first line, `▶ <graph> on thread <id>`. */
export function threadOf(stdout: string): string {
  const match = /^▶ \S+ on thread (\S+)$/m.exec(stdout);
  if (!match?.[1]) throw new Error(`no "▶ … on thread …" line in:\n${stdout}`);
  return match[1];
}

/** The interrupt ids of the `⏸ <node> waits for a decision (interrupt <id>)` lines, by node. */
export function waitingOf(stdout: string): Record<string, string> {
  const waiting: Record<string, string> = {};
  for (const match of stdout.matchAll(/^ {2}⏸ (\S+) waits for a decision \(interrupt (\w+)\)$/gm)) {
    waiting[match[1] as string] = match[2] as string;
  }
  return waiting;
}

export interface Superstep {
  /** undefined for progress lines printed before any `superstep N` header. */
  readonly step: number | undefined;
  /**
   * "▸ node" when it starts, "✓ node" when it finished and showed its duration as "(N ms)", "✗ node"
   * when it failed.
   */
  readonly events: string[];
}

/**
 * The live progress of a run, grouped under its `superstep N` headers. A finish line without a
 * duration is kept verbatim, so that comparing with "✓ node" fails and shows it.
 */
export function progressOf(stdout: string): Superstep[] {
  const steps: Array<{ step: number | undefined; events: string[] }> = [];
  for (const line of stdout.split("\n")) {
    const header = /^superstep (\d+)$/.exec(line);
    if (header) {
      steps.push({ step: Number(header[1]), events: [] });
      continue;
    }
    const started = /^ {2}▸ (\S+)$/.exec(line);
    const finished = /^ {2}✓ (\S+) \(\d+ ms\)$/.exec(line);
    const failed = /^ {2}✗ (\S+) failed: /.exec(line);
    const event = started
      ? `▸ ${started[1]}`
      : finished
        ? `✓ ${finished[1]}`
        : failed
          ? `✗ ${failed[1]}`
          : line.startsWith("  ✓ ")
            ? line
            : undefined;
    if (event === undefined) continue;
    if (steps.length === 0) steps.push({ step: undefined, events: [] });
    steps.at(-1)?.events.push(event);
  }
  return steps;
}

/** Parses a command's `--json` output, saying what was printed when it is not JSON. */
export function json<T = Record<string, unknown>>(stdout: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`not JSON:\n${stdout}`);
  }
}

/** A stack frame line, as printed by `--verbose` and never otherwise. */
export const STACK_FRAME = /^\s+at \S/m;

export const DOWN = "\u001b[B";
export const ENTER = "\r";

/**
 * Runs `switchyard ...args` on a pseudo-terminal 100 columns wide (util-linux `script`). Each [prompt, keys] pair types
 * `keys` once `prompt` has appeared on the screen. Fails after `timeoutMs` if it has not exited.
 */
export function runOnTerminal(
  args: readonly string[],
  script: Array<[prompt: string, keys: string]>,
  timeoutMs = 15_000,
): Promise<CliResult> {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replace(/'/g, "'\\''")}'`);
  const child = spawn(
    "script",
    ["-qfec", `stty cols 100 rows 40; ${quoted.join(" ")}`, "/dev/null"],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SWITCHYARD_DB: undefined, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const pending = [...script];
  let screen = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (data: string) => {
    screen += data;
    const next = pending[0];
    if (next && stripVTControlCharacters(screen).includes(next[0])) {
      pending.shift();
      child.stdin.write(next[1]);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripVTControlCharacters(screen).replace(/\r/g, ""), stderr });
    });
  });
}

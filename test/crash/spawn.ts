// The parent side of the crash tests: starting child programs (see child.ts for their protocol),
// killing them, and reading the side-effect log they leave.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Child {
  /** True once the child printed `ready`; false if it exited (or was killed) before. */
  readonly ready: Promise<boolean>;
  readonly exited: Promise<ChildResult>;
  /** Lets a child started with `waitForGo` continue past its `ready`. */
  readonly go: () => void;
  readonly kill: () => void;
  /** Sends `signal` to the child (SIGSTOP freezes it, SIGCONT lets it go on). */
  readonly signal: (signal: NodeJS.Signals) => void;
}

/** Children not yet exited, so a failing test can stop them before deleting their files. */
const running = new Set<Child>();

/** Runs `node --import tsx <script> ...args` from the repository root. */
export function startChild(
  script: string,
  args: ReadonlyArray<string | number>,
  options: { waitForGo?: boolean } = {},
): Child {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args.map(String)], {
    cwd: REPO_ROOT,
    env: { ...process.env, WAIT_FOR_GO: options.waitForGo ? "1" : "0" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let markReady: (ready: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  child.stdout.setEncoding("utf8").on("data", (data: string) => {
    stdout += data;
    if (stdout.startsWith("ready\n")) markReady(true);
  });
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  // A killed child's stdin is gone; writing "go" to it then must not crash the test.
  child.stdin.on("error", () => undefined);
  if (!options.waitForGo) child.stdin.end();
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      markReady(false);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const handle: Child = {
    ready,
    exited,
    go: () => child.stdin.end("go\n"),
    kill: () => child.kill("SIGKILL"),
    signal: (signal) => void child.kill(signal),
  };
  running.add(handle);
  const forget = () => running.delete(handle);
  exited.then(forget, forget);
  return handle;
}

/** Kills every child still running and waits until they are gone. */
export async function stopChildren(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill();
  await Promise.allSettled(children.map((child) => child.exited));
}

/** The JSON a child printed last: `{ state }` on success, `{ code }` for a SwitchyardError. */
export function outcome<State>(result: ChildResult): { state?: State; code?: string } {
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as { state?: State; code?: string };
  } catch {
    return {};
  }
}

/** Describes how a child ended, for failure messages. */
export function describeExit(result: ChildResult): string {
  return `exit ${String(result.code)} signal ${String(result.signal)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

export interface LogEntry {
  readonly kind: "start" | "done";
  readonly key: string;
}

export function readLog(path: string): LogEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [kind, key] = line.split(" ") as ["start" | "done", string];
      return { kind, key };
    });
}

/** A fresh folder under the OS temp dir, and a function that deletes it. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

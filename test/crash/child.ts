// What the crash tests' child programs share: their arguments, the side-effect log, the "ready"
// handshake and how they report the outcome. The parent side of this protocol is in spawn.ts.
//
// A child prints `ready` once its checkpointer is open, then (when started with WAIT_FOR_GO=1)
// waits for a `go` line on stdin. Its last stdout line is JSON: `{ "state": … }` on success (exit
// 0), `{ "code": … }` for a SwitchyardError (exit 2). Anything else is a crash (exit 1).
import { appendFileSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { SwitchyardError } from "../../src/index.js";

export interface ChildArgs {
  readonly dbPath: string;
  readonly logPath: string;
  readonly threadId: string;
  readonly mode: string;
  /** The checkpointer's lease length; its default (30 s) when not given. */
  readonly leaseMs: number | undefined;
}

/** Reads `dbPath logPath threadId mode [leaseMs]` from argv. */
export function childArgs(modes: readonly string[]): ChildArgs {
  const [dbPath, logPath, threadId, mode, leaseMs] = process.argv.slice(2);
  if (!dbPath || !logPath || !threadId || !mode || !modes.includes(mode)) {
    throw new TypeError(
      `usage: <dbPath> <logPath> <threadId> <${modes.join(" | ")}> [leaseMs], got ${process.argv.slice(2).join(" ")}`,
    );
  }
  return { dbPath, logPath, threadId, mode, leaseMs: leaseMs ? Number(leaseMs) : undefined };
}

/** Appends one line to the side-effect log, synchronously: once it returns, it survives a kill. */
export function logLine(logPath: string, line: string): void {
  appendFileSync(logPath, `${line}\n`);
}

/** Tells the parent the checkpointer is open; with WAIT_FOR_GO=1, waits for its `go`. */
export async function signalReady(): Promise<void> {
  process.stdout.write("ready\n");
  if (process.env.WAIT_FOR_GO !== "1") return;
  const lines = createInterface({ input: process.stdin });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  process.stdin.destroy();
  if (line.trim() !== "go") throw new TypeError(`expected "go" on stdin, got "${line}"`);
}

/** Runs the child's work and reports its outcome on stdout and in the exit code. */
export async function runChild(work: () => Promise<unknown>): Promise<never> {
  try {
    const state = await work();
    process.stdout.write(`${JSON.stringify({ state })}\n`);
    process.exit(0);
  } catch (error) {
    if (error instanceof SwitchyardError) {
      process.stdout.write(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}

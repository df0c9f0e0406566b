// Ctrl-C and SIGTERM during `switchyard run/continue/approve` (issue 10, item 8): the run is
// cancelled, the thread's lease released and the thread consistent, so it continues at once.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, TIMING_GRAPHS, json, REPO_ROOT, runCli, workspace } from "./run-cli.js";

interface Stopped {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `switchyard ...args`, sends `signal` once stderr shows `when`, and waits for the exit. */
function interruptWhen(
  args: readonly string[],
  when: string,
  signal: NodeJS.Signals,
  env: Record<string, string> = {},
) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SWITCHYARD_DB: undefined, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.setEncoding("utf8").on("data", (data: string) => (stdout += data));
  child.stderr.setEncoding("utf8").on("data", (data: string) => {
    stderr += data;
    if (!sent && stderr.includes(when)) {
      sent = true;
      child.kill(signal);
    }
  });
  // The node waits a minute: a CLI that does not stop on the signal fails the test's timeout.
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise<Stopped>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, received) => {
      clearTimeout(killer);
      resolve({ code, signal: received, stdout, stderr });
    });
  });
}

describe("Ctrl-C in a run", () => {
  for (const [signal, exitCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: exits ${exitCode}, says how to continue, and the thread continues at once`, async () => {
      const { cli, db } = workspace(TIMING_GRAPHS);
      const stopped = await interruptWhen(
        ["--db", db, "--graphs", TIMING_GRAPHS, "run", "slow-step", "--thread", "slow"],
        "slow-step: waiting",
        signal,
      );
      expect({ code: stopped.code, signal: stopped.signal }, stopped.stderr).toEqual({
        code: exitCode,
        signal: null,
      });
      expect(stopped.stderr).toContain(`error CANCELLED: Stopped by ${signal}`);
      expect(stopped.stderr).toContain("npx switchyard continue slow");
      expect(stopped.stderr).not.toMatch(/^\s+at \S/m);

      // No THREAD_BUSY: the lease is gone. The thread stands after `prepare`, `wait` planned.
      const shown = await cli("--json", "show", "slow");
      expect(shown.stderr).toBe("");
      expect(json(shown.stdout)).toMatchObject({
        status: "paused",
        values: { log: ["prepared"] },
        next: ["wait"],
      });
      const continued = await runCli(
        ["--db", db, "--graphs", TIMING_GRAPHS, "--json", "continue", "slow"],
        { SLOW_STEP_MS: "10" },
      );
      expect(continued.code, continued.stderr).toBe(0);
      expect(json(continued.stdout)).toMatchObject({
        status: "done",
        values: { log: ["prepared", "waited"] },
      });
    }, 60_000);
  }
});

describe("Ctrl-C in a sweep", () => {
  it("stops the thread being swept, frees it, and says how to go on", async () => {
    const { cli, db } = workspace(TIMING_GRAPHS);
    const input = '{"deadline":"2001-01-01T00:00:00.000Z"}';
    expect((await cli("run", "deadline-approval", "--thread", "late", "--input", input)).code).toBe(
      3,
    );
    const stopped = await interruptWhen(
      ["--db", db, "--graphs", TIMING_GRAPHS, "sweep"],
      "deadline-approval: recording",
      "SIGINT",
      { SLOW_RECORD_MS: "60000" },
    );
    expect({ code: stopped.code, signal: stopped.signal }, stopped.stderr).toEqual({
      code: 130,
      signal: null,
    });
    expect(stopped.stderr).toContain(
      'error CANCELLED: Stopped by SIGINT at step 1 on thread "late"',
    );
    expect(stopped.stderr).toContain("npx switchyard continue late");
    expect(stopped.stderr).toContain("npx switchyard sweep again");
    // The timeout was applied (its superstep committed); the node after it is what was stopped.
    const continued = await cli("--json", "continue", "late");
    expect(continued.code, continued.stderr).toBe(0);
    expect(json(continued.stdout)).toMatchObject({
      status: "done",
      values: { status: "rejected: nobody decided in time" },
    });
  }, 60_000);
});

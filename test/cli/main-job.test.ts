// The README's main job, as a newcomer runs it: `npm start` pauses a large expense claim for a
// manager, `switchyard approve <thread>` pays it. Uses the real graphs/ folder and SWITCHYARD_DB.
import { spawn } from "node:child_process";
import { userInfo } from "node:os";
import { describe, expect, it } from "vitest";
import {
  progressOf,
  REPO_ROOT,
  runCli,
  threadOf,
  waitingOf,
  workspace,
  type CliResult,
} from "./run-cli.js";

/** `npm <args>` in the repository, as the README has a newcomer type it. */
function npm(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn("npm", [...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
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

describe("the README's main job", () => {
  it("`npm start` pauses the large claim for approval; `approve <thread>` pays it", async () => {
    const { db } = workspace(null);
    const env = { SWITCHYARD_DB: db };
    // What `npm start` runs (package.json "start").
    const started = await runCli(
      ["run", "expense-approval", "--input", "@graphs/inputs/large-claim.json"],
      env,
    );
    // Waiting for the manager is the main job going as planned: exit 0 (3 only with --exit-code).
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toBe("");
    const thread = threadOf(started.stdout);
    expect(progressOf(started.stdout)).toEqual([
      { step: 0, events: ["▸ apply_policy", "✓ apply_policy"] },
      { step: 1, events: ["▸ manager_approval"] },
    ]);
    expect(started.stdout).toContain(`thread ${thread}: waiting`);
    expect(Object.keys(waitingOf(started.stdout))).toEqual(["manager_approval"]);
    expect(started.stdout).toContain('"question": "Approve 1800 EUR for ben?"');
    expect(started.stdout).toMatch(
      new RegExp(`^ +npx switchyard approve ${thread} \\[--comment TEXT\\]`, "m"),
    );

    const [shown, inbox] = await Promise.all([
      runCli(["show", thread], env),
      runCli(["inbox"], env),
    ]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`thread ${thread}: waiting`);
    expect(waitingOf(shown.stdout)).toEqual(waitingOf(started.stdout));
    expect(shown.stdout).toContain('"question": "Approve 1800 EUR for ben?"');
    expect(shown.stdout).toContain(`npx switchyard approve ${thread}`);
    expect(inbox.code).toBe(0);
    const row = inbox.stdout.split("\n").find((line) => line.startsWith(thread));
    // thread, graph, node, interrupt, age, deadline (three days out), payload
    const deadline =
      / +expense-approval +manager_approval +\w{16} +\d+s ago +(\S+) +\{"question"/.exec(
        row ?? "",
      )?.[1];
    expect(Date.parse(deadline ?? "")).toBeGreaterThan(Date.now() + 2 * 86_400_000);

    // No flags and no terminal: approves as the OS user.
    const approved = await runCli(["approve", thread], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`✎ ${userInfo().username} approves interrupt`);
    expect(progressOf(approved.stdout)).toEqual([
      { step: 1, events: ["▸ manager_approval", "✓ manager_approval"] },
      { step: 2, events: ["▸ pay", "✓ pay"] },
      { step: 3, events: ["▸ notify", "✓ notify"] },
    ]);
    expect(approved.stdout).toContain(`thread ${thread}: done`);
    expect(approved.stdout).toContain('"status": "paid"');
    expect(approved.stdout).toContain('"paymentId": "pay-C-1042"');
  });

  it("`npm start` itself ends with exit 0 (so `npm start && npm test` goes on) and says what is next", async () => {
    const { db } = workspace(null);
    const started = await npm(["start"], { SWITCHYARD_DB: db });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).not.toContain("npm error");
    const thread = threadOf(started.stdout);
    expect(started.stdout).toContain(`thread ${thread}: waiting`);
    expect(started.stdout).toContain(`npx switchyard approve ${thread}`);
    expect(started.stdout).toMatch(/^inbox: +npx switchyard inbox/m);

    // Scripts that want to know it waits ask for exit code 3.
    const asked = await runCli(
      ["--exit-code", "run", "expense-approval", "--input", "@graphs/inputs/large-claim.json"],
      { SWITCHYARD_DB: db },
    );
    expect(asked.code, asked.stderr).toBe(3);
  }, 120_000);
});

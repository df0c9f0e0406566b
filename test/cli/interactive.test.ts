// `switchyard approve <thread>` on a terminal asks interactively (@clack/prompts). The terminal is
// a pseudo-terminal from util-linux `script`; keys are typed once the prompt they answer is shown.
import { spawn } from "node:child_process";
import { userInfo } from "node:os";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, REPO_ROOT, threadOf, workspace, type CliResult } from "./run-cli.js";

const DOWN = "\u001b[B";
const ENTER = "\r";

/**
 * Runs `switchyard ...args` on a pseudo-terminal 100 columns wide. Each [prompt, keys] pair types
 * `keys` once `prompt` has appeared on the screen. Fails after `timeoutMs` if it has not exited.
 */
function runOnTerminal(
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

describe("interactive approve", () => {
  it("shows the request, takes the decision and a comment, and runs the thread on", async () => {
    const { cli, db } = workspace(null);
    const started = await cli(
      "run",
      "expense-approval",
      "--input",
      "@graphs/inputs/large-claim.json",
    );
    expect(started.code, started.stderr).toBe(3);
    const thread = threadOf(started.stdout);

    const result = await runOnTerminal(
      ["--db", db, "approve", thread],
      [
        ["Your decision", DOWN + ENTER], // the second option: Reject
        ["Comment", `over budget${ENTER}`],
      ],
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("manager_approval asks for a decision");
    expect(result.stdout).toContain('"question": "Approve 1800 EUR for ben?"');
    expect(result.stdout).toContain(`thread ${thread}: done`);
    expect(result.stdout).toContain('"status": "rejected"');
    expect(result.stdout).toContain('"reason": "over budget"');
    expect(result.stdout).toContain(`manager: rejected by ${userInfo().username}`);
    // The echo of the decision names what was decided, as `reject --comment` prints it.
    expect.soft(result.stdout).toContain(`✎ ${userInfo().username} rejects interrupt`);
  });
});

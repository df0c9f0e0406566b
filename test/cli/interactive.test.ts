// `switchyard approve <thread>` on a terminal asks interactively (@clack/prompts), on the
// pseudo-terminal of run-cli.ts's runOnTerminal.
import { userInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { DOWN, ENTER, runOnTerminal, threadOf, workspace } from "./run-cli.js";

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

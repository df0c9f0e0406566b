// Issue 15 item 3: `show` gives state, next nodes, what waiting interrupts expect, and failures.
import { describe, expect, it } from "vitest";
import { FIXTURE_GRAPHS, json, progressOf, runCli, workspace } from "./run-cli.js";

const NEWCOMER = "test/cli/fixtures/newcomer";

describe("switchyard show", () => {
  it("shows a waiting thread's state, next nodes and the answer each interrupt expects", async () => {
    const { cli } = workspace(FIXTURE_GRAPHS);
    expect((await cli("run", "two-questions", "--thread", "seats")).code).toBe(3);
    const shown = await cli("show", "seats");
    expect(shown.code, shown.stderr).toBe(3);
    expect(shown.stdout).toContain("thread seats: waiting");
    expect(shown.stdout).toMatch(/^state:$/m);
    expect(shown.stdout).toContain('"log": []');
    expect(shown.stdout).toMatch(/^next: ask$/m);
    expect(shown.stdout).toMatch(/^ {6}expects: integer > 0/m);

    const asJson = json<{ next: string[]; interrupts: Array<{ expects?: unknown }> }>(
      (await cli("--json", "show", "seats")).stdout,
    );
    expect(asJson.next).toEqual(["ask"]);
    expect(asJson.interrupts[0]?.expects).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
  }, 120_000);

  it("shows an approval's expected answer as a readable shape", async () => {
    const { db } = workspace(null);
    const env = { SWITCHYARD_DB: db };
    const run = await runCli(
      ["run", "expense-approval", "--input", "@graphs/inputs/large-claim.json", "--thread", "c"],
      env,
    );
    // Without --exit-code a waiting run exits 0.
    expect(run.code, run.stderr).toBe(0);
    const shown = await runCli(["show", "c"], env);
    expect(shown.stdout).toContain('"status": "needs_approval"');
    expect(shown.stdout).toMatch(/^next: manager_approval$/m);
    expect(shown.stdout).toContain("expects: { approved: boolean, comment?: string }");
  }, 120_000);

  it("a failed node: ✗ in the progress, status failed with node, code and message, exit 4", async () => {
    const { cli } = workspace(NEWCOMER);
    const run = await cli("run", "fails", "--thread", "f", "--input", '{"order":"o-1"}');
    expect(run.code).toBe(4);
    expect(progressOf(run.stdout)).toEqual([
      { step: 0, events: ["▸ prepare", "✓ prepare"] },
      { step: 1, events: ["▸ charge", "✗ charge"] },
    ]);
    const failure =
      'NODE_FAILED: Node "charge" failed at step 1 on thread "f": card declined. Fix the cause and run `switchyard continue f`';
    expect(run.stdout).toContain(`\n  ✗ charge failed: ${failure}`);
    expect(run.stdout).toContain("thread f: failed");
    expect(run.stderr).toContain('error NODE_FAILED: Node "charge" failed at step 1');

    const shown = await cli("show", "f");
    expect(shown.code).toBe(4);
    expect(shown.stdout).toContain("thread f: failed");
    expect(shown.stdout).toContain('"prepared o-1"');
    expect(shown.stdout).toContain(`\n  ✗ charge: ${failure}`);
    expect(shown.stdout).toMatch(/^continue: npx switchyard continue f/m);

    const asJson = json<{ status: string; failed: unknown[] }>(
      (await cli("--json", "show", "f")).stdout,
    );
    expect(asJson.status).toBe("failed");
    expect(asJson.failed).toEqual([
      {
        node: "charge",
        error: {
          name: "NodeFailedError",
          code: "NODE_FAILED",
          message: expect.stringContaining("card declined") as string,
        },
      },
    ]);
  }, 120_000);
});

// graphs/governed-triage.ts through the real CLI: a guardrail routes a low-confidence
// classification to review, a thread token budget asks before the next model call, `show` shows
// the spend; no API key needed (a fake chat model that reports usage).
import { describe, expect, it } from "vitest";
import { runCli, workspace } from "../cli/run-cli.js";

describe("graphs/governed-triage via the CLI", () => {
  it("reviews a low-confidence classification, then asks to raise the token budget", async () => {
    const { cli } = workspace("graphs");
    const run = await cli(
      "run",
      "governed-triage",
      "--thread",
      "u1",
      "--input",
      "@graphs/inputs/unclear-ticket.json",
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('"type": "guardrail_review"');
    expect(run.stdout).toContain('"reason": "confidence 0.41 is below 0.8"');

    const reviewed = await cli("resume", "u1", "--value", '{"action":"accept"}');
    expect(reviewed.code).toBe(3);
    expect(reviewed.stdout).toContain("⏸ draft waits for a decision");
    expect(reviewed.stdout).toContain('"type": "budget_exceeded"');
    expect(reviewed.stdout).toMatch(/"limit": 20,\s+"spent": 25/);

    const raised = await cli("resume", "u1", "--value", '{"raise":{"tokens":100}}');
    expect(raised.code).toBe(0);
    expect(raised.stdout).toContain("thread u1: done");
    expect(raised.stdout).toContain('"category": "other"');

    const shown = await cli("show", "u1");
    expect(shown.stdout).toContain("usage: 43 input + 21 output tokens, cost 0.000019");
    expect(shown.stdout).toContain("budget: thread tokens 64 of 20 (exceeded by 44)");
  }, 120_000);

  it("stops with BUDGET_EXCEEDED when the person answers stop, advising the CLI way on", async () => {
    const { cli, db } = workspace("graphs");
    const run = await cli(
      "run",
      "governed-triage",
      "--thread",
      "b1",
      "--input",
      "@graphs/inputs/billing-ticket.json",
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('"type": "budget_exceeded"');
    const stopped = await cli("resume", "b1", "--value", '{"stop":true}');
    expect(stopped.code).toBe(4);
    const output = stopped.stdout + stopped.stderr;
    expect(output).toContain("BUDGET_EXCEEDED");
    expect(output).toContain("exceeded by 4 tokens (24 tokens spent)");
    expect(output).toContain("switchyard continue b1");
    expect(output).not.toMatch(/\n\s+at /);
    const json = await runCli(["--db", db, "--graphs", "graphs", "--json", "show", "b1"]);
    const shown = JSON.parse(json.stdout) as { usage: { total: { input_tokens: number } } };
    expect(shown.usage.total).toMatchObject({ input_tokens: 23, output_tokens: 1 });
  }, 120_000);
});

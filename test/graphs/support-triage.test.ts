import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Command, MemoryCheckpointer } from "../../src/index.js";
import { buildGraph } from "../../graphs/support-triage.js";
import { useFakeOpenAI } from "../llm/fixtures.js";

const repo = new URL("../..", import.meta.url);
const ticket = { customer: "maria@example.com", ticket: "I was charged twice this month." };

function runCli(args: string[], env: Record<string, string | undefined>) {
  return promisify(execFile)(process.execPath, ["bin/switchyard.js", ...args], {
    cwd: repo,
    env: { ...process.env, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("graphs/support-triage", () => {
  const server = useFakeOpenAI();

  it("classifies, drafts, waits for a human, then sends the reply once", async () => {
    server().script(
      { content: "Billing" },
      { content: "Sorry about that: we refunded one payment." },
    );
    const sent: string[] = [];
    const graph = buildGraph(
      () => server().model(),
      (to) => {
        sent.push(to);
        return "receipt-1";
      },
    ).compile({ checkpointer: new MemoryCheckpointer() });
    const config = { configurable: { thread_id: "t" } };

    const paused = await graph.invoke(ticket, config);
    expect(paused).toMatchObject({ category: "billing", queue: "finance desk", status: "drafted" });
    expect(paused.draft).toBe("Sorry about that: we refunded one payment.");
    expect(paused.__interrupt__).toHaveLength(1);
    expect(sent).toEqual([]);
    // The ticket reached the model, as the user message of the classification call.
    expect(server().requests[0]?.messages.at(-1)).toMatchObject({
      role: "user",
      content: ticket.ticket,
    });

    const done = await graph.invoke(new Command({ resume: { approved: true } }), config);
    expect(done.status).toBe("sent");
    expect(done.log.at(-1)).toBe("reply sent (receipt-1)");
    expect(sent).toEqual(["maria@example.com"]);
    expect(server().requests).toHaveLength(2);
  });

  it("runs from the CLI against a local OpenAI-compatible server, and stops without one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-triage-"));
    try {
      const db = join(dir, "t.db");
      const input = JSON.stringify(ticket);
      const missing = await runCli(["--db", db, "run", "support-triage", "--input", input], {});
      // The thread stops on its failed node (exit 4); `continue` re-runs it once a key is set.
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain("error MISSING_API_KEY:");
      expect(missing.stderr).not.toContain("    at ");

      server().script({ content: "technical" }, { content: "Please try restarting the app." });
      const run = await runCli(
        ["--db", db, "--exit-code", "run", "support-triage", "--input", input, "--thread", "s1"],
        {
          OPENAI_BASE_URL: server().baseURL,
        },
      );
      expect(run.code).toBe(3);
      expect(run.stdout).toContain("human_approval waits for a decision");
      expect(run.stdout).toContain("Please try restarting the app.");
      expect(server().requests).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

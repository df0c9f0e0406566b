// The multi-agent example through the real CLI: a supervisor with research and writing agent
// subgraphs; the writing agent's approval, asked inside its subgraph, waits on the supervisor's
// thread (run, show, inbox) and `approve` in another process finishes the team's work.
import { describe, expect, it } from "vitest";
import { progressOf, runCli, threadOf, waitingOf, workspace } from "./run-cli.js";

describe("graphs/multi-agent through the CLI", () => {
  it("pauses inside the writing agent; approve resumes it there and the supervisor finishes", async () => {
    const { db } = workspace(null);
    const env = { SWITCHYARD_DB: db };
    const started = await runCli(
      ["--exit-code", "run", "multi-agent", "--input", "@graphs/inputs/team-task.json"],
      env,
    );
    expect(started.code, started.stderr).toBe(3);
    expect(started.stderr).toBe("");
    const thread = threadOf(started.stdout);
    expect(progressOf(started.stdout).map((step) => step.events)).toEqual([
      ["▸ supervisor", "✓ supervisor"],
      ["▸ research", "✓ research"],
      ["▸ supervisor", "✓ supervisor"],
      ["▸ writing"],
    ]);
    // The interrupt is named by its path: the supervisor's node › the agent's node.
    const waiting = waitingOf(started.stdout);
    expect(Object.keys(waiting)).toEqual(["writing › editor_approval"]);
    const asked = waiting["writing › editor_approval"] as string;
    expect(started.stdout).toContain(
      '"question": "Publish this draft about platform engineering?"',
    );

    const inbox = await runCli(["inbox"], env);
    expect(inbox.code).toBe(0);
    const rows = inbox.stdout.split("\n").filter((line) => line.includes("multi-agent"));
    // One waiting interrupt, on the supervisor's thread only: the agents' checkpoints are not threads.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(thread);
    expect(rows[0]).toContain(asked);

    const approved = await runCli(["approve", thread, "--as", "editor"], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(progressOf(approved.stdout).map((step) => step.events)).toEqual([
      ["▸ writing", "✓ writing"],
      ["▸ supervisor", "✓ supervisor"],
    ]);
    expect(approved.stdout).toContain(`thread ${thread}: done`);
    expect(approved.stdout).toContain('"approved": true');
    expect(approved.stdout).toContain('"supervisor: done"');

    const audit = await runCli(["audit", thread], env);
    expect(audit.stdout).toContain("editor");
    expect(audit.stdout).toContain(asked);
    expect(audit.stdout).toContain("writing › editor_approval");
  });
});

// Issue 15 item 5: `switchyard threads`, finding the project's database from any folder in the
// project, and read commands on a missing database.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELLO_GRAPH, project } from "./project.js";
import { json, runCli, STACK_FRAME, workspace } from "./run-cli.js";

interface ThreadRow {
  threadId: string;
  graph: string | null;
  status: string;
  updatedAt: string;
  waiting: number;
}

describe("switchyard threads", () => {
  it("lists threads with status, graph, updated and waiting count; filters; --json", async () => {
    const { cli } = workspace();
    expect((await cli("run", "pause-before", "--thread", "p-paused")).code).toBe(3);
    expect((await cli("run", "pause-before", "--thread", "p-done")).code).toBe(3);
    expect((await cli("continue", "p-done")).code).toBe(0);
    expect((await cli("run", "parallel-approvals", "--thread", "two-waiting")).code).toBe(3);

    const all = await cli("--json", "threads");
    expect(all.code, all.stderr).toBe(0);
    const rows = json<ThreadRow[]>(all.stdout);
    expect(rows.map((row) => [row.threadId, row.graph, row.status, row.waiting])).toEqual([
      ["two-waiting", "parallel-approvals", "waiting", 2],
      ["p-done", "pause-before", "done", 0],
      ["p-paused", "pause-before", "paused", 0],
    ]);
    expect(Date.parse(rows[0]?.updatedAt ?? "")).toBeGreaterThan(Date.now() - 600_000);

    const [waiting, byGraph, limited, text] = await Promise.all([
      cli("--json", "threads", "--status", "waiting"),
      cli("--json", "threads", "--graph", "pause-before"),
      cli("--json", "threads", "--limit", "1"),
      cli("threads"),
    ]);
    expect(json<ThreadRow[]>(waiting.stdout).map((row) => row.threadId)).toEqual(["two-waiting"]);
    expect(json<ThreadRow[]>(byGraph.stdout).map((row) => row.threadId)).toEqual([
      "p-done",
      "p-paused",
    ]);
    expect(json<ThreadRow[]>(limited.stdout).map((row) => row.threadId)).toEqual(["two-waiting"]);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^thread +graph +status +updated +waiting$/);
    expect(lines[1]).toMatch(/^two-waiting +parallel-approvals +waiting +\d+s ago +2$/);

    const badStatus = await cli("threads", "--status", "sleeping");
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain("error INVALID_ARGUMENT: --status");
  }, 120_000);
});

describe("the project's database", () => {
  it("is found from any folder inside the project, like git finds .git", async () => {
    const app = project();
    app.writeGraph("hello", HELLO_GRAPH);
    const deep = join(app.root, "src", "deep");
    mkdirSync(deep, { recursive: true });
    const run = await runCli(["run", "hello", "--thread", "h"], {}, deep);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(existsSync(join(app.root, "checkpoints", "switchyard.db"))).toBe(true);
    expect(readdirSync(deep)).toEqual([]);

    const shown = await runCli(["--json", "show", "h"], {}, app.graphs);
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown.stdout)).toMatchObject({ status: "done", values: { greeting: "hello" } });
  }, 120_000);

  it("read commands on a missing database say where they looked, exit 1, and create nothing", async () => {
    const app = project();
    const results = await Promise.all([
      runCli(["inbox"], {}, app.root),
      runCli(["threads"], {}, app.graphs),
      runCli(["show", "t"], {}, app.root),
      runCli(["--json", "audit", "t"], {}, app.root),
    ]);
    const where = join(app.root, "checkpoints", "switchyard.db");
    for (const result of results.slice(0, 3)) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `error DATABASE_NOT_FOUND: No Switchyard database at ${where}`,
      );
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(results[3]?.stdout).toBe("");
    expect(json(results[3]?.stderr ?? "")).toMatchObject({ error: "DATABASE_NOT_FOUND" });
    expect(readdirSync(join(app.root, "checkpoints"))).toEqual([]);

    const { dir } = workspace();
    const named = join(dir, "elsewhere.db");
    const explicit = await runCli(["--db", named, "inbox"]);
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toContain(
      `error DATABASE_NOT_FOUND: No Switchyard database at ${named}`,
    );
    expect(existsSync(named)).toBe(false);
  }, 120_000);
});

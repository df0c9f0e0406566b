// `switchyard graphs`, `draw`, graph files that fail to load, `--help` and usage errors.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BROKEN_GRAPHS,
  FIXTURE_GRAPHS,
  json,
  REPO_ROOT,
  runCli,
  STACK_FRAME,
  workspace,
} from "./run-cli.js";

interface GraphRow {
  name: string;
  file: string;
  nodes: string[];
  description?: string;
  error?: string;
}

describe("switchyard graphs", () => {
  it("lists each graph with its file, nodes and description (--json)", async () => {
    const result = await runCli(["--json", "graphs", "--graphs", FIXTURE_GRAPHS]);
    expect(result.code, result.stderr).toBe(0);
    expect(json<GraphRow[]>(result.stdout)).toEqual([
      {
        name: "parallel-approvals",
        file: join(REPO_ROOT, FIXTURE_GRAPHS, "parallel-approvals.ts"),
        nodes: ["legal", "finance", "sign"],
        description: "Legal and finance approve in parallel; a join records both.",
      },
      {
        name: "pause-before",
        file: join(REPO_ROOT, FIXTURE_GRAPHS, "pause-before.ts"),
        nodes: ["draft", "publish"],
        description: "Drafts a post and pauses before publishing it.",
      },
      {
        name: "two-questions",
        file: join(REPO_ROOT, FIXTURE_GRAPHS, "two-questions.ts"),
        nodes: ["ask", "confirm"],
        description: "Asks for a seat count, then a meal, then confirms.",
      },
    ]);
  });

  it("lists the graphs that load and names each file that does not; exit 1", async () => {
    const result = await runCli(["graphs", "--graphs", BROKEN_GRAPHS]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^graph +file +nodes +description$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^fine +\S*fine\.ts +hello +One node that says hello\.$/),
      expect.stringMatching(
        /^no-graph +\S*no-graph\.ts +- +cannot load: .*no-graph\.ts does not export a graph/,
      ),
      expect.stringMatching(
        /^throws-on-import +\S*throws-on-import\.ts +- +cannot load: .*throws-on-import\.ts: fixture exploded while loading$/,
      ),
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("`run` of a graph file that throws on import or exports no graph names the file, exit 1", async () => {
    const { cli } = workspace(BROKEN_GRAPHS);
    const [throws, noGraph] = await Promise.all([
      cli("run", "throws-on-import"),
      cli("run", "no-graph"),
    ]);
    expect(throws.code).toBe(1);
    expect(throws.stdout).toBe("");
    expect(throws.stderr).toContain("error GRAPH_LOAD_FAILED: Could not load ");
    expect(throws.stderr).toContain(join(BROKEN_GRAPHS, "throws-on-import.ts"));
    expect(throws.stderr).toContain("fixture exploded while loading");
    expect(throws.stderr).not.toMatch(STACK_FRAME);

    expect(noGraph.code).toBe(1);
    expect(noGraph.stderr).toContain("error NOT_A_GRAPH: ");
    expect(noGraph.stderr).toContain(join(BROKEN_GRAPHS, "no-graph.ts"));
    expect(noGraph.stderr).toContain("does not export a graph");
  });

  it("`run` of an unknown graph is GRAPH_NOT_FOUND and lists the graphs there", async () => {
    const { cli } = workspace();
    const result = await cli("run", "no-such-graph");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error GRAPH_NOT_FOUND: No graph "no-such-graph"');
    expect(result.stderr).toContain("parallel-approvals, pause-before, two-questions");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("switchyard draw", () => {
  it("prints the Mermaid text of a graph, or JSON with --json", async () => {
    const [text, asJson] = await Promise.all([
      runCli(["--graphs", FIXTURE_GRAPHS, "draw", "two-questions"]),
      runCli(["--graphs", FIXTURE_GRAPHS, "draw", "two-questions", "--json"]),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe("flowchart TD");
    expect(text.stdout).toContain('n_ask["ask"]');
    expect(text.stdout).toContain("__start__ --> n_ask");
    expect(text.stdout).toContain("n_ask --> n_confirm");
    expect(text.stdout).toContain("n_confirm --> __end__");

    expect(asJson.code).toBe(0);
    const drawn = json<{ graph: string; mermaid: string }>(asJson.stdout);
    expect(drawn.graph).toBe("two-questions");
    expect(drawn.mermaid.trimEnd()).toBe(text.stdout.trimEnd());
  });

  it("refuses --out file.svg with a usage error and writes no file", async () => {
    const { cli, dir } = workspace();
    const out = join(dir, "graph.svg");
    const result = await cli("draw", "two-questions", "--out", out);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("INVALID_ARGUMENT");
    expect(result.stderr).toContain("draw --out is not supported");
    expect(existsSync(out)).toBe(false);
  });
});

describe("help and usage", () => {
  it("--help lists every command and the global options (exit 0); an unknown command exits 2", async () => {
    const [help, unknown] = await Promise.all([runCli(["--help"]), runCli(["frobnicate"])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: switchyard [options] [command]");
    for (const command of [
      "graphs",
      "run",
      "continue",
      "inbox",
      "show",
      "approve",
      "reject",
      "resume",
      "history",
      "fork",
      "audit",
      "draw",
      "prune",
      "delete",
      "vacuum",
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    for (const option of ["--db <path>", "--graphs <dir>", "--json", "--verbose"]) {
      expect(help.stdout).toContain(option);
    }
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

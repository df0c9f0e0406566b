// Issue 15 item 7: errors as JSON under --json, and graph files: outside the project, a compiled
// graph export, a buildGraph() that throws, a thread that records no graph.
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { HELLO_GRAPH, project } from "./project.js";
import { FIXTURE_GRAPHS, json, runCli, STACK_FRAME, workspace } from "./run-cli.js";

const NEWCOMER = "test/cli/fixtures/newcomer";

describe("--json errors", () => {
  it("prints an error as one JSON object { error, message } on stderr, nothing on stdout", async () => {
    const { cli } = workspace();
    const [missing, usage] = await Promise.all([
      cli("--json", "run", "no-such-graph"),
      cli("--json", "run", "pause-before", "--input", "{oops"),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(json(missing.stderr)).toEqual({
      error: "GRAPH_NOT_FOUND",
      message: expect.stringContaining('No graph "no-such-graph"') as string,
    });
    expect(usage.code).toBe(2);
    expect(json(usage.stderr)).toMatchObject({ error: "INVALID_ARGUMENT" });
    const unknownOption = await cli("--json", "show", "t", "--colour");
    expect(unknownOption.code).toBe(2);
    expect(json(unknownOption.stderr)).toEqual({
      error: "USAGE",
      message: "unknown option '--colour'",
    });
  }, 120_000);
});

describe("graph files", () => {
  it("load from a --graphs folder outside any project (no package.json)", async () => {
    const app = project({ packageType: null });
    app.writeGraph("hello", HELLO_GRAPH);
    const { db } = workspace();
    const result = await runCli(["--db", db, "--graphs", app.graphs, "--json", "run", "hello"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ status: "done", values: { greeting: "hello" } });
  }, 120_000);

  it("may export a compiled graph, as the README's example does", async () => {
    const { cli } = workspace(NEWCOMER);
    const result = await cli("--json", "run", "compiled", "--thread", "c");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ status: "done", values: { greeting: "hello" } });
    expect((await cli("--json", "show", "c")).code).toBe(0);
  }, 120_000);

  it("a buildGraph() that throws is GRAPH_BUILD_FAILED naming the file and the cause", async () => {
    const { cli } = workspace(NEWCOMER);
    const result = await cli("run", "build-throws");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error GRAPH_BUILD_FAILED: buildGraph\(\) in \S*build-throws\.ts threw: cannot build: settings\.json is missing/,
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
  }, 120_000);

  it("a thread that records no graph says so and what to do; --graph names it", async () => {
    const { cli, db } = workspace(FIXTURE_GRAPHS);
    expect(
      (await cli("run", "pause-before", "--thread", "orphan", "--input", '{"title":"x"}')).code,
    ).toBe(3);
    // What a first run stopped before its thread was pinned leaves behind (issue 10 item 8).
    const raw = new Database(db);
    raw.prepare("UPDATE threads SET graph_name = NULL, graph_version = NULL").run();
    raw.close();

    const shown = await cli("show", "orphan");
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain(
      'error THREAD_HAS_NO_GRAPH: Thread "orphan" has checkpoints but',
    );
    expect(shown.stderr).toContain("--graph NAME");
    const named = await cli("--json", "--graph", "pause-before", "show", "orphan");
    expect(named.code, named.stderr).toBe(3);
    expect(json(named.stdout)).toMatchObject({ values: { title: "x" } });
    // Its next run pins it: afterwards it needs no --graph.
    expect((await cli("--graph", "pause-before", "continue", "orphan")).code).toBe(0);
    const pinned = await cli("--json", "show", "orphan");
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(json(pinned.stdout)).toMatchObject({ status: "done", graph: "pause-before" });
  }, 120_000);
});

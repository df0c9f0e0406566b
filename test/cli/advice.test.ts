// Issue 15 item 6: the CLI's flags for what engine errors advise, messages that name them, and
// --verbose showing the node's own error and where it is in the graph file.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project } from "./project.js";
import { FIXTURE_GRAPHS, json, runCli, STACK_FRAME, workspace } from "./run-cli.js";

const NEWCOMER = "test/cli/fixtures/newcomer";

describe("advice a CLI user can follow", () => {
  it("RECURSION_LIMIT names --recursion-limit, which lets the run finish", async () => {
    const { cli } = workspace(NEWCOMER);
    const limited = await cli("run", "loops", "--thread", "l");
    expect(limited.code).toBe(1);
    expect(limited.stderr).toContain("error RECURSION_LIMIT: ");
    expect(limited.stderr).toContain("--recursion-limit");
    expect(limited.stderr).not.toContain("{ recursionLimit }");

    const enough = await cli("--json", "run", "loops", "--thread", "l2", "--recursion-limit", "40");
    expect(enough.code, enough.stderr).toBe(0);
    expect(json(enough.stdout)).toMatchObject({ status: "done", values: { count: 30 } });
    const again = await cli("--json", "continue", "l", "--recursion-limit", "40");
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout)).toMatchObject({ status: "done", values: { count: 30 } });
  }, 120_000);

  it("THREAD_INTERRUPTED names --discard-interrupts, which starts over", async () => {
    const { cli } = workspace(FIXTURE_GRAPHS);
    expect((await cli("run", "two-questions", "--thread", "q")).code).toBe(3);
    const refused = await cli("run", "two-questions", "--thread", "q", "--input", "{}");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error THREAD_INTERRUPTED: ");
    expect(refused.stderr).toContain("--discard-interrupts");
    expect(refused.stderr).toContain("switchyard resume q");
    expect(refused.stderr).not.toContain("discardInterrupts: true");
    const restarted = await cli("run", "two-questions", "--thread", "q", "--discard-interrupts");
    expect(restarted.code, restarted.stderr).toBe(3);
    expect(restarted.stdout).toContain("thread q: waiting");
  }, 120_000);

  it("GRAPH_VERSION_MISMATCH names --allow-graph-change, which continues", async () => {
    const app = project();
    const v1 = `import { z } from "zod";
import { END, START, StateGraph } from "switchyard";

export const compileOptions = { interruptBefore: ["second"] };

export const graph = new StateGraph(z.object({ log: z.array(z.string()).default([]) }))
  .addNode("first", (state) => ({ log: [...state.log, "first"] }))
  .addNode("second", (state) => ({ log: [...state.log, "second"] }))
  .addEdge(START, "first")
  .addEdge("first", "second")
  .addEdge("second", END);
`;
    app.writeGraph("evolving", v1);
    const cli = (...args: string[]): ReturnType<typeof runCli> =>
      runCli(["--exit-code", ...args], {}, app.root);
    expect((await cli("run", "evolving", "--thread", "e")).code).toBe(3);
    const file = join(app.graphs, "evolving.ts");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        '.addEdge("second", END)',
        '.addNode("third", (state) => ({ log: [...state.log, "third"] }))\n  .addEdge("second", "third")\n  .addEdge("third", END)',
      ),
    );
    const refused = await cli("continue", "e");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error GRAPH_VERSION_MISMATCH: ");
    expect(refused.stderr).toContain("--allow-graph-change");
    expect(refused.stderr).not.toContain("allowGraphChange");
    const forced = await cli("--json", "continue", "e", "--allow-graph-change");
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced.stdout)).toMatchObject({
      status: "done",
      values: { log: ["first", "second", "third"] },
    });
  }, 120_000);

  it("NODE_FAILED says to run `continue`; --verbose shows the node's error and its line in the graph file", async () => {
    const { cli } = workspace(NEWCOMER);
    const plain = await cli("run", "fails", "--thread", "f", "--input", '{"order":"o-1"}');
    expect(plain.stderr).toContain("error NODE_FAILED: ");
    expect(plain.stderr).toContain("switchyard continue f");
    expect(plain.stderr).not.toContain("invoke(null, config)");
    expect(plain.stderr).not.toMatch(STACK_FRAME);

    const verbose = await cli("--verbose", "continue", "f");
    expect(verbose.stderr).toContain("error NODE_FAILED: ");
    expect(verbose.stderr).toMatch(/^cause: Error: card declined$/m);
    expect(verbose.stderr).toMatch(/^where: test\/cli\/fixtures\/newcomer\/fails\.ts:8:\d+$/m);

    const asJson = await cli("--json", "--verbose", "continue", "f");
    expect(asJson.code).toBe(4);
    const lines = asJson.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      error: "NODE_FAILED",
      cause: "Error: card declined",
      where: expect.stringMatching(/^test\/cli\/fixtures\/newcomer\/fails\.ts:8:\d+$/) as string,
    });
  }, 120_000);
});

// docs/cli.md's walkthrough, as a newcomer follows it: the graph file exactly as the page shows it,
// in a project of its own, and the page's commands in order, run from the project folder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project } from "./project.js";
import { REPO_ROOT, runCli, waitingOf, type CliResult } from "./run-cli.js";

const PAGE = readFileSync(join(REPO_ROOT, "docs", "cli.md"), "utf8");
const WALKTHROUGH = PAGE.slice(PAGE.indexOf("## Your first graph: a walkthrough"));

/** The fenced code blocks of `lang` in `text`, in order. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map(
    (match) => match[1] ?? "",
  );
}

/** `npx switchyard a 'b c' "d"` → ["a", "b c", "d"]: the shell's quoting, as far as the page uses it. */
function argsOf(command: string): string[] {
  const words = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? "",
  );
  expect(words.slice(0, 2)).toEqual(["npx", "switchyard"]);
  return words.slice(2);
}

describe("docs/cli.md walkthrough", () => {
  it("the page's graph file and commands: run, show, approve, audit", async () => {
    const source = blocks(WALKTHROUGH, "ts")[0] ?? "";
    expect(WALKTHROUGH).toContain("Save this as `graphs/refund.ts`");
    const commands = blocks(WALKTHROUGH, "sh").flatMap((block) =>
      block
        .split("\n")
        .filter((line) => line.startsWith("npx switchyard"))
        .map(argsOf),
    );
    expect(commands.map((args) => args[0])).toEqual(["run", "show", "approve", "audit"]);

    const app = project();
    app.writeGraph("refund", source);
    const results: CliResult[] = [];
    for (const args of commands) results.push(await runCli(args, {}, app.root));
    const [run, show, approve, audit] = results as [CliResult, CliResult, CliResult, CliResult];

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("thread refund-1: waiting");
    expect(Object.keys(waitingOf(run.stdout))).toEqual(["review"]);

    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("thread refund-1: waiting");
    expect(show.stdout).toContain('"status": "needs_review"');
    expect(show.stdout).toMatch(/^next: review$/m);
    expect(show.stdout).toContain('"question": "Refund 250 to ann?"');
    expect(show.stdout).toContain("expects: { approved: boolean, comment?: string }");

    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toMatch(/^✎ dana approves interrupt \w+ on thread refund-1$/m);
    expect(approve.stdout).toContain("thread refund-1: done");
    expect(approve.stdout).toContain('"status": "refunded"');

    expect(audit.code, audit.stderr).toBe(0);
    const row = audit.stdout.trim().split("\n")[1] ?? "";
    expect(row).toMatch(
      / dana +resume +review +\w+ +\{"approved":true,"comment":"receipt checked"\}$/,
    );

    const threads = await runCli(["threads"], {}, app.root);
    expect(threads.stdout).toMatch(/^refund-1 +refund +done /m);
  }, 120_000);

  it("refuses an empty thread id from the command line", async () => {
    const app = project();
    app.writeGraph("refund", blocks(WALKTHROUGH, "ts")[0] ?? "");
    const result = await runCli(["run", "refund", "--thread", "", "--input", "{}"], {}, app.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error INVALID_THREAD_ID: ");
  }, 60_000);
});

// `switchyard run` and `continue`: progress, outcomes, input errors, and which database is used.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { FIXTURE_GRAPHS, json, progressOf, runCli, STACK_FRAME, workspace } from "./run-cli.js";

describe("switchyard run / continue", () => {
  it("shows each superstep and stops before an interruptBefore node; `continue` finishes", async () => {
    const { cli } = workspace();
    const paused = await cli(
      "run",
      "pause-before",
      "--input",
      '{"title":"Hello"}',
      "--thread",
      "post",
    );
    expect(paused.code, paused.stderr).toBe(3);
    expect(paused.stdout.split("\n")[0]).toBe("▶ pause-before on thread post");
    expect(progressOf(paused.stdout)).toEqual([{ step: 0, events: ["▸ draft", "✓ draft"] }]);
    expect(paused.stdout).toContain("thread post: paused");
    expect(paused.stdout).toContain('"drafted Hello"');
    expect(paused.stdout).toMatch(/^next: publish$/m);
    expect(paused.stdout).toMatch(/^continue: npx switchyard continue post$/m);

    const continued = await cli("continue", "post");
    expect(continued.code, continued.stderr).toBe(0);
    expect(progressOf(continued.stdout)).toEqual([{ step: 1, events: ["▸ publish", "✓ publish"] }]);
    expect(continued.stdout).toContain("thread post: done");
    expect(continued.stdout).toContain('"published Hello"');
  });

  it("gives every run without --thread its own thread, even when started together (--json)", async () => {
    const { cli } = workspace(FIXTURE_GRAPHS, { initialised: true });
    const titles = ["first", "second", "third"];
    const results = await Promise.all(
      titles.map((title) =>
        cli("--json", "run", "pause-before", "--input", JSON.stringify({ title })),
      ),
    );
    expect(
      results.map((result) => result.code),
      results.map((result) => result.stderr).join(""),
    ).toEqual([3, 3, 3]);
    const outcomes = results.map((result) => json(result.stdout));
    expect(outcomes[0]).toMatchObject({
      graph: "pause-before",
      status: "paused",
      next: ["publish"],
      interrupts: [],
    });
    const threads = outcomes.map((outcome) => outcome.threadId);
    expect(threads[0]).toMatch(/^pause-before-/);
    expect(new Set(threads).size).toBe(3);
    expect(outcomes.map((outcome) => outcome.values)).toEqual(
      titles.map((title) => ({ title, log: [`drafted ${title}`] })),
    );
  });

  it("refuses input that is not JSON as a usage error (exit 2)", async () => {
    const { cli } = workspace();
    const badJson = await cli("run", "pause-before", "--input", "{title:");
    expect(badJson.code).toBe(2);
    expect(badJson.stdout).toBe("");
    expect(badJson.stderr).toContain("error INVALID_ARGUMENT: --input must be JSON");
    expect(badJson.stderr).not.toMatch(STACK_FRAME);
  });

  it("reports input the state schema refuses as INVALID_UPDATE, with a stack only under --verbose", async () => {
    const { cli } = workspace(null, { initialised: true });
    const input = '{"claim":{"id":"C-1","amount":-5}}';
    const [plain, verbose] = await Promise.all([
      cli("run", "expense-approval", "--input", input, "--thread", "bad"),
      cli("--verbose", "run", "expense-approval", "--input", input, "--thread", "bad-verbose"),
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error INVALID_UPDATE: The input is invalid at key "claim"/);
    expect(plain.stderr).toContain("amount");
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    expect(plain.stdout).not.toContain("superstep");

    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain("error INVALID_UPDATE: ");
    expect(verbose.stderr).toContain("InvalidUpdateError");
    expect(verbose.stderr).toMatch(STACK_FRAME);
  });
});

describe("the database", () => {
  it("refuses a file that is not a Switchyard database and leaves it untouched", async () => {
    const { dir } = workspace();
    const text = join(dir, "notes.txt");
    writeFileSync(text, "shopping list: milk, eggs\n");
    const foreign = join(dir, "other-app.db");
    const db = new Database(foreign);
    db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
    db.exec("INSERT INTO invoices (total) VALUES (12.5)");
    db.close();
    const before = [readFileSync(text), readFileSync(foreign)];

    const results = await Promise.all([
      runCli(["--db", text, "inbox"]),
      runCli(["--graphs", FIXTURE_GRAPHS, "run", "pause-before"], { SWITCHYARD_DB: foreign }),
    ]);
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("error NOT_A_SWITCHYARD_DATABASE: ");
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect([readFileSync(text), readFileSync(foreign)]).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "other-app.db"]);
  });

  it("is created by the first runs, even two at once (read commands never create it)", async () => {
    const { cli, db } = workspace();
    const results = await Promise.all([
      cli("run", "pause-before", "--thread", "one"),
      cli("run", "pause-before", "--thread", "two"),
    ]);
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(result.code).toBe(3);
    }
    expect(existsSync(db)).toBe(true);
    const inbox = await cli("inbox");
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout.trim()).toBe("Nothing is waiting for a decision.");
  });

  it("--db wins over SWITCHYARD_DB", async () => {
    const { dir, db } = workspace();
    const notADatabase = join(dir, "not-a-db.txt");
    writeFileSync(notADatabase, "not sqlite");
    const args = ["--graphs", FIXTURE_GRAPHS, "run", "pause-before", "--thread", "where"];
    const result = await runCli(["--db", db, ...args], { SWITCHYARD_DB: notADatabase });
    // Without --exit-code, a run that stops at a breakpoint exits 0.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("thread where: paused");
    expect(existsSync(db)).toBe(true);
    expect(readFileSync(notADatabase, "utf8")).toBe("not sqlite");
  });
});

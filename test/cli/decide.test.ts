// Answering interrupts: `resume --value` (typed answers), `approve`/`reject` with --interrupt when
// several wait, `inbox` across threads, and `audit`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_GRAPHS, json, progressOf, STACK_FRAME, waitingOf, workspace } from "./run-cli.js";

interface InboxRow {
  threadId: string;
  graph: { name: string };
  node: string;
}

describe("switchyard resume", () => {
  it("answers typed questions in turn; a wrong answer is INVALID_RESUME and the thread still waits", async () => {
    const { cli, dir } = workspace();
    const started = await cli("run", "two-questions", "--thread", "trip");
    expect(started.code, started.stderr).toBe(3);
    expect(started.stdout).toContain('"question": "How many seats?"');
    const first = waitingOf(started.stdout).ask;
    expect(first).toMatch(/^\w{16}$/);

    const wrongType = await cli("resume", "trip", "--value", '"three"');
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain(
      `error INVALID_RESUME: The resume value for interrupt ${first}`,
    );
    expect(wrongType.stderr).toContain("expected number");
    expect(wrongType.stderr).not.toMatch(STACK_FRAME);

    // Still waiting on the same question: a valid answer to it is taken.
    const seats = await cli("resume", "trip", "--value", "3", "--as", "kim");
    expect(seats.code, seats.stderr).toBe(3);
    expect(seats.stdout).toContain(`✎ kim answers interrupt ${first} on thread trip`);
    expect(seats.stdout).toContain('"question": "Which meal for 3?"');
    const second = waitingOf(seats.stdout).ask;
    expect(second).toMatch(/^\w{16}$/);
    expect(second).not.toBe(first);

    const answer = join(dir, "meal.json");
    writeFileSync(answer, '"fish"');
    const done = await cli("--json", "resume", "trip", "--value", `@${answer}`, "--as", "lou");
    expect(done.code, done.stderr).toBe(0);
    expect(json(done.stdout)).toMatchObject({
      threadId: "trip",
      status: "done",
      values: { seats: 3, meal: "fish", log: ["asked", "booked 3 x fish"] },
    });

    const audit = await cli("--json", "audit", "trip");
    expect(audit.code).toBe(0);
    expect(json<unknown[]>(audit.stdout)).toMatchObject([
      { actor: "kim", interruptId: first, node: "ask", value: 3 },
      { actor: "lou", interruptId: second, node: "ask", value: "fish" },
    ]);
  });
});

describe("switchyard approve / reject with several interrupts", () => {
  it("needs --interrupt when several wait, decides each one, and audits who decided", async () => {
    const { cli } = workspace();
    const started = await cli("run", "parallel-approvals", "--thread", "contract");
    expect(started.code, started.stderr).toBe(3);
    expect(progressOf(started.stdout)).toEqual([
      { step: 0, events: expect.arrayContaining(["▸ legal", "▸ finance"]) as string[] },
    ]);
    const { legal, finance } = waitingOf(started.stdout);
    expect(legal).toMatch(/^\w{16}$/);
    expect(finance).toMatch(/^\w{16}$/);
    // The suggested command names an interrupt, since a bare `approve` would be ambiguous.
    expect(started.stdout).toMatch(
      /^ +npx switchyard approve contract --interrupt \w{16} \[--comment TEXT\]/m,
    );

    const [ambiguous, noComment] = await Promise.all([
      cli("approve", "contract", "--as", "lee"),
      cli("reject", "contract", "--interrupt", finance as string, "--as", "fin"),
    ]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("error AMBIGUOUS_INTERRUPT: ");
    expect(ambiguous.stderr).toContain(legal);
    expect(ambiguous.stderr).toContain(finance);
    expect(ambiguous.stderr).toContain("--interrupt ID");
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toContain("error INVALID_ARGUMENT: reject needs --comment TEXT");

    const legalDone = await cli(
      "--json",
      "approve",
      "contract",
      "--interrupt",
      legal as string,
      "--as",
      "lee",
      "--comment",
      "clause 4 is fine",
    );
    expect(legalDone.code, legalDone.stderr).toBe(3);
    expect(json(legalDone.stdout)).toMatchObject({
      threadId: "contract",
      status: "waiting",
      interrupts: [{ id: finance, node: "finance" }],
    });

    const financeDone = await cli(
      "reject",
      "contract",
      "--interrupt",
      finance as string,
      "--as",
      "fin",
      "--comment",
      "too pricey",
    );
    expect(financeDone.code, financeDone.stderr).toBe(0);
    expect(financeDone.stdout).toContain(`✎ fin rejects interrupt ${finance} on thread contract`);
    // Every progress line belongs to a superstep; the join runs in the next one. (Soft, so that a
    // failure here still lets the outcome and audit below be checked.)
    const steps = progressOf(financeDone.stdout);
    expect.soft(steps.map((step) => step.step)).toEqual([0, 1]);
    expect.soft(steps.at(-2)?.events).toEqual(expect.arrayContaining(["▸ finance", "✓ finance"]));
    expect.soft(steps.at(-1)?.events).toEqual(["▸ sign", "✓ sign"]);
    expect(financeDone.stdout).toContain("thread contract: done");
    expect(financeDone.stdout).toMatch(
      /"decisions": \[\s*"finance: rejected",\s*"legal: approved",\s*"signed"\s*\]/,
    );

    const [audit, noSuchThread] = await Promise.all([
      cli("audit", "contract"),
      cli("audit", "no-such-thread"),
    ]);
    expect(audit.code).toBe(0);
    const rows = audit.stdout.trim().split("\n").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      new RegExp(
        `^\\S+ +lee +resume +legal +${legal} +\\{"approved":true,"comment":"clause 4 is fine"\\}$`,
      ),
    );
    expect(rows[1]).toMatch(
      new RegExp(
        `^\\S+ +fin +resume +finance +${finance} +\\{"approved":false,"comment":"too pricey"\\}$`,
      ),
    );
    // Like show, history, prune and delete, audit refuses a thread id that does not exist.
    expect(noSuchThread.code).toBe(1);
    expect(noSuchThread.stderr).toContain("THREAD_NOT_FOUND");
  });
});

describe("switchyard inbox", () => {
  it("lists every waiting interrupt across threads", async () => {
    const { cli } = workspace(FIXTURE_GRAPHS, { initialised: true });
    const started = await Promise.all([
      cli("run", "two-questions", "--thread", "seats"),
      cli("run", "parallel-approvals", "--thread", "deal"),
    ]);
    expect(started.map((result) => result.code)).toEqual([3, 3]);
    const [text, asJson] = await Promise.all([cli("inbox"), cli("--json", "inbox")]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^thread +graph +node +interrupt +waiting +deadline +payload$/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(
        /^deal +parallel-approvals +finance +\w{16} +\d+s ago +- +\{"question":"Does finance approve/,
      ),
      expect.stringMatching(/^deal +parallel-approvals +legal +\w{16} +\d+s ago +- +\{"question"/),
      expect.stringMatching(
        /^seats +two-questions +ask +\w{16} +\d+s ago +- +\{"question":"How many seats\?"\}$/,
      ),
    ]);
    const items = json<InboxRow[]>(asJson.stdout);
    expect(items.map((item) => [item.threadId, item.graph.name, item.node]).sort()).toEqual([
      ["deal", "parallel-approvals", "finance"],
      ["deal", "parallel-approvals", "legal"],
      ["seats", "two-questions", "ask"],
    ]);
  });
});

// Deadlines from the command line (issue 15, item 2): `inbox` marks overdue approvals, a human
// answer after the deadline is refused once `onTimeout` applies, and `switchyard sweep` applies it.
import { describe, expect, it } from "vitest";
import { json, STACK_FRAME, TIMING_GRAPHS, waitingOf, workspace } from "./run-cli.js";

const PAST = "2001-02-03T04:05:06.000Z";
const FUTURE = "2999-01-01T00:00:00.000Z";

interface InboxRow {
  threadId: string;
  interruptId: string;
  deadline?: string;
  overdue: boolean;
  onTimeout?: unknown;
}

describe("deadlines from the CLI", () => {
  it("marks overdue items, refuses a late answer, and `sweep` applies onTimeout once", async () => {
    const { cli } = workspace(TIMING_GRAPHS);
    const late = await cli(
      "run",
      "deadline-approval",
      "--thread",
      "late",
      "--input",
      `{"deadline":"${PAST}"}`,
    );
    expect(late.code, late.stderr).toBe(3);
    const lateId = waitingOf(late.stdout).review as string;
    const early = await cli(
      "run",
      "deadline-approval",
      "--thread",
      "early",
      "--input",
      `{"deadline":"${FUTURE}"}`,
    );
    expect(early.code, early.stderr).toBe(3);

    // The inbox says which item is overdue and what will happen to it.
    const inbox = await cli("inbox");
    expect(inbox.code, inbox.stderr).toBe(0);
    const lateLine = inbox.stdout.split("\n").find((line) => line.startsWith("late "));
    const earlyLine = inbox.stdout.split("\n").find((line) => line.startsWith("early "));
    expect(lateLine).toContain(`${PAST} OVERDUE`);
    expect(earlyLine).toContain(FUTURE);
    expect(earlyLine).not.toContain("OVERDUE");
    expect(inbox.stdout).toContain("switchyard sweep");
    const rows = json<InboxRow[]>((await cli("--json", "inbox")).stdout);
    expect(rows.find((row) => row.threadId === "late")).toMatchObject({
      interruptId: lateId,
      deadline: PAST,
      overdue: true,
      onTimeout: { reject: "nobody decided in time" },
    });
    expect(rows.find((row) => row.threadId === "early")).toMatchObject({ overdue: false });

    // A human answer after the deadline is refused; nothing changes, nothing is audited.
    const refused = await cli("approve", "late", "--as", "dana", "--comment", "ok");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error DEADLINE_PASSED: ");
    expect(refused.stderr).toContain(`deadline ${PAST}`);
    expect(refused.stderr).toContain('reject: "nobody decided in time"');
    expect(refused.stderr).toContain("switchyard sweep");
    expect(refused.stderr).not.toMatch(STACK_FRAME);
    // A refused answer is not announced as given.
    expect(refused.stdout).not.toContain("approves");
    expect(json<unknown[]>((await cli("--json", "audit", "late")).stdout)).toEqual([]);
    expect(waitingOf((await cli("show", "late")).stdout).review).toBe(lateId);

    // The sweep applies the timeout to the overdue thread only, and says what it did.
    const swept = await cli("sweep");
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain(
      `late: interrupt ${lateId} (review) timed out: reject "nobody decided in time"`,
    );
    expect(swept.stdout).not.toContain("early");
    const show = await cli("--json", "show", "late");
    expect(json(show.stdout)).toMatchObject({
      status: "done",
      values: {
        status: "rejected: nobody decided in time",
        log: ["reviewed", "recorded rejected: nobody decided in time"],
      },
    });
    expect(json<unknown[]>((await cli("--json", "audit", "late")).stdout)).toMatchObject([
      { actor: "system:deadline", kind: "timeout", interruptId: lateId, node: "review" },
    ]);

    // Cron-friendly: nothing due is silent, exit 0; --json gives a list.
    const again = await cli("sweep");
    expect(again).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const none = await cli("--json", "sweep");
    expect(none.code).toBe(0);
    expect(json(none.stdout)).toEqual([]);

    // The thread whose deadline has not passed still takes a human answer.
    const approved = await cli("approve", "early", "--as", "dana", "--comment", "fine");
    expect(approved.code, approved.stderr).toBe(0);
  }, 60_000);

  it("sweep --json lists what it applied", async () => {
    const { cli } = workspace(TIMING_GRAPHS);
    await cli("run", "deadline-approval", "--thread", "a", "--input", `{"deadline":"${PAST}"}`);
    const swept = await cli("--json", "sweep");
    expect(swept.code, swept.stderr).toBe(0);
    expect(json(swept.stdout)).toMatchObject([
      {
        threadId: "a",
        graph: "deadline-approval",
        node: "review",
        onTimeout: { reject: "nobody decided in time" },
      },
    ]);
  });
});

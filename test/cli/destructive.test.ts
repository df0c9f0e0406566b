// Destructive commands never lose a waiting approval unasked (issue 15, item 4): `delete` and
// `prune` list what they will delete and need --yes without a terminal; a thread waiting for a
// decision is deleted only with --discard-interrupts; prune keeps every branch's head; `fork
// --update` keeps the waiting approval.
import { describe, expect, it } from "vitest";
import { ENTER, json, runOnTerminal, waitingOf, workspace } from "./run-cli.js";

interface HistoryRow {
  id: string;
  step: number;
  source: string;
  next: string[];
}

describe("switchyard delete", () => {
  it("lists what it would delete and needs --yes; a waiting thread needs --discard-interrupts", async () => {
    const { cli } = workspace();
    expect((await cli("run", "parallel-approvals", "--thread", "waiting")).code).toBe(3);
    expect((await cli("run", "pause-before", "--thread", "idle")).code).toBe(3);

    const conflicting = await cli("delete", "idle", "--older-than", "3");
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toContain("error INVALID_ARGUMENT: ");
    expect(conflicting.stderr).toContain("not both");

    const unconfirmed = await cli("delete", "idle");
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toMatch(
      /^will delete 1 thread\(s\):\n {2}idle +pause-before +updated /m,
    );
    expect(unconfirmed.stderr).toContain("error CONFIRMATION_REQUIRED: ");
    expect(unconfirmed.stderr).toContain("--yes");

    const waiting = await cli("delete", "waiting", "--yes");
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toContain("error THREAD_INTERRUPTED: ");
    expect(waiting.stderr).toContain("2 interrupt(s) waiting for a decision");
    expect(waiting.stderr).toContain("--discard-interrupts");

    // --older-than 0 takes every thread but keeps the one waiting for a decision, and says so.
    const old = await cli("delete", "--older-than", "0", "--yes");
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain("deleted 1 thread(s) untouched for 0 day(s).");
    expect(old.stdout).toContain(
      "kept 1 thread(s) waiting for a decision (add --discard-interrupts",
    );
    expect(old.stdout).toMatch(/^ {2}waiting +parallel-approvals +2 interrupt\(s\) waiting/m);
    const [idle, kept] = await Promise.all([cli("show", "idle"), cli("show", "waiting")]);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toContain("THREAD_NOT_FOUND");
    expect(kept.code).toBe(3);

    const discarded = await cli(
      "--json",
      "delete",
      "--older-than",
      "0",
      "--yes",
      "--discard-interrupts",
    );
    expect(discarded.code, discarded.stderr).toBe(0);
    expect(json(discarded.stdout)).toEqual({ deleted: ["waiting"], kept: [], busy: [] });
    expect((await cli("--json", "inbox")).stdout.trim()).toBe("[]");
  }, 60_000);
});

describe("switchyard delete on a terminal", () => {
  it("shows the list and asks; no (the default) deletes nothing, yes deletes", async () => {
    const { cli, db } = workspace();
    expect((await cli("run", "pause-before", "--thread", "idle")).code).toBe(3);
    const args = ["--db", db, "delete", "idle"];
    const declined = await runOnTerminal(args, [["Go ahead?", ENTER]]);
    expect(declined.code, declined.stdout + declined.stderr).toBe(0);
    expect(declined.stdout).toMatch(/will delete 1 thread\(s\):\n {2}idle +pause-before +updated /);
    expect(declined.stdout).toContain("delete would delete 1 thread(s). Go ahead?");
    expect(declined.stdout).toContain("Nothing was deleted.");
    expect((await cli("show", "idle")).code).toBe(3);

    const accepted = await runOnTerminal(args, [["Go ahead?", `y${ENTER}`]]);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain("deleted thread idle.");
    expect((await cli("show", "idle")).stderr).toContain("THREAD_NOT_FOUND");
  }, 60_000);
});

describe("switchyard prune", () => {
  it("keeps the head of every branch, and needs --yes when it would delete something", async () => {
    const { cli } = workspace();
    expect(
      (await cli("run", "pause-before", "--thread", "post", "--input", '{"title":"Hi"}')).code,
    ).toBe(3);
    expect((await cli("continue", "post")).code).toBe(0);
    const before = json<HistoryRow[]>((await cli("--json", "history", "post")).stdout);
    const originalHead = before[0] as HistoryRow;
    const afterDraft = before[1] as HistoryRow;
    const forked = await cli(
      "--json",
      "fork",
      "post",
      "--at",
      afterDraft.id,
      "--update",
      '{"title":"B"}',
      "--as-node",
      "draft",
    );
    expect(forked.code, forked.stderr).toBe(0);
    const branchHead = json<{ checkpointId: string }>(forked.stdout).checkpointId;

    const unconfirmed = await cli("prune", "post", "--keep", "1");
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain("prune would delete 2 checkpoint(s) of thread post");
    expect(unconfirmed.stderr).toContain("error CONFIRMATION_REQUIRED: ");

    const pruned = await cli("prune", "post", "--keep", "1", "--yes");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout.trim()).toBe(
      "thread post: deleted 2 checkpoint(s), kept the last 1 and the head of every branch.",
    );
    const after = json<HistoryRow[]>((await cli("--json", "history", "post")).stdout);
    expect(after.map((row) => row.id)).toEqual([branchHead, originalHead.id]);
    // Nothing left to prune: no confirmation needed.
    const again = await cli("--json", "prune", "post", "--keep", "1");
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout)).toEqual({ threadId: "post", deleted: 0, kept: 1 });
  }, 60_000);
});

describe("switchyard fork --update on a waiting thread", () => {
  it("keeps the waiting approval, so approve works afterwards", async () => {
    const { cli } = workspace(null);
    const started = await cli(
      "run",
      "expense-approval",
      "--thread",
      "claim",
      "--input",
      "@graphs/inputs/large-claim.json",
    );
    expect(started.code, started.stderr).toBe(3);
    const head = json<HistoryRow[]>(
      (await cli("--json", "history", "claim")).stdout,
    )[0] as HistoryRow;
    const forked = await cli(
      "fork",
      "claim",
      "--at",
      head.id,
      "--update",
      '{"reason":"checked receipts"}',
      "--as-node",
      "apply_policy",
    );
    expect(forked.code, forked.stderr).toBe(0);
    const shown = await cli("show", "claim");
    expect(shown.code).toBe(3);
    const id = waitingOf(shown.stdout).manager_approval;
    expect(id).toMatch(/^\w{16}$/);
    const approved = await cli("--json", "approve", "claim", "--as", "dana", "--comment", "ok");
    expect(approved.code, approved.stderr).toBe(0);
    expect(json(approved.stdout)).toMatchObject({
      status: "done",
      values: { status: "paid", reason: "checked receipts" },
    });
    expect(json<unknown[]>((await cli("--json", "audit", "claim")).stdout)).toMatchObject([
      { actor: "dana", interruptId: id, node: "manager_approval" },
    ]);

    // Updating as the waiting node itself would drop the approval: refused without the flag.
    const again = await cli(
      "run",
      "expense-approval",
      "--thread",
      "claim2",
      "--input",
      "@graphs/inputs/large-claim.json",
    );
    expect(again.code).toBe(3);
    const head2 = json<HistoryRow[]>(
      (await cli("--json", "history", "claim2")).stdout,
    )[0] as HistoryRow;
    const asWaiting = [
      "fork",
      "claim2",
      "--at",
      head2.id,
      "--update",
      '{"status":"approved"}',
      "--as-node",
      "manager_approval",
    ];
    const refused = await cli(...asWaiting);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error INTERRUPTS_DROPPED: ");
    expect(refused.stderr).toContain("--discard-interrupts");
    const dropped = await cli(...asWaiting, "--discard-interrupts");
    expect(dropped.code, dropped.stderr).toBe(0);
    expect((await cli("--json", "inbox")).stdout.trim()).toBe("[]");
  }, 60_000);
});

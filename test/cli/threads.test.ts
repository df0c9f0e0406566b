// A thread's past and its storage: `history`, `fork`, `audit`, `prune`, `delete`, `vacuum`.
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_GRAPHS, json, workspace, type Workspace } from "./run-cli.js";

interface HistoryRow {
  id: string;
  parent?: string;
  step: number;
  source: string;
  next: string[];
}

async function historyOf(cli: Workspace["cli"], thread: string): Promise<HistoryRow[]> {
  const result = await cli("--json", "history", thread);
  expect(result.code, result.stderr).toBe(0);
  return json<HistoryRow[]>(result.stdout);
}

describe("switchyard history / fork", () => {
  it("shows the checkpoint tree; a fork with --update is a branch, --to copies into a new thread", async () => {
    const { cli } = workspace();
    expect(
      (await cli("run", "pause-before", "--thread", "post", "--input", '{"title":"Hi"}')).code,
    ).toBe(3);
    expect((await cli("continue", "post")).code).toBe(0);
    const rows = await historyOf(cli, "post");
    expect(rows.map((row) => [row.step, row.source, row.next])).toEqual([
      [1, "loop", []],
      [0, "loop", ["publish"]],
      [-1, "input", ["draft"]],
    ]);
    const afterDraft = rows[1] as HistoryRow;
    expect(afterDraft.parent).toBe(rows[2]?.id);

    // Rewrite the title at the checkpoint after `draft`, as if `draft` had written it.
    const forked = await cli(
      "fork",
      "post",
      "--at",
      afterDraft.id,
      "--update",
      '{"title":"Changed"}',
      "--as-node",
      "draft",
    );
    expect(forked.code, forked.stderr).toBe(0);
    const head = /^forked: thread post at checkpoint (\S+)$/m.exec(forked.stdout)?.[1] ?? "";
    expect(head).toMatch(/^[\w-]{36}$/);
    expect(forked.stdout).toContain("continue: npx switchyard continue post");

    const [text, copied] = await Promise.all([
      cli("history", "post"),
      cli("--json", "fork", "post", "--at", afterDraft.id, "--to", "copy"),
    ]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines).toHaveLength(4);
    for (const row of rows) {
      const next = row.next.join(", ");
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${row.id}  step ${row.step}  ${row.source}  next \\[${next}\\]`),
        ),
      );
    }
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^ +└ fork ${head}  step 1  update  next \\[publish\\]`)),
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(json(copied.stdout)).toMatchObject({ threadId: "copy" });

    // The branch is the thread's head now: continuing publishes the changed title. The copy
    // stands where the original stood after `draft`.
    const [continued, copy] = await Promise.all([
      cli("--json", "continue", "post"),
      cli("--json", "show", "copy"),
    ]);
    expect(continued.code, continued.stderr).toBe(0);
    expect(json(continued.stdout)).toMatchObject({
      threadId: "post",
      status: "done",
      values: { title: "Changed", log: ["drafted Hi", "published Changed"] },
    });
    expect(copy.code).toBe(3);
    expect(json(copy.stdout)).toMatchObject({
      threadId: "copy",
      graph: "pause-before",
      status: "paused",
      values: { title: "Hi", log: ["drafted Hi"] },
      next: ["publish"],
    });
  });
});

describe("switchyard prune / delete / vacuum", () => {
  it("prune --keep N keeps the newest N checkpoints", async () => {
    const { cli } = workspace();
    expect((await cli("run", "pause-before", "--thread", "long")).code).toBe(3);
    const [tooFew, pruned] = await Promise.all([
      cli("prune", "long", "--keep", "0"),
      cli("prune", "long", "--keep", "1", "--yes"),
    ]);
    expect(tooFew.code).toBe(2);
    expect(tooFew.stderr).toContain("--keep must be a whole number of at least 1");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout.trim()).toBe(
      "thread long: deleted 1 checkpoint(s), kept the last 1 and the head of every branch.",
    );

    const [again, rows] = await Promise.all([
      cli("--json", "prune", "long", "--keep", "1"),
      historyOf(cli, "long"),
    ]);
    expect(json(again.stdout)).toEqual({ threadId: "long", deleted: 0, kept: 1 });
    expect(rows.map((row) => [row.step, row.next])).toEqual([[0, ["publish"]]]);
  });

  it("delete removes one thread, or those untouched for DAYS; vacuum gives the space back", async () => {
    const { cli, dir, db } = workspace(FIXTURE_GRAPHS, { initialised: true });
    // A large state, so that the space vacuum returns is plain to see.
    const big = join(dir, "big.json");
    writeFileSync(big, JSON.stringify({ title: "x".repeat(500_000) }));
    const started = await Promise.all([
      cli("--json", "run", "pause-before", "--thread", "big", "--input", `@${big}`),
      cli("run", "pause-before", "--thread", "small"),
    ]);
    expect(started.map((result) => result.code)).toEqual([3, 3]);
    const sizeBefore = statSync(db).size;
    expect(sizeBefore).toBeGreaterThan(1_000_000);

    const [deleted, usage, recent] = await Promise.all([
      cli("delete", "small", "--yes"),
      cli("delete"),
      cli("delete", "--older-than", "1"),
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout.trim()).toBe("deleted thread small.");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("delete needs a thread id or --older-than DAYS");
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout.trim()).toBe("deleted 0 thread(s) untouched for 1 day(s).");

    // Only `big` is left to delete.
    const all = await cli("--json", "delete", "--older-than", "0", "--yes");
    expect(all.code, all.stderr).toBe(0);
    expect(json(all.stdout)).toEqual({ deleted: ["big"], kept: [], busy: [] });

    const vacuumed = await cli("vacuum");
    expect(vacuumed.code, vacuumed.stderr).toBe(0);
    expect(vacuumed.stdout.trim()).toBe(`vacuumed ${db}.`);
    expect(statSync(db).size).toBeLessThan(sizeBefore / 4);
    const asJson = await cli("--json", "vacuum");
    expect(asJson.code).toBe(0);
    expect(json(asJson.stdout)).toEqual({ vacuumed: db });
  });
});

// Issue 15 item 9: `history` draws each fork right below the checkpoint it branches from.
import { describe, expect, it } from "vitest";
import { json, workspace } from "./run-cli.js";

interface HistoryRow {
  id: string;
  step: number;
  source: string;
}

describe("switchyard history", () => {
  it("indents each fork under the checkpoint it branches from, its own line after it", async () => {
    const { cli } = workspace();
    expect(
      (await cli("run", "pause-before", "--thread", "p", "--input", '{"title":"A"}')).code,
    ).toBe(3);
    expect((await cli("continue", "p")).code).toBe(0);
    const original = json<HistoryRow[]>((await cli("--json", "history", "p")).stdout);
    const [done, afterDraft, input] = original.map((row) => row.id);

    const fork = async (at: string | undefined, title: string): Promise<string> => {
      const result = await cli(
        "--json",
        "fork",
        "p",
        "--at",
        at ?? "",
        "--update",
        JSON.stringify({ title }),
        "--as-node",
        "draft",
      );
      expect(result.code, result.stderr).toBe(0);
      return json<{ checkpointId: string }>(result.stdout).checkpointId;
    };
    const fromDraft = await fork(afterDraft, "B");
    expect((await cli("continue", "p")).code).toBe(0);
    const fromDraftDone = json<HistoryRow[]>((await cli("--json", "history", "p")).stdout)[0]?.id;
    const fromInput = await fork(input, "C");

    const lines = (await cli("history", "p")).stdout.trim().split("\n");
    const at = (id: string | undefined): number =>
      lines.findIndex((line) => line.includes(`${id}  `));
    const indentOf = (id: string | undefined): number =>
      /^ */.exec(lines[at(id)] ?? "")?.[0].length ?? -1;
    expect(lines).toHaveLength(6);
    // input, its fork, after-draft, its fork and that fork's run, then the original's last step.
    expect([input, fromInput, afterDraft, fromDraft, fromDraftDone, done].map(at)).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    expect(lines[1]).toMatch(new RegExp(`^  └ fork ${fromInput}  step 0  update`));
    expect(lines[3]).toMatch(new RegExp(`^  └ fork ${fromDraft}  step 1  update`));
    expect([input, afterDraft, done].map(indentOf)).toEqual([0, 0, 0]);
    expect(indentOf(fromDraftDone)).toBeGreaterThan(2);
  }, 120_000);
});

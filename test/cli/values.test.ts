// Issue 15 item 1: every kind of value the serializer round-trips prints, in text and --json.
import { describe, expect, it } from "vitest";
import { deserialize } from "../../src/index.js";
import { json, STACK_FRAME, workspace } from "./run-cli.js";

const KINDS = "test/cli/fixtures/newcomer";

describe("state the JSON format cannot hold", () => {
  it("BigInt, Set, Map, Date, Uint8Array, Infinity and undefined print in text and in --json", async () => {
    const { cli } = workspace(KINDS);
    const run = await cli("run", "kinds", "--thread", "k");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("thread k: done");
    expect(run.stdout).toContain('"big": 12345678901234567890n');
    expect(run.stdout).toMatch(/"tags": Set \[\n +"red",\n +"blue"\n +\]/);
    expect(run.stdout).toMatch(/"scores": Map \{\n +"ann" => 3\n +\}/);
    expect(run.stdout).toContain('"when": Date(2026-01-02T03:04:05.000Z)');
    expect(run.stdout).toContain('"bytes": Uint8Array(3) [1, 2, 3]');
    expect(run.stdout).toContain('"ratio": Infinity');
    expect(run.stdout).toMatch(/"gaps": \[\n +1,\n +undefined,\n +3\n +\]/);

    const shown = await cli("--json", "show", "k");
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    const values = json<{ values: Record<string, unknown> }>(shown.stdout).values;
    // The documented encoding: the serializer's tagged form, `{ "$sy": tag, "v": ... }`.
    expect(values.big).toEqual({ $sy: "bigint", v: "12345678901234567890" });
    expect(values.tags).toEqual({ $sy: "set", v: ["red", "blue"] });
    expect(values.scores).toEqual({ $sy: "map", v: [["ann", 3]] });
    expect(values.gaps).toEqual([1, { $sy: "undef", v: null }, 3]);
    // ... which `deserialize` turns back into the values themselves.
    expect(deserialize(JSON.stringify(values))).toEqual({
      big: 12345678901234567890n,
      tags: new Set(["red", "blue"]),
      scores: new Map([["ann", 3]]),
      when: new Date("2026-01-02T03:04:05.000Z"),
      bytes: new Uint8Array([1, 2, 3]),
      ratio: Number.POSITIVE_INFINITY,
      gaps: [1, undefined, 3],
    });

    const text = await cli("show", "k");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('"big": 12345678901234567890n');
    expect(text.stderr).not.toMatch(STACK_FRAME);
  }, 120_000);

  it("interrupt payloads with them print in `inbox` and `show`", async () => {
    const { cli } = workspace(KINDS);
    expect((await cli("run", "big-question", "--thread", "b")).code).toBe(3);
    const inbox = await cli("inbox");
    expect(inbox.stderr).toBe("");
    expect(inbox.code).toBe(0);
    expect(inbox.stdout).toContain('{"amount":5n,"tags":Set ["x"]}');
    const shown = await cli("show", "b");
    expect(shown.stdout).toMatch(/"amount": 5n,\n +"tags": Set \[\n +"x"\n +\]/);
    const inboxJson = json<Array<{ value: unknown }>>((await cli("--json", "inbox")).stdout);
    expect(inboxJson[0]?.value).toEqual({
      amount: { $sy: "bigint", v: "5" },
      tags: { $sy: "set", v: ["x"] },
    });
  }, 120_000);
});

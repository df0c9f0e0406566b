import { describe, expect, it } from "vitest";
import { Command, MemoryCheckpointer } from "../../src/index.js";
import { buildGraph } from "../../graphs/document-review.js";

const clean = {
  title: "Notes",
  sections: [
    { title: "A", text: "All good." },
    { title: "B", text: "Also fine." },
  ],
};

function compiled() {
  return buildGraph().compile({ checkpointer: new MemoryCheckpointer() });
}

describe("graphs/document-review", () => {
  it("checks every section in parallel and approves a clean document without a human", async () => {
    const result = await compiled().invoke(clean, { configurable: { thread_id: "clean" } });
    expect(result.verdict).toBe("approved");
    expect(result.findings).toEqual([]);
    // One task per section, joined before the verdict; the order follows the Send order.
    expect(result.checked).toEqual(["A", "B"]);
    expect(result.__interrupt__).toBeUndefined();
  });

  it("asks a human only when something is flagged, and records the verdict", async () => {
    const graph = compiled();
    const config = { configurable: { thread_id: "flagged" } };
    const paused = await graph.invoke(
      {
        title: "Draft",
        sections: [
          { title: "Intro", text: "TODO write this" },
          { title: "Setup", text: "api_key = 123" },
          { title: "Empty", text: " " },
        ],
      },
      config,
    );
    expect(paused.findings.map((finding) => finding.rule).sort()).toEqual([
      "no-placeholders",
      "no-secrets",
      "not-empty",
    ]);
    expect(paused.__interrupt__).toHaveLength(1);
    const done = await graph.invoke(
      new Command({ resume: { approved: false, comment: "remove the key" } }),
      config,
    );
    expect(done.verdict).toBe("changes_requested");
    expect(done.reviewer_comment).toBe("remove the key");
  });
});

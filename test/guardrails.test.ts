// Guardrails on a node's input and output: a failing check fails the node (GUARDRAIL_FAILED) or
// routes to a person (accept / edit / reject); reviewBelow() for the confidence threshold case.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Command,
  END,
  GuardrailFailedError,
  MemoryCheckpointer,
  reviewBelow,
  ReviewRejectedError,
  START,
  StateGraph,
  type GuardOptions,
} from "../src/index.js";

const State = z.object({
  text: z.string(),
  label: z.string().optional(),
  confidence: z.number().optional(),
});

/** START -> classify -> END; classify answers `answer` and counts its calls. */
function classifier(answer: { label: string; confidence: number }, guard: GuardOptions) {
  const calls = { classify: 0 };
  const graph = new StateGraph(State)
    .addNode(
      "classify",
      () => {
        calls.classify += 1;
        return answer;
      },
      { guard },
    )
    .addEdge(START, "classify")
    .addEdge("classify", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
  return { graph, calls };
}

const thread = (id: string) => ({ configurable: { thread_id: id } });

describe("guardrails", () => {
  it("fails the node with GUARDRAIL_FAILED when an output check (a zod refinement) fails", async () => {
    const { graph } = classifier(
      { label: "", confidence: 0.9 },
      { output: z.object({ label: z.string().min(1, "label must not be empty") }) },
    );
    const error = await graph.invoke({ text: "hi" }, thread("e1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailFailedError);
    expect(error).toMatchObject({ code: "GUARDRAIL_FAILED", node: "classify", check: "output" });
    expect((error as Error).message).toContain("label must not be empty");
    expect((await graph.getState(thread("e1"))).values.label).toBeUndefined();
  });

  it("checks the input before the node runs, with async functions", async () => {
    const { graph, calls } = classifier(
      { label: "x", confidence: 1 },
      {
        input: async (state) =>
          (state as { text: string }).text.length <= 5 || "text is longer than 5 characters",
      },
    );
    await expect(graph.invoke({ text: "far too long" }, thread("i1"))).rejects.toMatchObject({
      code: "GUARDRAIL_FAILED",
      check: "input",
      reason: "text is longer than 5 characters",
    });
    expect(calls.classify).toBe(0);
    expect((await graph.invoke({ text: "short" }, thread("i2"))).label).toBe("x");
  });

  it("routes a low-confidence output to review; accept keeps the node's result without re-running it", async () => {
    const { graph, calls } = classifier(
      { label: "billing", confidence: 0.4 },
      reviewBelow("confidence", 0.8),
    );
    const paused = await graph.invoke({ text: "charged twice" }, thread("r1"));
    expect(paused.__interrupt__?.[0]?.value).toEqual({
      type: "guardrail_review",
      node: "classify",
      check: "output",
      value: { label: "billing", confidence: 0.4 },
      reason: "confidence 0.4 is below 0.8",
    });
    const done = await graph.invoke(new Command({ resume: { action: "accept" } }), thread("r1"));
    expect(done).toMatchObject({ label: "billing", confidence: 0.4 });
    expect(calls.classify).toBe(1);
  });

  it("applies a reviewer's edit, and fails with REVIEW_REJECTED on a rejection", async () => {
    const { graph } = classifier(
      { label: "billing", confidence: 0.4 },
      reviewBelow("confidence", 0.8),
    );
    await graph.invoke({ text: "a" }, thread("r2"));
    const edited = await graph.invoke(
      new Command({ resume: { action: "edit", value: { label: "refund", confidence: 1 } } }),
      thread("r2"),
    );
    expect(edited).toMatchObject({ label: "refund", confidence: 1 });

    await graph.invoke({ text: "b" }, thread("r3"));
    const error = await graph
      .invoke(new Command({ resume: { action: "reject", reason: "spam" } }), thread("r3"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReviewRejectedError);
    expect(error).toMatchObject({ code: "REVIEW_REJECTED", reason: "spam", node: "classify" });
  });

  it("lets a confident output through without asking", async () => {
    const { graph } = classifier(
      { label: "billing", confidence: 0.95 },
      reviewBelow("confidence", 0.8),
    );
    const result = await graph.invoke({ text: "c" }, thread("r4"));
    expect(result.__interrupt__).toBeUndefined();
    expect(result.label).toBe("billing");
  });
});

// A human answer after an interrupt's deadline (issue 15, item 2): once `onTimeout` applies, the
// answer is refused with DEADLINE_PASSED and the thread keeps waiting for sweepExpired().
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  approval,
  Command,
  DeadlinePassedError,
  END,
  interrupt,
  listPendingInterrupts,
  MemoryCheckpointer,
  START,
  StateGraph,
  type OnTimeout,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { thread } from "./support.js";

const PAST = new Date("2001-01-01T00:00:00.000Z");
const FUTURE = new Date("2999-01-01T00:00:00.000Z");

function reviewGraph(deadline: Date, onTimeout: OnTimeout | undefined) {
  const store = new MemoryCheckpointer();
  const graph = new StateGraph(z.object({ status: z.string().optional() }))
    .addNode("review", () => {
      const decision = approval(
        { question: "ok?" },
        { deadline, ...(onTimeout ? { onTimeout } : {}) },
      );
      return { status: decision.approved ? "approved" : `rejected: ${decision.comment ?? "-"}` };
    })
    .addEdge(START, "review")
    .addEdge("review", END)
    .compile({ checkpointer: store, name: "review" });
  return { graph, store };
}

describe("a human answer after the deadline", () => {
  it("is refused with DEADLINE_PASSED once onTimeout applies; the sweep then applies it", async () => {
    const { graph, store } = reviewGraph(PAST, { reject: "too late" });
    await graph.invoke({}, thread("t"));
    const [pending] = await listPendingInterrupts(store);
    expect(pending).toMatchObject({
      deadline: PAST.toISOString(),
      onTimeout: { reject: "too late" },
    });

    const error = await rejection(() =>
      graph.invoke(new Command({ resume: { approved: true } }), {
        configurable: { thread_id: "t", actor: "dana" },
      }),
    );
    expect(error).toBeInstanceOf(DeadlinePassedError);
    expect(error.code).toBe("DEADLINE_PASSED");
    expect(error.message).toContain(`Interrupt ${pending?.interruptId}`);
    expect(error.message).toContain('node "review"');
    expect(error.message).toContain('thread "t"');
    expect(error.message).toContain(PAST.toISOString());
    expect(error.message).toContain('reject: "too late"');
    expect(error.message).toContain("sweepExpired()");
    // Nothing happened: still waiting on the same interrupt, nothing audited.
    expect(await graph.getAuditLog("t")).toEqual([]);
    expect((await graph.getState(thread("t"))).tasks[0]?.interrupts[0]?.id).toBe(
      pending?.interruptId,
    );

    expect(await graph.sweepExpired()).toEqual([
      { threadId: "t", interruptId: pending?.interruptId },
    ]);
    expect((await graph.getState(thread("t"))).values).toEqual({ status: "rejected: too late" });
    expect(await graph.getAuditLog("t")).toMatchObject([
      { actor: "system:deadline", kind: "timeout" },
    ]);
  });

  it("is taken before the deadline, and after it when there is no onTimeout", async () => {
    for (const [deadline, onTimeout] of [
      [FUTURE, { reject: "too late" }],
      [PAST, undefined],
    ] as const) {
      const { graph } = reviewGraph(deadline, onTimeout);
      await graph.invoke({}, thread("t"));
      const done = await graph.invoke(new Command({ resume: { approved: true } }), thread("t"));
      expect(done).toEqual({ status: "approved" });
    }
  });

  it("is refused by id in a map too, and for a plain interrupt() with onTimeout { resume }", async () => {
    const graph = new StateGraph(z.object({ answer: z.string().optional() }))
      .addNode("ask", () => ({
        answer: interrupt<string>("name?", { deadline: PAST, onTimeout: { resume: "default" } }),
      }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({}, thread("t"));
    const id = paused.__interrupt__?.[0]?.id as string;
    const error = await rejection(() =>
      graph.invoke(new Command({ resume: { [id]: "x" } }), thread("t")),
    );
    expect(error.code).toBe("DEADLINE_PASSED");
    expect(error.message).toContain('resume: "default"');
    expect(await graph.sweepExpired()).toHaveLength(1);
    expect((await graph.getState(thread("t"))).values).toEqual({ answer: "default" });
  });
});

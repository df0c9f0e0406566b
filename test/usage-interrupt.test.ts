// Usage of model calls a node makes before its own interrupt(): the node's writes are discarded
// when it interrupts, but what its calls spent is kept with the waiting task. The rule: every call
// made counts once. A call inside ctx.step is made once (a re-run after the answer replays its
// result and reports nothing); a call outside a step is made again on the re-run, and counts again.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MeteredFakeModel } from "../graphs/governed-triage.js";
import {
  append,
  Command,
  END,
  interrupt,
  MemoryCheckpointer,
  START,
  StateGraph,
  type NodeContext,
} from "../src/index.js";

const State = z.object({ log: append(z.string()) });
const thread = (id: string) => ({ configurable: { thread_id: id } });
const prompt = "one two three four five"; // 5 input tokens; the answer "fine" is 1 output token.

/** The node's model call: answers "fine", reporting its usage as chatNode would. */
async function call(ctx: NodeContext, calls: { made: number }): Promise<string> {
  calls.made += 1;
  const model = new MeteredFakeModel({ responses: ["fine"] });
  const message = await model.invoke(prompt, ctx.runnableConfig);
  if (message.usage_metadata) ctx.reportUsage(message.usage_metadata, { model: "fake-small" });
  return message.text;
}

function asker(inStep: boolean) {
  const calls = { made: 0 };
  const graph = new StateGraph(State)
    .addNode("ask", async (_state: unknown, ctx: NodeContext) => {
      const text = inStep
        ? await ctx.step("model", () => call(ctx, calls))
        : await call(ctx, calls);
      const answer = interrupt<string>({ question: `Send "${text}"?` });
      return { log: `${text}/${answer}` };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
  return { graph, calls };
}

const once = { input_tokens: 5, output_tokens: 1, total_tokens: 6 };

describe("usage of calls made before a node's interrupt", () => {
  it("a call inside ctx.step counts exactly once: kept while the task waits, not reported again on resume", async () => {
    const { graph, calls } = asker(true);
    await graph.invoke({ log: [] }, thread("s1"));
    // Waiting: the call was made and paid for; the waiting task's usage shows.
    expect((await graph.getUsage("s1")).total).toEqual(once);
    const done = await graph.invoke(new Command({ resume: "yes" }), thread("s1"));
    expect(done.log).toEqual(["fine/yes"]);
    expect(calls.made).toBe(1);
    const usage = await graph.getUsage("s1");
    expect(usage.total).toEqual(once);
    expect(usage.nodes).toEqual({ ask: once });
  });

  it("a call outside a step is made again on resume and counts each time it is made", async () => {
    const { graph, calls } = asker(false);
    await graph.invoke({ log: [] }, thread("r1"));
    expect((await graph.getUsage("r1")).total).toEqual(once);
    await graph.invoke(new Command({ resume: "yes" }), thread("r1"));
    expect(calls.made).toBe(2);
    expect((await graph.getUsage("r1")).total).toEqual({
      input_tokens: 10,
      output_tokens: 2,
      total_tokens: 12,
    });
  });

  it("a thread budget counts what a waiting task spent before its interrupt", async () => {
    const calls = { made: 0 };
    const graph = new StateGraph(State)
      .addNode("ask", async (_state: unknown, ctx: NodeContext) => {
        await ctx.step("model", () => call(ctx, calls));
        interrupt("go on?");
        return { log: "asked" };
      })
      .addNode("more", async (_state: unknown, ctx: NodeContext) => ({
        log: await call(ctx, calls),
      }))
      .addEdge(START, "ask")
      .addEdge("ask", "more")
      .addEdge("more", END)
      .compile({ checkpointer: new MemoryCheckpointer(), budget: { thread: { tokens: 5 } } });
    await graph.invoke({ log: [] }, thread("b1"));
    // 6 tokens were spent before the interrupt: the thread is over its 5 before "more" starts.
    await expect(graph.invoke(new Command({ resume: true }), thread("b1"))).rejects.toMatchObject({
      code: "BUDGET_EXCEEDED",
      scope: "thread",
      spent: 6,
    });
    expect(calls.made).toBe(1);
  });

  it("a task that went over the budget before its own interrupt takes its answer on resume; the next task is asked", async () => {
    const calls = { made: 0 };
    const graph = new StateGraph(State)
      .addNode("ask", async (_state: unknown, ctx: NodeContext) => {
        await ctx.step("model", () => call(ctx, calls));
        const answer = interrupt<string>("go on?");
        return { log: answer };
      })
      .addNode("more", async (_state: unknown, ctx: NodeContext) => ({
        log: await call(ctx, calls),
      }))
      .addEdge(START, "ask")
      .addEdge("ask", "more")
      .addEdge("more", END)
      .compile({
        checkpointer: new MemoryCheckpointer(),
        budget: { thread: { tokens: 5 }, onExceeded: "ask" },
      });
    await graph.invoke({ log: [] }, thread("b2"));
    const asked = await graph.invoke(new Command({ resume: "yes" }), thread("b2"));
    expect(asked.log).toEqual(["yes"]);
    expect(asked.__interrupt__?.[0]?.value).toMatchObject({
      type: "budget_exceeded",
      budget: [{ scope: "thread", measure: "tokens", limit: 5, spent: 6 }],
    });
    const done = await graph.invoke(
      new Command({ resume: { raise: { tokens: 100 } } }),
      thread("b2"),
    );
    expect(done.log).toEqual(["yes", "fine"]);
    expect((await graph.getUsage("b2")).total.total_tokens).toBe(12);
  });
});

// Budgets per run and per thread on tokens and cost, acting when usage goes over: stop with
// BUDGET_EXCEEDED, or ask a person with an approval interrupt.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  BudgetExceededError,
  Command,
  END,
  InvalidConfigError,
  MemoryCheckpointer,
  START,
  StateGraph,
  type Budget,
  type NodeContext,
} from "../src/index.js";

const State = z.object({ log: append(z.string()) });

/** START -> a -> b -> c -> END; a and b each spend `tokens` on model "small" (input only). */
function spender(budget: Budget, tokens = 600) {
  const ran: string[] = [];
  const node = (name: string, spends: boolean) => (_state: unknown, ctx: NodeContext) => {
    ran.push(name);
    if (spends) {
      ctx.reportUsage(
        { input_tokens: tokens, output_tokens: 0, total_tokens: tokens },
        { model: "small" },
      );
    }
    return { log: name };
  };
  const graph = new StateGraph(State)
    .addNode("a", node("a", true))
    .addNode("b", node("b", true))
    .addNode("c", node("c", false))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ checkpointer: new MemoryCheckpointer(), budget });
  return { graph, ran };
}

const thread = (id: string) => ({ configurable: { thread_id: id } });

describe("budgets", () => {
  it("stops a run over its token budget before the next node, naming what and by how much", async () => {
    const { graph, ran } = spender({ run: { tokens: 1000 } });
    const error = await graph.invoke({ log: [] }, thread("r1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    const budgetError = error as BudgetExceededError;
    expect(budgetError.code).toBe("BUDGET_EXCEEDED");
    expect(budgetError).toMatchObject({
      scope: "run",
      measure: "tokens",
      limit: 1000,
      spent: 1200,
    });
    expect(budgetError.message).toContain("exceeded by 200 tokens (1200 tokens spent)");
    expect(budgetError.message).toContain('before node "c"');
    expect(budgetError.message).toContain('thread "r1"');
    // What was paid for is kept: b's answer is in the state and its tokens are counted.
    expect(ran).toEqual(["a", "b"]);
    const state = await graph.getState(thread("r1"));
    expect(state.values.log).toEqual(["a", "b"]);
    expect(state.next).toEqual(["c"]);
    expect((await graph.getUsage("r1")).total.input_tokens).toBe(1200);
    // Raising the budget for a call lets the thread go on from where it stopped.
    const done = await graph.invoke(null, { ...thread("r1"), budget: { run: { tokens: 5000 } } });
    expect(done.log).toEqual(["a", "b", "c"]);
  });

  it("counts a thread's earlier runs against its thread budget", async () => {
    const { graph } = spender({ thread: { tokens: 2000 } });
    await graph.invoke({ log: [] }, thread("t1"));
    const usage = await graph.getUsage("t1");
    expect(usage.budget).toEqual([
      { scope: "thread", measure: "tokens", limit: 2000, spent: 1200 },
    ]);
    const error = await graph.invoke({ log: [] }, thread("t1")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BUDGET_EXCEEDED", scope: "thread", spent: 2400 });
  });

  it("prices each model's tokens and stops on cost", async () => {
    const budget: Budget = { run: { cost: 0.001 }, prices: { small: { input: 1, output: 4 } } };
    const { graph } = spender(budget);
    const error = await graph.invoke({ log: [] }, thread("c1")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BUDGET_EXCEEDED", measure: "cost", limit: 0.001 });
    expect((error as BudgetExceededError).spent).toBeCloseTo(0.0012, 10);
    expect((await graph.getUsage("c1")).total.cost).toBeCloseTo(0.0012, 10);
  });

  it("asks a person when told to: raise and go on, or stop", async () => {
    const { graph, ran } = spender({ thread: { tokens: 1000 }, onExceeded: "ask" });
    const paused = await graph.invoke({ log: [] }, thread("a1"));
    expect(paused.__interrupt__?.[0]?.value).toMatchObject({
      type: "budget_exceeded",
      budget: [{ scope: "thread", measure: "tokens", limit: 1000, spent: 1200 }],
    });
    expect(ran).toEqual(["a", "b"]);
    const done = await graph.invoke(
      new Command({ resume: { raise: { tokens: 500 } } }),
      thread("a1"),
    );
    expect(done.log).toEqual(["a", "b", "c"]);
    expect(ran).toEqual(["a", "b", "c"]);

    const second = spender({ thread: { tokens: 1000 }, onExceeded: "ask" });
    await second.graph.invoke({ log: [] }, thread("a2"));
    await expect(
      second.graph.invoke(new Command({ resume: { stop: true } }), thread("a2")),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(second.ran).toEqual(["a", "b"]);
  });

  it("counts a subgraph's calls for its thread: in getUsage (as parent|child), per run, and against the thread budget", async () => {
    const spend = (_state: unknown, ctx: NodeContext) => {
      ctx.reportUsage({ input_tokens: 300, output_tokens: 0, total_tokens: 300 });
      return { log: "draft" };
    };
    const child = new StateGraph(State).addNode("draft", spend).addEdge(START, "draft").compile();
    const graph = new StateGraph(State)
      .addNode("research", child)
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile({ checkpointer: new MemoryCheckpointer(), budget: { thread: { tokens: 500 } } });
    await graph.invoke({ log: [] }, { ...thread("s1"), metadata: { run_id: "run-1" } });
    const usage = await graph.getUsage("s1");
    expect(usage.nodes).toEqual({
      "research|draft": { input_tokens: 300, output_tokens: 0, total_tokens: 300 },
    });
    expect(usage.budget).toEqual([{ scope: "thread", measure: "tokens", limit: 500, spent: 300 }]);
    expect((await graph.getUsage("s1", { runId: "run-1" })).total.total_tokens).toBe(300);
    await graph.invoke({ log: [] }, thread("s1"));
    // 600 spent by two runs of the subgraph: the third run stops before its first node.
    await expect(graph.invoke({ log: [] }, thread("s1"))).rejects.toMatchObject({
      code: "BUDGET_EXCEEDED",
      scope: "thread",
      spent: 600,
    });
  });

  it("refuses a cost limit without prices", async () => {
    const { graph } = spender({ run: { cost: 1 } });
    await expect(graph.invoke({ log: [] }, thread("x"))).rejects.toBeInstanceOf(InvalidConfigError);
  });
});

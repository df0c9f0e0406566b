// Per-task timings (issue 13, the thread timeline): each task of a superstep is recorded with its
// start, duration, attempts, the error of each failed attempt, whether the node cache served it
// and its token usage — in the committed checkpoint's `metadata.timings`, or on the task itself in
// getState when its superstep did not commit (failed, or waiting on an interrupt). Every store.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  END,
  interrupt,
  MemoryCache,
  START,
  StateGraph,
  type NodeContext,
  type StateSnapshot,
  type TaskTiming,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { everyStore } from "./support/every-store.js";
import { collect, sleep, thread } from "./support.js";

const STORES = everyStore("timings");

const State = z.object({ log: append(z.string()) });
const USAGE = { input_tokens: 10, output_tokens: 2, total_tokens: 12 };

/** The timings of the checkpoint that `node`'s superstep committed. */
function timingsOf(history: readonly StateSnapshot<unknown>[], node: string): TaskTiming[] {
  for (const entry of history) {
    const timings = (entry.metadata?.timings ?? []) as TaskTiming[];
    if (timings.some((timing) => timing.node === node)) return timings;
  }
  throw new Error(`no checkpoint has a timing for ${node}`);
}

function historyOf(
  graph: { getStateHistory(config: unknown): AsyncIterable<StateSnapshot<unknown>> },
  id: string,
): Promise<Array<StateSnapshot<unknown>>> {
  return collect(graph.getStateHistory(thread(id)));
}

describe.each(STORES)("task timings (%s)", (_, open) => {
  it("a retried node shows attempts = 2, its first error, its duration and its tokens", async () => {
    let calls = 0;
    const graph = new StateGraph(State)
      .addNode(
        "flaky",
        async (_state: unknown, ctx: NodeContext) => {
          calls += 1;
          ctx.reportUsage(USAGE);
          if (calls === 1) throw new Error("rate limited");
          await sleep(30);
          return { log: "flaky" };
        },
        { retryPolicy: { maxAttempts: 3, initialInterval: 1, jitter: false } },
      )
      .addNode("plain", () => ({ log: "plain" }))
      .addEdge(START, "flaky")
      .addEdge("flaky", "plain")
      .addEdge("plain", END)
      .compile({ checkpointer: open() });
    const before = Date.now();
    await graph.invoke({ log: [] }, thread("r"));
    const after = Date.now();

    const history = await historyOf(graph, "r");
    const [flaky] = timingsOf(history, "flaky");
    expect(flaky).toMatchObject({
      node: "flaky",
      attempts: 2,
      cached: false,
      errors: [{ attempt: 1, name: "Error", message: "rate limited" }],
      usage: { input_tokens: 20, output_tokens: 4, total_tokens: 24 },
    });
    // The task id is the one getState gave the task: its superstep's parent checkpoint and index.
    const made = history.find((entry) =>
      ((entry.metadata?.timings ?? []) as TaskTiming[]).some((timing) => timing.node === "flaky"),
    );
    expect(flaky?.taskId).toBe(`${String(made?.parentConfig?.configurable.checkpoint_id)}:0`);
    expect(flaky?.durationMs).toBeGreaterThanOrEqual(25);
    const started = Date.parse(flaky?.startedAt ?? "");
    expect(started).toBeGreaterThanOrEqual(before);
    expect(started).toBeLessThanOrEqual(after);

    const [plain] = timingsOf(history, "plain");
    expect(plain).toMatchObject({ node: "plain", attempts: 1, errors: [], cached: false });
    expect(plain?.usage).toBeUndefined();
    // The input checkpoint ran no task.
    expect(history.at(-1)?.metadata?.timings).toBeUndefined();
  });

  it("a failed superstep keeps each failed attempt's error (with the engine's code) on its task", async () => {
    const graph = new StateGraph(State)
      .addNode("slow", () => sleep(2_000).then(() => ({ log: "slow" })), {
        timeoutMs: 50,
        retryPolicy: { maxAttempts: 2, initialInterval: 1, jitter: false },
      })
      .addNode("quick", (_state: unknown, ctx: NodeContext) => {
        ctx.reportUsage(USAGE);
        return { log: "quick" };
      })
      .addEdge(START, "slow")
      .addEdge(START, "quick")
      .compile({ checkpointer: open() });
    await rejection(() => graph.invoke({ log: [] }, thread("f")));

    const state = await graph.getState(thread("f"));
    const slow = state.tasks.find((task) => task.name === "slow");
    expect(slow?.error?.code).toBe("NODE_TIMEOUT");
    expect(slow?.error).not.toHaveProperty("timing");
    expect(slow?.timing).toMatchObject({ node: "slow", attempts: 2, cached: false });
    expect(slow?.timing?.errors.map((error) => [error.attempt, error.code])).toEqual([
      [1, "NODE_TIMEOUT"],
      [2, "NODE_TIMEOUT"],
    ]);
    expect(slow?.timing?.errors[0]?.message).toContain("50 ms");
    expect(slow?.timing?.durationMs).toBeGreaterThanOrEqual(90);
    // The sibling that finished keeps its writes, and its timing, on the same checkpoint.
    const quick = state.tasks.find((task) => task.name === "quick");
    expect(quick?.result).toEqual({ log: "quick" });
    expect(quick?.timing).toMatchObject({ attempts: 1, errors: [], usage: USAGE });
    // history shows the same (its newest entry is that checkpoint).
    const [latest] = await historyOf(graph, "f");
    expect(latest?.tasks.find((task) => task.name === "slow")?.timing?.attempts).toBe(2);
  });

  it("a task that finished before its sibling's interrupt is answered keeps its first run's timing", async () => {
    const graph = new StateGraph(State)
      .addNode("done", async () => {
        await sleep(20);
        return { log: "done" };
      })
      .addNode("ask", () => {
        const answer = interrupt<string>("ok?");
        return { log: answer };
      })
      .addEdge(START, "done")
      .addEdge(START, "ask")
      .compile({ checkpointer: open() });
    await graph.invoke({ log: [] }, thread("i"));
    const waiting = await graph.getState(thread("i"));
    const early = waiting.tasks.find((task) => task.name === "done")?.timing;
    expect(early).toMatchObject({ node: "done", attempts: 1 });
    expect(waiting.tasks.find((task) => task.name === "ask")?.timing).toBeUndefined();

    await graph.invoke(new Command({ resume: "yes" }), thread("i"));
    const timings = timingsOf(await historyOf(graph, "i"), "ask");
    expect(timings.map((timing) => timing.node).sort()).toEqual(["ask", "done"]);
    expect(timings.find((timing) => timing.node === "done")).toEqual(early);
    expect(timings.find((timing) => timing.node === "ask")).toMatchObject({
      attempts: 1,
      errors: [],
    });
  });

  it("metadata a caller named `timings` is stored as given where no task ran", async () => {
    const graph = new StateGraph(State)
      .addNode("plain", () => ({ log: "plain" }))
      .addEdge(START, "plain")
      .compile({ checkpointer: open() });
    const mine = [{ node: "x", note: "not a timing" }, [1, 2]];
    await graph.invoke({ log: [] }, { ...thread("m"), metadata: { timings: mine } });
    const history = await historyOf(graph, "m");
    expect(history.at(-1)?.metadata?.timings).toEqual(mine);
    expect(timingsOf(history, "plain")).toHaveLength(1);
  });

  it("a result served by the node cache is marked cached, with no attempt", async () => {
    const cache = new MemoryCache();
    let runs = 0;
    const graph = new StateGraph(State)
      .addNode(
        "lookup",
        () => {
          runs += 1;
          return { log: "looked up" };
        },
        { cachePolicy: { keyFunc: () => "same" } },
      )
      .addEdge(START, "lookup")
      .compile({ checkpointer: open(), cache });
    await graph.invoke({ log: [] }, thread("c1"));
    await graph.invoke({ log: [] }, thread("c2"));
    expect(runs).toBe(1);
    const [first] = timingsOf(await historyOf(graph, "c1"), "lookup");
    const [second] = timingsOf(await historyOf(graph, "c2"), "lookup");
    expect(first).toMatchObject({ attempts: 1, cached: false });
    expect(second).toMatchObject({ attempts: 0, cached: true, errors: [] });
  });
});

// Superstep semantics through the public API: write order, concurrency, routing, joins, cycles,
// Sends, Commands, retries, timeouts, cancellation and failure recovery.
import { RunnableLambda } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  CancelledError,
  Command,
  END,
  MemoryCheckpointer,
  NodeFailedError,
  NodeTimeoutError,
  Send,
  START,
  StateGraph,
  type NodeOptions,
} from "../src/index.js";
import { collect, Log, sleep, thread, untilAborted } from "./support.js";

type NodeArg = Parameters<StateGraph<typeof Log>["addNode"]>[1];
const noop = () => {};

/** A graph START -> fan, where fan's router returns `targets`. */
const fanOut = (targets: () => Array<string | Send>) =>
  new StateGraph(Log)
    .addNode("fan", noop)
    .addEdge(START, "fan")
    .addConditionalEdges("fan", targets);

describe("supersteps", () => {
  it("applies writes in plan order, whatever order the tasks finish in", async () => {
    const write = async (entry: string) => {
      await sleep(Math.random() * 4);
      return { log: entry };
    };
    const w = (i: number) => new Send("w", { i });
    const compiled = fanOut(() => ["c", w(0), "a", w(1), "b", w(2)])
      .addNode("c", () => write("c"))
      .addNode("a", () => write("a"))
      .addNode("b", () => write("b"))
      .addNode<{ i: number }>("w", ({ i }) => write(`w${i}`))
      .compile();
    for (let run = 0; run < 10; run += 1) {
      expect((await compiled.invoke({})).log).toEqual(["a", "b", "c", "w0", "w1", "w2"]);
    }
  });

  it("applies edge-triggered tasks before Sends, even to a node whose name sorts first", async () => {
    const compiled = fanOut(() => [new Send("a", { i: 0 }), "b", new Send("a", { i: 1 })])
      .addNode<{ i: number }>("a", ({ i }) => ({ log: `a${i}` }))
      .addNode("b", () => ({ log: "b" }))
      .compile();
    expect((await compiled.invoke({})).log).toEqual(["b", "a0", "a1"]);
  });

  it("runs at most maxConcurrency tasks at once", async () => {
    let running = 0;
    let peak = 0;
    const compiled = fanOut(() => Array.from({ length: 10 }, () => new Send("work", {})))
      .addNode("work", async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(3);
        running -= 1;
      })
      .compile();
    await compiled.invoke({}, { maxConcurrency: 3 });
    expect(peak).toBe(3);
    peak = 0;
    await compiled.invoke({});
    expect(peak).toBe(10);
  });

  it("shows a router its own node's writes, not its siblings'", async () => {
    const seen: Record<string, unknown> = {};
    const see = (node: string) => (state: object) => {
      seen[node] = { ...state };
      return END;
    };
    const compiled = new StateGraph(z.object({ x: z.string(), y: z.string() }))
      .addNode("left", () => ({ x: "left" }))
      .addNode("right", () => ({ y: "right" }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .addConditionalEdges("left", see("left"))
      .addConditionalEdges("right", see("right"))
      .compile();
    expect(await compiled.invoke({ x: "init", y: "init" })).toEqual({ x: "left", y: "right" });
    expect(seen).toEqual({ left: { x: "left", y: "init" }, right: { x: "init", y: "right" } });
  });

  it("runs a join once, after sources that finish in different supersteps", async () => {
    const joinSteps: number[] = [];
    const compiled = new StateGraph(Log)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b1", () => ({ log: "b1" }))
      .addNode("b2", () => ({ log: "b2" }))
      .addNode("join", (_, ctx) => {
        joinSteps.push(ctx.superstep);
        return { log: "join" };
      })
      .addEdge(START, "a")
      .addEdge(START, "b1")
      .addEdge("b1", "b2")
      .addEdge(["a", "b2"], "join")
      .compile();
    expect((await compiled.invoke({})).log).toEqual(["a", "b1", "b2", "join"]);
    expect(joinSteps).toEqual([2]);
  });

  it("runs a cycle until its router leaves", async () => {
    const compiled = new StateGraph(z.object({ n: z.number() }))
      .addNode("inc", (state) => ({ n: state.n + 1 }))
      .addEdge(START, "inc")
      .addConditionalEdges("inc", (state) => (state.n < 5 ? "inc" : END), ["inc", END])
      .compile();
    expect(await compiled.invoke({ n: 0 })).toEqual({ n: 5 });
  });

  it("fans out 100 Sends and joins them once, in Send order", async () => {
    let collects = 0;
    const compiled = new StateGraph(z.object({ out: append(z.number()), sum: z.number() }))
      .addNode("split", noop)
      .addNode<{ i: number }>("work", async ({ i }) => {
        await sleep(i % 3);
        return { out: i * 2 };
      })
      .addNode("collect", (state) => {
        collects += 1;
        return { sum: state.out.reduce((total, value) => total + value, 0) };
      })
      .addEdge(START, "split")
      .addConditionalEdges("split", () =>
        Array.from({ length: 100 }, (_, i) => new Send("work", { i })),
      )
      .addEdge("work", "collect")
      .compile();
    const result = await compiled.invoke({ sum: 0 });
    expect(result.out).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
    expect([result.sum, collects]).toEqual([9900, 1]);
  });

  it("follows a Command's goto and applies its update", async () => {
    const ran: string[] = [];
    const visit = (name: string) => () => {
      ran.push(name);
      return { log: name };
    };
    const compiled = new StateGraph(Log)
      .addNode("decide", () => new Command({ update: { log: "decided" }, goto: "yes" }), {
        ends: ["yes", "no"],
      })
      .addNode("yes", visit("yes"))
      .addNode("no", visit("no"))
      .addEdge(START, "decide")
      .compile();
    expect((await compiled.invoke({})).log).toEqual(["decided", "yes"]);
    expect(ran).toEqual(["yes"]);
  });

  it("runs a @langchain/core Runnable as a node", async () => {
    const shout = RunnableLambda.from((state: { log: string[] }) => ({
      log: state.log.join(" ").toUpperCase(),
    }));
    const compiled = new StateGraph(Log).addNode("shout", shout).addEdge(START, "shout").compile();
    expect((await compiled.invoke({ log: "hi" })).log).toEqual(["hi", "HI"]);
  });
});

describe("retries, timeouts and cancellation", () => {
  const retryPolicy = { maxAttempts: 3, initialInterval: 1, jitter: false };
  const single = (fn: NodeArg, options: NodeOptions) =>
    new StateGraph(Log).addNode("node", fn, options).addEdge(START, "node").compile();

  it("retries a flaky node until it succeeds; ctx.attempt counts the tries", async () => {
    const attempts: number[] = [];
    const compiled = single(
      (_, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`flake ${ctx.attempt}`);
        return { log: "ok" };
      },
      { retryPolicy },
    );
    expect((await compiled.invoke({})).log).toEqual(["ok"]);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("stops after one attempt when retryOn returns false", async () => {
    let attempts = 0;
    const compiled = single(
      () => {
        attempts += 1;
        throw new Error("fatal");
      },
      { retryPolicy: { ...retryPolicy, retryOn: () => false } },
    );
    const error = await compiled.invoke({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeFailedError);
    expect([(error as NodeFailedError).attempts, attempts]).toEqual([1, 1]);
  });

  it("aborts a node that outlives its timeoutMs; its ctx.signal fires", async () => {
    let signal: AbortSignal | undefined;
    const compiled = single(
      (_, ctx) => {
        signal = ctx.signal;
        return untilAborted(ctx.signal);
      },
      { timeoutMs: 10 },
    );
    await expect(compiled.invoke({})).rejects.toBeInstanceOf(NodeTimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it("cancels mid-run without checkpointing the step; invoke(null) then completes", async () => {
    const controller = new AbortController();
    let nodeSignalFired = false;
    let historyBefore: unknown[] = [];
    const compiled = new StateGraph(Log)
      .addNode("first", () => ({ log: "first" }))
      .addNode("slow", async (_, ctx) => {
        if (controller.signal.aborted) return { log: "slow" };
        historyBefore = await collect(compiled.getStateHistory(config));
        setTimeout(() => controller.abort(), 2);
        await untilAborted(ctx.signal);
        nodeSignalFired = true;
      })
      .addEdge(START, "first")
      .addEdge("first", "slow")
      .compile({ checkpointer: new MemoryCheckpointer() });
    const config = thread("t-cancel");
    await expect(
      compiled.invoke({}, { ...config, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(nodeSignalFired).toBe(true);
    const history = await collect(compiled.getStateHistory(config));
    expect(history).toHaveLength(historyBefore.length);
    expect(history.map((snapshot) => snapshot.metadata?.step)).toEqual([0, -1]);
    expect((await compiled.invoke(null, config)).log).toEqual(["first", "slow"]);
  });
});

describe("failure with a checkpointer", () => {
  it("keeps a finished sibling's writes and re-runs only the failed task", async () => {
    let broken = true;
    let okCalls = 0;
    const compiled = new StateGraph(Log)
      .addNode("ok", () => {
        okCalls += 1;
        return { log: "ok" };
      })
      .addNode("bad", async () => {
        await sleep(10);
        if (broken) throw new Error("bad broke");
        return { log: "bad" };
      })
      .addEdge(START, "ok")
      .addEdge(START, "bad")
      .compile({ checkpointer: new MemoryCheckpointer() });
    const config = thread("t-failure");
    await expect(compiled.invoke({}, config)).rejects.toBeInstanceOf(NodeFailedError);

    const state = await compiled.getState(config);
    expect(state.values.log).toEqual(["ok"]);
    expect(state.next).toEqual(["bad"]);
    const failed = state.tasks.find((task) => task.name === "bad");
    expect(failed?.error).toMatchObject({ name: "NodeFailedError", code: "NODE_FAILED" });
    expect(failed?.error?.message).toContain("bad broke");
    expect(state.tasks.find((task) => task.name === "ok")?.result).toEqual({ log: "ok" });

    broken = false;
    expect((await compiled.invoke(null, config)).log).toEqual(["bad", "ok"]);
    expect(okCalls).toBe(1);
  });
});

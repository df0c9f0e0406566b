// stream(): each mode's payloads, several modes at once, and stopping a run by leaving the loop.
import { describe, expect, it } from "vitest";
import { END, MemoryCheckpointer, START, StateGraph } from "../src/index.js";
import { chain, collect, Log, sleep, thread, untilAborted } from "./support.js";

describe("stream modes", () => {
  const twoNodes = () => chain(["a", "b"]).graph.compile();

  it('defaults to "updates": { node: update } per task', async () => {
    const events = await collect(twoNodes().stream({ log: "in" }));
    expect(events).toEqual([{ a: { log: "a" } }, { b: { log: "b" } }]);
  });

  it('"values" yields the state after the input and after each superstep', async () => {
    const events = await collect(twoNodes().stream({ log: "in" }, { streamMode: "values" }));
    expect(events).toEqual([{ log: ["in"] }, { log: ["in", "a"] }, { log: ["in", "a", "b"] }]);
  });

  it('"custom" yields what nodes pass to ctx.writer', async () => {
    const compiled = new StateGraph(Log)
      .addNode("a", (_, ctx) => {
        ctx.writer({ progress: 0.5 });
        ctx.writer("done");
      })
      .addEdge(START, "a")
      .compile();
    const events = await collect(compiled.stream({}, { streamMode: "custom" }));
    expect(events).toEqual([{ progress: 0.5 }, "done"]);
  });

  it('"debug" yields task, task_result and checkpoint events per superstep', async () => {
    const compiled = chain(["a"]).graph.compile({ checkpointer: new MemoryCheckpointer() });
    const events = (await collect(
      compiled.stream({ log: "in" }, { ...thread("t"), streamMode: "debug" }),
    )) as Array<{ type: string; step: number; payload: { name?: string; result?: unknown } }>;
    const step0 = events.filter((event) => event.step === 0);
    expect(step0.map((event) => event.type)).toEqual(["task", "task_result", "checkpoint"]);
    expect(step0[0]?.payload.name).toBe("a");
    expect(step0[1]?.payload).toMatchObject({ name: "a", result: { log: "a" } });
  });

  it("yields [mode, payload] tuples for several modes; custom events come before the update", async () => {
    const compiled = new StateGraph(Log)
      .addNode("a", (_, ctx) => {
        ctx.writer("working");
        return { log: "a" };
      })
      .addEdge(START, "a")
      .compile();
    const streamMode = ["updates", "custom", "values"] as const;
    const events = await collect(compiled.stream({ log: "in" }, { streamMode }));
    expect(events).toEqual([
      ["values", { log: ["in"] }],
      ["custom", "working"],
      ["updates", { a: { log: "a" } }],
      ["values", { log: ["in", "a"] }],
    ]);
  });
});

describe("leaving the loop early", () => {
  it("stops the run: the running node's signal fires and later nodes never run", async () => {
    let laterRan = false;
    let slowSignal: AbortSignal | undefined;
    const compiled = new StateGraph(Log)
      .addNode("slow", async (_, ctx) => {
        slowSignal = ctx.signal;
        ctx.writer("slow started");
        // Finishes on its own after 20 ms, so "later" would run unless the run is stopped.
        await Promise.race([untilAborted(ctx.signal), sleep(20)]);
        return { log: "slow" };
      })
      .addNode("later", () => {
        laterRan = true;
      })
      .addEdge(START, "slow")
      .addEdge("slow", "later")
      .addEdge("later", END)
      .compile();
    for await (const event of compiled.stream({}, { streamMode: "custom" })) {
      expect(event).toBe("slow started");
      break;
    }
    expect(slowSignal?.aborted).toBe(true);
    await sleep(40);
    expect(laterRan).toBe(false);
  });
});

// Threads with a checkpointer: continuing, history, reading old checkpoints, updateState, forks
// and static breakpoints.
import { describe, expect, it } from "vitest";
import { MemoryCheckpointer } from "../src/index.js";
import { chain, collect, thread } from "./support.js";

const checkpointer = () => ({ checkpointer: new MemoryCheckpointer() });

describe("threads and history", () => {
  it("continues a thread from its latest state on the next invoke", async () => {
    const { graph, calls } = chain(["a"]);
    const compiled = graph.compile(checkpointer());
    expect((await compiled.invoke({ log: "first" }, thread("t"))).log).toEqual(["first", "a"]);
    const second = await compiled.invoke({ log: "second" }, thread("t"));
    expect(second.log).toEqual(["first", "a", "second", "a"]);
    expect(calls.a).toBe(2);
  });

  it("lists history newest first: an input checkpoint at step -1, then one per superstep", async () => {
    const compiled = chain(["a", "b"]).graph.compile(checkpointer());
    await compiled.invoke({ log: "in" }, thread("t"));
    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history.map((s) => [s.metadata?.source, s.metadata?.step])).toEqual([
      ["loop", 1],
      ["loop", 0],
      ["input", -1],
    ]);
    expect(history.map((s) => s.values.log)).toEqual([["in", "a", "b"], ["in", "a"], ["in"]]);
    expect(history.map((s) => s.next)).toEqual([[], ["b"], ["a"]]);
    expect(history[0]?.parentConfig).toEqual(history[1]?.config);
    expect(history[1]?.parentConfig).toEqual(history[2]?.config);
    expect(history[2]?.parentConfig).toBeUndefined();
    const ids = history.map((s) => s.config.configurable.checkpoint_id as string);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it("reads the state at an older checkpoint_id", async () => {
    const compiled = chain(["a", "b"]).graph.compile(checkpointer());
    await compiled.invoke({ log: "in" }, thread("t"));
    const [, afterA] = await collect(compiled.getStateHistory(thread("t")));
    const old = await compiled.getState(thread("t", afterA?.config.configurable.checkpoint_id));
    expect(old.values.log).toEqual(["in", "a"]);
    expect(old.next).toEqual(["b"]);
    expect((await compiled.getState(thread("t"))).values.log).toEqual(["in", "a", "b"]);
  });

  it("updateState(asNode) plans the node's successors; invoke(null) runs them", async () => {
    const { graph, calls } = chain(["a", "b"]);
    const compiled = graph.compile(checkpointer());
    await compiled.invoke({ log: "in" }, thread("t"));
    const updated = await compiled.updateState(thread("t"), { log: "edited" }, "a");

    const state = await compiled.getState(thread("t"));
    expect(updated.configurable.checkpoint_id).toBeDefined();
    expect(state.config.configurable.checkpoint_id).toBe(updated.configurable.checkpoint_id);
    expect(state.metadata?.source).toBe("update");
    expect(state.values.log).toEqual(["in", "a", "b", "edited"]);
    expect(state.next).toEqual(["b"]);

    expect((await compiled.invoke(null, thread("t"))).log).toEqual(["in", "a", "b", "edited", "b"]);
    expect(calls).toEqual({ a: 1, b: 2 });
  });

  it("forks from an older checkpoint: re-runs later nodes, keeps the old branch", async () => {
    const { graph, calls } = chain(["a", "b", "c"]);
    const compiled = graph.compile(checkpointer());
    await compiled.invoke({ log: "in" }, thread("t"));
    const original = await collect(compiled.getStateHistory(thread("t")));
    const afterA = original.find((s) => s.metadata?.step === 0);
    const afterAId = afterA?.config.configurable.checkpoint_id;

    expect((await compiled.invoke(null, thread("t", afterAId))).log).toEqual(["in", "a", "b", "c"]);
    expect(calls).toEqual({ a: 1, b: 2, c: 2 });

    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history).toHaveLength(original.length + 3);
    const fork = history.find((s) => s.metadata?.source === "fork");
    expect(fork?.parentConfig?.configurable.checkpoint_id).toBe(afterAId);
    expect(fork?.values.log).toEqual(["in", "a"]);
    expect(history[0]?.values.log).toEqual(["in", "a", "b", "c"]);
    const ids = history.map((s) => s.config.configurable.checkpoint_id);
    for (const old of original) expect(ids).toContain(old.config.configurable.checkpoint_id);
  });
});

describe("breakpoints", () => {
  it("interruptBefore (compile time) pauses before the node; invoke(null) continues", async () => {
    const { graph, calls } = chain(["a", "b", "c"]);
    const compiled = graph.compile({ ...checkpointer(), interruptBefore: ["b"] });
    const paused = await compiled.invoke({ log: "in" }, thread("t"));
    expect(paused).toEqual({ log: ["in", "a"], __interrupt__: [] });
    expect((await compiled.getState(thread("t"))).next).toEqual(["b"]);
    expect(calls).toEqual({ a: 1 });

    const done = await compiled.invoke(null, thread("t"));
    expect(done).toEqual({ log: ["in", "a", "b", "c"] });
  });

  it("interruptAfter (compile time) pauses after the node; invoke(null) continues", async () => {
    const compiled = chain(["a", "b", "c"]).graph.compile({
      ...checkpointer(),
      interruptAfter: ["a"],
    });
    expect(await compiled.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in", "a"],
      __interrupt__: [],
    });
    expect(await compiled.invoke(null, thread("t"))).toEqual({ log: ["in", "a", "b", "c"] });
  });

  it("per-call breakpoints pause the same way", async () => {
    const compiled = chain(["a", "b", "c"]).graph.compile(checkpointer());
    const before = await compiled.invoke(
      { log: "in" },
      { ...thread("t1"), interruptBefore: ["c"] },
    );
    expect(before).toEqual({ log: ["in", "a", "b"], __interrupt__: [] });
    const after = await compiled.invoke({ log: "in" }, { ...thread("t2"), interruptAfter: ["a"] });
    expect(after).toEqual({ log: ["in", "a"], __interrupt__: [] });
    expect(await compiled.invoke(null, thread("t1"))).toEqual({ log: ["in", "a", "b", "c"] });
    expect(await compiled.invoke(null, thread("t2"))).toEqual({ log: ["in", "a", "b", "c"] });
  });

  it("does not fire the same breakpoint twice in a row, but fires when the node comes round again", async () => {
    const compiled = chain(["a", "b"]).graph.compile({ ...checkpointer(), interruptBefore: ["b"] });
    await compiled.invoke({ log: "1" }, thread("t"));
    expect(await compiled.invoke(null, thread("t"))).toEqual({ log: ["1", "a", "b"] });
    const again = await compiled.invoke({ log: "2" }, thread("t"));
    expect(again).toEqual({ log: ["1", "a", "b", "2", "a"], __interrupt__: [] });
  });
});

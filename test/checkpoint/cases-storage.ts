// Contract cases: what a checkpointer stores and reads back — checkpoints, history, pending writes,
// delta chains, and exact serialization (or a clean refusal).
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { expect, it } from "vitest";
import { z } from "zod";
import { append, END, messages, START, StateGraph, type StoredChannel } from "../../src/index.js";
import { chain, collect, thread } from "../support.js";
import type { ContractContext } from "./contract.js";
import {
  appendLoop,
  checkpointIds,
  checkpointRecord,
  itemsUpTo,
  longRun,
  rejection,
} from "./graphs.js";

/** Folds a stored append channel (updates are items or arrays of items) back into its list. */
const foldList = (stored: StoredChannel | undefined): unknown[] =>
  (stored?.deltas ?? [])
    .flat()
    .reduce<unknown[]>(
      (list, update) => list.concat(update),
      stored?.hasBase ? (stored.base as unknown[]) : [],
    );

/** Everything the serializer promises to round-trip, nested. */
const rich = () => ({
  date: new Date("2024-05-06T07:08:09.010Z"),
  map: new Map<unknown, unknown>([
    ["a", 1],
    [2, { deep: new Set([1n, "x"]) }],
  ]),
  set: new Set(["x", "y"]),
  bytes: new Uint8Array([0, 1, 127, 255]),
  big: 2n ** 70n,
  missing: undefined,
  list: [1, undefined, "three"],
  nested: { a: { b: { c: [null, true, { d: new Date(0) }] } } },
});

const Rich = z.object({
  payload: z.unknown(),
  when: z.date(),
  tags: z.set(z.string()),
  messages: messages(),
  history: append(z.unknown()),
});

const describeMessages = (list: readonly BaseMessage[]) =>
  list.map((message) => ({
    type: message.getType(),
    id: message.id,
    content: message.content,
    toolCalls: (message as AIMessage).tool_calls,
  }));

const Loose = z.object({ data: z.unknown(), log: append(z.string()) });

/** START -> first -> badWriter -> END; badWriter writes `bad` to `data`. */
const refusing = (bad: () => unknown) =>
  new StateGraph(Loose)
    .addNode("first", () => ({ data: { fine: 1 }, log: "first" }))
    .addNode("badWriter", () => ({ data: bad(), log: "bad" }))
    .addEdge(START, "first")
    .addEdge("first", "badWriter")
    .addEdge("badWriter", END);

class Widget {
  size = 1;
}

export function storageCases(ctx: ContractContext): void {
  it("deltas that say what they appended (ChannelWrite.appended) read back exactly, at every version", async () => {
    const store = ctx.store;
    const lists: Record<string, string[]> = {
      "cp-1": ["a"],
      "cp-2": ["a", "b"],
      "cp-3": ["a", "b", "c", "d"],
      "cp-4": ["a", "b", "c", "d", "e"],
      "cp-5": ["a", "b", "c", "d", "e", "f"],
    };
    await store.commit("t", checkpointRecord("cp-1", undefined, "input", { log: "cp-1" }), [
      { channel: "log", version: "cp-1", kind: "value", value: lists["cp-1"] },
    ]);
    const steps: Array<[id: string, updates: unknown[], appended: string[] | undefined]> = [
      ["cp-2", ["b"], ["b"]],
      ["cp-3", [["c", "d"]], ["c", "d"]],
      // A delta without `appended` (the reducer did something else), then appends again.
      ["cp-4", ["e"], undefined],
      ["cp-5", ["f"], ["f"]],
    ];
    let previous = "cp-1";
    for (const [id, updates, appended] of steps) {
      const value = lists[id];
      const write = {
        channel: "log",
        version: id,
        kind: "delta",
        previous,
        updates,
        value,
      } as const;
      await store.commit("t", checkpointRecord(id, previous, "loop", { log: id }), [
        appended ? { ...write, appended } : write,
      ]);
      previous = id;
    }
    for (const [id, list] of Object.entries(lists)) {
      expect(foldList((await store.getTuple("t", id))?.channels.log)).toEqual(list);
    }
    const listed: unknown[][] = [];
    for await (const tuple of store.list("t")) listed.push(foldList(tuple.channels.log));
    expect(listed).toEqual(Object.values(lists).reverse());
  });

  it("commit then getTuple: the latest checkpoint and any by id, with its channel values", async () => {
    const store = ctx.store;
    expect(await store.getTuple("t")).toBeUndefined();
    const first = checkpointRecord("cp-1", undefined, "input", { log: "cp-1", title: "cp-1" });
    await store.commit("t", first, [
      {
        channel: "log",
        version: "cp-1",
        kind: "delta",
        previous: undefined,
        updates: ["a"],
        value: ["a"],
      },
      { channel: "title", version: "cp-1", kind: "value", value: "draft" },
    ]);
    const second = checkpointRecord("cp-2", "cp-1", "loop", { log: "cp-2", title: "cp-1" });
    await store.commit("t", second, [
      {
        channel: "log",
        version: "cp-2",
        kind: "delta",
        previous: "cp-1",
        updates: [["b", "c"]],
        value: ["a", "b", "c"],
      },
    ]);

    const latest = await store.getTuple("t");
    expect(latest?.threadId).toBe("t");
    expect(latest?.checkpoint).toEqual(second);
    expect(foldList(latest?.channels.log)).toEqual(["a", "b", "c"]);
    expect(latest?.channels.title).toEqual({ hasBase: true, base: "draft", deltas: [] });
    expect(latest?.pendingWrites).toEqual([]);

    const older = await store.getTuple("t", "cp-1");
    expect(older?.checkpoint).toEqual(first);
    expect(foldList(older?.channels.log)).toEqual(["a"]);
    expect(await store.getTuple("t", "cp-9")).toBeUndefined();
    expect(await store.getTuple("other")).toBeUndefined();
  });

  it("lists newest first, with limit, before and a metadata filter", async () => {
    const compiled = chain(["a", "b", "c"]).graph.compile({ checkpointer: ctx.store });
    await compiled.invoke({ log: "in" }, { ...thread("t"), metadata: { run: "first" } });
    await compiled.invoke({ log: "again" }, { ...thread("t"), metadata: { run: "second" } });
    const all = await collect(ctx.store.list("t"));
    const ids = all.map((tuple) => tuple.checkpoint.id);
    expect(ids).toHaveLength(8);
    expect([...ids].sort().reverse()).toEqual(ids);
    // The second run's input continues the step count: steps grow along a thread.
    expect(all.map((tuple) => tuple.checkpoint.step)).toEqual([6, 5, 4, 3, 2, 1, 0, -1]);

    const ofList = async (options: Parameters<typeof ctx.store.list>[1]) =>
      (await collect(ctx.store.list("t", options))).map((tuple) => tuple.checkpoint.id);
    expect(await ofList({ limit: 3 })).toEqual(ids.slice(0, 3));
    expect(await ofList({ before: ids[2] })).toEqual(ids.slice(3));
    expect(await ofList({ before: ids[2], limit: 2 })).toEqual(ids.slice(3, 5));
    expect(await ofList({ filter: { source: "input" } })).toEqual([ids[3], ids[7]]);
    expect(await ofList({ filter: { run: "first", source: "loop" } })).toEqual(ids.slice(4, 7));
    expect(await ofList({ filter: { run: "first" }, limit: 2 })).toEqual(ids.slice(4, 6));
    expect(await ofList({ filter: { run: "nobody" } })).toEqual([]);
    expect(await collect(ctx.store.list("unknown"))).toEqual([]);

    const history = await collect(
      compiled.getStateHistory(thread("t"), {
        before: thread("t", ids[4]),
        filter: { source: "loop" },
        limit: 1,
      }),
    );
    expect(history.map((snapshot) => snapshot.values.log)).toEqual([["in", "a", "b"]]);
  });

  it("putWrites: getTuple returns each task's pending writes; a task's new writes replace its old", async () => {
    const store = ctx.store;
    await store.commit("t", checkpointRecord("cp-1", undefined, "input", {}), []);
    await store.putWrites("t", "cp-1", "task-1", [
      ["log", "one"],
      ["count", 1],
    ]);
    await store.putWrites("t", "cp-1", "task-2", [["log", { nested: new Date(5) }]]);
    await store.putWrites("t", "cp-1", "task-1", [["log", "one, again"]]);
    const writes = (await store.getTuple("t"))?.pendingWrites ?? [];
    const byTask = (taskId: string) => writes.filter((write) => write.taskId === taskId);
    expect(byTask("task-1")).toEqual([{ taskId: "task-1", channel: "log", value: "one, again" }]);
    expect(byTask("task-2")).toEqual([
      { taskId: "task-2", channel: "log", value: { nested: new Date(5) } },
    ]);
    expect(writes).toHaveLength(2);
  });

  it("a loop commit deletes its parent's pending writes; an update branching off keeps them", async () => {
    const store = ctx.store;
    await store.commit("t", checkpointRecord("cp-1", undefined, "input", {}), []);
    await store.putWrites("t", "cp-1", "task-1", [["log", "x"]]);
    await store.commit("t", checkpointRecord("cp-2", "cp-1", "update", {}), []);
    expect((await store.getTuple("t", "cp-1"))?.pendingWrites).toHaveLength(1);
    await store.commit("t", checkpointRecord("cp-3", "cp-1", "loop", {}), []);
    expect((await store.getTuple("t", "cp-1"))?.pendingWrites).toEqual([]);

    // A whole run leaves no pending writes behind: each write is stored once, in the checkpoints.
    await chain(["a", "b"])
      .graph.compile({ checkpointer: store })
      .invoke({ log: "in" }, thread("r"));
    const tuples = await collect(store.list("r"));
    expect(tuples.flatMap((tuple) => tuple.pendingWrites)).toEqual([]);
  });

  it("delta chains: a 300-step append loop reads back the exact list at every older checkpoint", async () => {
    const bytes = 200;
    const compiled = appendLoop(300, bytes).graph.compile({ checkpointer: ctx.store });
    expect((await compiled.invoke({ items: [] }, longRun("t"))).items).toEqual(
      itemsUpTo(300, bytes),
    );

    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history).toHaveLength(301);
    // history[k] is the checkpoint with 300 - k items.
    history.forEach((snapshot, k) =>
      expect(snapshot.values.items).toEqual(itemsUpTo(300 - k, bytes)),
    );
    // Some re-read on their own, by id: around the memory chain length and SQLite's snapshots.
    for (const k of [0, 1, 63, 64, 65, 137, 200, 236, 237, 299, 300]) {
      const id = history[k]?.config.configurable.checkpoint_id;
      const reread = await compiled.getState(thread("t", id));
      expect(reread.values.items).toEqual(itemsUpTo(300 - k, bytes));
    }
    // Reading the latest does not replay all 300 steps: a full value was stored along the way.
    const latest = (await ctx.store.getTuple("t"))?.channels.items;
    expect(latest?.hasBase).toBe(true);
    expect(latest?.deltas.length).toBeLessThan(300);
  });

  it("round-trips Date, Map, Set, Uint8Array, BigInt, undefined, nested objects and messages", async () => {
    const human = new HumanMessage({ content: "hi", id: "h-1", name: "ana" });
    const ai = new AIMessage({
      content: "",
      id: "ai-1",
      tool_calls: [{ id: "call-1", name: "search", args: { q: "weather" }, type: "tool_call" }],
    });
    const graph = new StateGraph(Rich)
      .addNode("write", () => ({
        payload: rich(),
        when: new Date("2030-01-02T03:04:05.006Z"),
        tags: new Set(["b", "a"]),
        messages: [human, ai],
        history: rich(),
      }))
      .addNode("reply", () => ({
        messages: new AIMessage({ content: "done", id: "ai-2" }),
        history: { again: new Map([[1n, undefined]]) },
      }))
      .addEdge(START, "write")
      .addEdge("write", "reply")
      .addEdge("reply", END);
    // The first input gives the keys the schema requires; "write" then replaces them.
    const input = { when: new Date(0), tags: new Set<string>() };
    await graph.compile({ checkpointer: ctx.store }).invoke(input, thread("t"));

    // A graph compiled afresh on the same store reads everything back from storage.
    const reloaded = graph.compile({ checkpointer: ctx.store });
    const state = await reloaded.getState(thread("t"));
    expect(state.values.payload).toStrictEqual(rich());
    expect(state.values.when).toStrictEqual(new Date("2030-01-02T03:04:05.006Z"));
    expect(state.values.tags).toStrictEqual(new Set(["b", "a"]));
    expect(state.values.history).toStrictEqual([rich(), { again: new Map([[1n, undefined]]) }]);
    expect(state.values.messages[0]).toBeInstanceOf(HumanMessage);
    expect(state.values.messages[1]).toBeInstanceOf(AIMessage);
    expect(describeMessages(state.values.messages)).toEqual([
      ...describeMessages([human, ai]),
      { type: "ai", id: "ai-2", content: "done", toolCalls: [] },
    ]);
    expect(state.values.messages[0]?.name).toBe("ana");

    const [, afterWrite] = await collect(reloaded.getStateHistory(thread("t")));
    expect(afterWrite?.values.history).toStrictEqual([rich()]);
    expect(describeMessages(afterWrite?.values.messages ?? [])).toEqual(
      describeMessages([human, ai]),
    );
    const stored = (await ctx.store.getTuple("t"))?.channels.payload;
    expect(stored).toStrictEqual({ hasBase: true, base: rich(), deltas: [] });
  });

  it("refuses a function at write time, naming the key and the node", async () => {
    const compiled = refusing(() => ({ handler: () => 1 })).compile({ checkpointer: ctx.store });
    const error = await rejection(() => compiled.invoke({ log: "in" }, thread("t")));
    expect(error.code).toBe("UNSERIALIZABLE_VALUE");
    expect(error).toMatchObject({ path: "data.handler", node: "badWriter" });
    expect(error.message).toContain("data.handler");
    expect(error.message).toContain('"badWriter"');
  });

  it("refuses a class instance at write time, naming the key and the node", async () => {
    const compiled = refusing(() => new Widget()).compile({ checkpointer: ctx.store });
    const error = await rejection(() => compiled.invoke({ log: "in" }, thread("t")));
    expect(error.code).toBe("UNSERIALIZABLE_VALUE");
    expect(error.message).toContain("Widget");
    expect(error).toMatchObject({ path: "data", node: "badWriter" });
    expect(error.message).toContain('"badWriter"');
  });

  it("persists nothing of a superstep whose write was refused; the thread continues from before it", async () => {
    let bad: unknown = () => 1;
    const compiled = refusing(() => bad).compile({ checkpointer: ctx.store });
    await expect(compiled.invoke({ log: "in" }, thread("t"))).rejects.toMatchObject({
      code: "UNSERIALIZABLE_VALUE",
    });
    const state = await compiled.getState(thread("t"));
    expect(state.metadata).toMatchObject({ source: "loop", step: 0 });
    expect(state.values).toEqual({ data: { fine: 1 }, log: ["in", "first"] });
    expect(state.next).toEqual(["badWriter"]);
    expect(state.tasks.every((task) => task.result === undefined)).toBe(true);
    expect(await checkpointIds(ctx.store, "t")).toHaveLength(2);

    // Refused input and updates leave no checkpoint either.
    const input = await rejection(() => compiled.invoke({ data: new Widget() }, thread("t")));
    expect(input).toMatchObject({ code: "UNSERIALIZABLE_VALUE", path: "data" });
    expect(input.message).toContain("in the input");
    await expect(
      compiled.updateState(thread("t"), { data: () => 2 }, "first"),
    ).rejects.toMatchObject({ code: "UNSERIALIZABLE_VALUE" });
    expect(await checkpointIds(ctx.store, "t")).toHaveLength(2);

    bad = new Date(7);
    const done = await compiled.invoke(null, thread("t"));
    expect(done).toEqual({ data: new Date(7), log: ["in", "first", "bad"] });
  });
}

// Subgraphs and a thread's life as a whole (issue 11): a copy of a thread waiting inside a child
// continues exactly like the original, history and forks with a child in flight, and pruning takes
// the namespaces a thread no longer needs.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  END,
  interrupt,
  namespaceKey,
  Send,
  START,
  StateGraph,
} from "../src/index.js";
import { collect, thread } from "./support.js";
import {
  approvingChild,
  bump,
  collectIds,
  eachStore,
  parentOf,
  waitingNamespace,
  type Counts,
} from "./support/subgraphs.js";

const STORES = eachStore();

describe.each(STORES)("copyThread with a child in flight on %s", (_name, open) => {
  it("the copy of a thread waiting inside a child continues exactly like the original", async () => {
    const counts: Counts = {};
    const store = open();
    const graph = parentOf(approvingChild(counts), store);
    const paused = await graph.invoke({ topic: "otters", log: [] }, thread("original"));
    await graph.copyThread(thread("original"), "copy");
    const copied = await graph.getState(thread("copy"));
    expect(copied.next).toEqual(["writer"]);
    expect(copied.tasks[0]?.interrupts.map((entry) => entry.id)).toEqual([
      paused.__interrupt__?.[0]?.id,
    ]);

    const original = await graph.invoke(new Command({ resume: "yes" }), thread("original"));
    const copy = await graph.invoke(new Command({ resume: "yes" }), thread("copy"));
    expect(copy).toEqual(original);
    // research and its effect ran once, before the copy; each thread ran approve once more and
    // publish once.
    expect(counts).toEqual({ research: 1, "search effect": 1, approve: 3, publish: 2 });
  });

  it("the copy keeps finished siblings and durable steps of the unfinished superstep", async () => {
    const counts: Counts = {};
    const Log = z.object({ log: append(z.string()) });
    const graph = new StateGraph(Log)
      .addNode("quick", () => {
        bump(counts, "quick");
        return { log: ["quick"] };
      })
      .addNode("ask", async (_state, ctx) => {
        bump(counts, "ask");
        await ctx.step("email", () => bump(counts, "email effect"));
        return { log: [`ask:${interrupt<string>("ok?")}`] };
      })
      .addEdge(START, "quick")
      .addEdge(START, "ask")
      .addEdge("quick", END)
      .addEdge("ask", END)
      .compile({ checkpointer: open() });
    await graph.invoke({ log: [] }, thread("original"));
    await graph.copyThread(thread("original"), "copy");
    const done = await graph.invoke(new Command({ resume: "fine" }), thread("copy"));
    expect(done.log).toEqual(["ask:fine", "quick"]);
    expect(counts).toEqual({ quick: 1, ask: 2, "email effect": 1 });
  });

  it("a copy after a partial answer to parallel children re-runs neither answered nor finished work", async () => {
    const runs: string[] = [];
    const Job = z.object({ topic: z.string(), log: append(z.string()) });
    const child = new StateGraph(Job)
      .addNode("work", (state) => {
        runs.push(`work:${state.topic}`);
        return { log: [`done:${state.topic}`] };
      })
      .addNode("ask", (state) => {
        runs.push(`ask:${state.topic}`);
        return { log: [`${state.topic}=${interrupt<string>(state.topic)}`] };
      })
      .addEdge(START, "work")
      .addEdge("work", "ask")
      .addEdge("ask", END)
      .compile();
    const Parent = z.object({ topics: z.array(z.string()), log: append(z.string()) });
    const parent = new StateGraph(Parent)
      .addNode("agent", child)
      .addConditionalEdges(START, (state) =>
        state.topics.map((topic) => new Send("agent", { topic, log: [] })),
      )
      .addEdge("agent", END)
      .compile({ checkpointer: open() });
    const paused = await parent.invoke({ topics: ["a", "b"], log: [] }, thread("original"));
    const ids = Object.fromEntries(
      (paused.__interrupt__ ?? []).map((entry) => [entry.value as string, entry.id]),
    );
    await parent.invoke(new Command({ resume: { [ids.a as string]: "yes" } }), thread("original"));
    await parent.copyThread(thread("original"), "copy");
    runs.length = 0;
    const done = await parent.invoke(
      new Command({ resume: { [ids.b as string]: "no" } }),
      thread("copy"),
    );
    expect([...done.log].sort()).toEqual(["a=yes", "b=no", "done:a", "done:b"]);
    // The children's Send input (topic) is theirs: dropped coming out.
    expect(done).not.toHaveProperty("topic");
    expect(runs).toEqual(["ask:b"]);
  });
});

describe.each(STORES)("history and forks with a child in flight on %s", (_name, open) => {
  it("a fork from before the child started runs its own child; the waiting branch's child is untouched", async () => {
    const counts: Counts = {};
    const graph = parentOf(approvingChild(counts), open());
    const paused = await graph.invoke({ topic: "otters", log: [] }, thread("t"));
    const history = await collect(graph.getStateHistory(thread("t")));
    const [waitingAt, afterInput] = history.map(
      (snapshot) => snapshot.config.configurable.checkpoint_id as string,
    );
    expect(history.map((snapshot) => snapshot.next)).toEqual([["writer"], ["plan"]]);
    expect(history[0]?.tasks[0]?.interrupts.map((entry) => entry.id)).toEqual([
      paused.__interrupt__?.[0]?.id,
    ]);

    const forked = await graph.invoke(null, thread("t", afterInput));
    const forkId = forked.__interrupt__?.[0]?.id;
    expect(forkId).toBeDefined();
    expect(forkId).not.toBe(paused.__interrupt__?.[0]?.id);
    const done = await graph.invoke(new Command({ resume: "fork" }), thread("t"));
    expect(done.log).toEqual(["plan", "plan", "research", "approve:fork", "publish", "finish"]);
    // A new branch is a new run of the child: its work happens again there, once.
    expect(counts).toEqual({ research: 2, "search effect": 2, approve: 3, publish: 1 });

    const original = await graph.getState(thread("t", waitingAt), { subgraphs: true });
    expect(original.tasks[0]?.state?.next).toEqual(["approve"]);
    expect(original.tasks[0]?.state?.tasks[0]?.interrupts[0]?.id).toBe(
      paused.__interrupt__?.[0]?.id,
    );
  });
});

describe.each(STORES)("pruning a thread with subgraphs on %s", (_name, open) => {
  it("pruning keeps the namespace of a child that still waits, even carried by updateState", async () => {
    const counts: Counts = {};
    const store = open();
    const graph = parentOf(approvingChild(counts), store);
    await graph.invoke({ topic: "otters", log: [] }, thread("t"));
    await graph.updateState(thread("t"), { topic: "sea otters" }, "plan");
    const namespace = await waitingNamespace(graph, "t");
    await store.pruneThread("t", { keepLast: 1 });
    expect(await store.getTuple(namespaceKey("t", namespace))).toBeDefined();
    const done = await graph.invoke(new Command({ resume: "yes" }), thread("t"));
    expect(done.log).toContain("approve:yes");
    expect(counts).toEqual({ research: 1, "search effect": 1, approve: 2, publish: 1 });
  });

  it("pruning deletes the namespaces of children whose superstep is pruned (dry run counts them)", async () => {
    const store = open();
    const graph = parentOf(approvingChild({}), store);
    await graph.invoke({ topic: "otters", log: [] }, thread("t"));
    const namespace = await waitingNamespace(graph, "t");
    await graph.invoke(new Command({ resume: "yes" }), thread("t"));
    // The child finished; its superstep is committed: the namespace is history nobody reads.
    const childCheckpoints = (await collectIds(store, namespaceKey("t", namespace))).length;
    expect(childCheckpoints).toBeGreaterThan(0);
    const own = (await collectIds(store, "t")).length;
    const expected = own - 1 + childCheckpoints;
    expect(await store.pruneThread("t", { keepLast: 1, dryRun: true })).toBe(expected);
    expect(await store.getTuple(namespaceKey("t", namespace))).toBeDefined();
    expect(await store.pruneThread("t", { keepLast: 1 })).toBe(expected);
    expect(await store.getTuple(namespaceKey("t", namespace))).toBeUndefined();
    expect((await graph.getState(thread("t"))).values.log.at(-1)).toBe("finish");
  });
});

// Inspecting subgraphs (issue 11): getState nests a child invoked from inside a node, an answer is
// audited once by path, a node-invoked child is pinned to its own structure, and every stream
// mode carries the child's namespace.
import { describe, expect, it } from "vitest";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import {
  Command,
  END,
  interrupt,
  listPendingInterrupts,
  MemoryCheckpointer,
  namespaceKey,
  START,
  StateGraph,
} from "../src/index.js";
import { collect, thread } from "./support.js";
import {
  approvingChild,
  eachStore,
  parentOf,
  Shared,
  waitingNamespace,
} from "./support/subgraphs.js";

const STORES = eachStore();

describe.each(STORES)("getState with subgraphs on %s", (_name, open) => {
  it("nests the state of a child invoked from inside a node", async () => {
    const store = open();
    const Inner = z.object({ question: z.string(), answer: z.string().optional() });
    const inner = new StateGraph(Inner)
      .addNode("prepare", (state) => ({ question: `${state.question} (please)` }))
      .addNode("ask", (state) => ({ answer: interrupt<string>(state.question) }))
      .addEdge(START, "prepare")
      .addEdge("prepare", "ask")
      .addEdge("ask", END)
      .compile({ name: "inner" });
    const Outer = z.object({ q: z.string(), a: z.string().optional() });
    const outer = new StateGraph(Outer)
      .addNode("call", async (state, ctx) => {
        const out = await inner.invoke({ question: state.q }, ctx.runnableConfig);
        return { a: out.answer };
      })
      .addEdge(START, "call")
      .addEdge("call", END)
      .compile({ checkpointer: store });
    const paused = await outer.invoke({ q: "name?" }, thread("t"));
    const nested = await outer.getState(thread("t"), { subgraphs: true });
    const child = nested.tasks[0]?.state;
    expect(child?.values).toEqual({ question: "name? (please)" });
    expect(child?.next).toEqual(["ask"]);
    expect(child?.config.configurable.checkpoint_ns).toMatch(/^call:/);
    expect(child?.tasks[0]?.interrupts[0]?.id).toBe(paused.__interrupt__?.[0]?.id);
  });
});

describe.each(STORES)("auditing an answer given inside a child on %s", (_name, open) => {
  it("one audit row per answer, on the thread, naming the path", async () => {
    const store = open();
    const graph = parentOf(approvingChild({}), store);
    const paused = await graph.invoke({ topic: "otters", log: [] }, thread("t"));
    const namespace = await waitingNamespace(graph, "t");
    // The inbox names the interrupt the way the audit will.
    expect((await listPendingInterrupts(store)).map((item) => item.node)).toEqual([
      "writer › approve",
    ]);
    await graph.invoke(new Command({ resume: "yes" }), {
      configurable: { thread_id: "t", actor: "ada" },
    });
    const audit = await graph.getAuditLog("t");
    expect(
      audit.map(({ actor, interruptId, node, kind, value }) => ({
        actor,
        interruptId,
        node,
        kind,
        value,
      })),
    ).toEqual([
      {
        actor: "ada",
        interruptId: paused.__interrupt__?.[0]?.id,
        node: "writer › approve",
        kind: "resume",
        value: "yes",
      },
    ]);
    expect(await store.getAuditLog(namespaceKey("t", namespace))).toEqual([]);
  });

  it("two levels deep, the row names the whole path", async () => {
    const store = open();
    const middle = new StateGraph(Shared)
      .addNode("inner", approvingChild({}))
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ name: "middle" });
    const graph = parentOf(middle, store);
    await graph.invoke({ topic: "owls", log: [] }, thread("t"));
    await graph.invoke(new Command({ resume: "ok" }), thread("t"));
    const audit = await graph.getAuditLog("t");
    expect(audit.map((entry) => [entry.node, entry.value])).toEqual([
      ["writer › inner › approve", "ok"],
    ]);
  });
});

describe.each(STORES)(
  "a child invoked from a node whose structure changed on %s",
  (_name, open) => {
    it("resuming it is SUBGRAPH_VERSION_MISMATCH naming the path, nothing changed; allowGraphChange goes on", async () => {
      const store = open();
      const Inner = z.object({ question: z.string(), answer: z.string().optional() });
      const build = (extra: boolean) => {
        let builder = new StateGraph(Inner).addNode("ask", (state) => ({
          answer: interrupt<string>(state.question),
        }));
        if (extra) builder = builder.addNode("check", () => ({})).addEdge("ask", "check");
        return builder.addEdge(START, "ask").compile({ name: "inner" });
      };
      let inner = build(false);
      const Outer = z.object({ q: z.string(), a: z.string().optional() });
      const outer = new StateGraph(Outer)
        .addNode("call", async (state, ctx) => {
          const out = await inner.invoke({ question: state.q }, ctx.runnableConfig);
          return { a: out.answer };
        })
        .addEdge(START, "call")
        .addEdge("call", END)
        .compile({ checkpointer: store });
      const paused = await outer.invoke({ q: "name?" }, thread("t"));
      // The parent's structure does not name the child: only the child's own pin can see this.
      inner = build(true);
      await expect(outer.invoke(new Command({ resume: "Ada" }), thread("t"))).rejects.toMatchObject(
        {
          code: "SUBGRAPH_VERSION_MISMATCH",
          threadId: "t",
          node: "call",
          message: expect.stringContaining('graph "inner"') as unknown,
        },
      );
      const waiting = await outer.getState(thread("t"));
      expect(waiting.tasks[0]?.interrupts.map((entry) => entry.id)).toEqual([
        paused.__interrupt__?.[0]?.id,
      ]);
      const done = await outer.invoke(new Command({ resume: "Ada" }), {
        ...thread("t"),
        allowGraphChange: true,
      });
      expect(done).toEqual({ q: "name?", a: "Ada" });
    });
  },
);

describe("streaming a subgraph in every mode", () => {
  it("stream(input, { subgraphs: true }) tags every mode's events with the child's namespace", async () => {
    const model = new FakeListChatModel({ responses: ["hi"] });
    const Chat = z.object({ reply: z.string().optional() });
    const child = new StateGraph(Chat)
      .addNode("talk", async (_state, ctx) => {
        ctx.writer({ progress: "talking" });
        return { reply: (await model.invoke("hello", ctx.runnableConfig)).text };
      })
      .addEdge(START, "talk")
      .addEdge("talk", END)
      .compile();
    const graph = new StateGraph(Chat)
      .addNode("agent", child)
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const modes = ["values", "updates", "custom", "debug", "messages"] as const;
    const items = (await collect(
      graph.stream({}, { ...thread("t"), subgraphs: true, streamMode: [...modes] }),
    )) as Array<[string[], string, unknown]>;
    const inChild = (mode: string) =>
      items.filter(([namespace, itemMode]) => itemMode === mode && namespace.length === 1);
    for (const mode of modes) expect(inChild(mode).length, mode).toBeGreaterThan(0);
    expect(new Set(items.map(([namespace]) => namespace.join("|")))).toEqual(
      new Set(["", inChild("updates")[0]?.[0][0]]),
    );
    expect(inChild("custom").map(([, , payload]) => payload)).toEqual([{ progress: "talking" }]);
    expect(inChild("updates").map(([, , payload]) => payload)).toEqual([{ talk: { reply: "hi" } }]);
    const parentValues = items.filter(
      ([namespace, mode]) => namespace.length === 0 && mode === "values",
    );
    expect(parentValues.at(-1)?.[2]).toEqual({ reply: "hi" });
  });
});

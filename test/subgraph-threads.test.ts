// Subgraphs and a thread's life as a whole (issue 11): a copy of a thread waiting inside a child
// continues exactly like the original, pruning takes the namespaces a thread no longer needs,
// getState nests a child invoked from inside a node, and an answer is audited once, by path.
import { afterEach, describe, expect, it } from "vitest";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import {
  append,
  Command,
  END,
  interrupt,
  listPendingInterrupts,
  MemoryCheckpointer,
  namespaceKey,
  Send,
  SqliteCheckpointer,
  START,
  StateGraph,
  type CompiledGraph,
  type ThreadStore,
} from "../src/index.js";
import { collect, thread } from "./support.js";

let opened: SqliteCheckpointer[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

const STORES: Array<[string, () => ThreadStore]> = [
  ["memory", () => new MemoryCheckpointer()],
  [
    "sqlite",
    () => {
      const store = new SqliteCheckpointer(":memory:");
      opened.push(store);
      return store;
    },
  ],
];

const Shared = z.object({ topic: z.string(), log: append(z.string()) });
const ChildState = z.object({
  topic: z.string(),
  log: append(z.string()),
  draft: z.string().optional(),
});

type Counts = Record<string, number>;
const bump = (counts: Counts, name: string) => (counts[name] = (counts[name] ?? 0) + 1);

/** research (a durable step) → approve (asks) → publish, counting every execution and effect. */
function approvingChild(counts: Counts) {
  return new StateGraph(ChildState)
    .addNode("research", async (state, ctx) => {
      bump(counts, "research");
      const found = await ctx.step("search", () => {
        bump(counts, "search effect");
        return `notes on ${state.topic}`;
      });
      return { draft: found, log: ["research"] };
    })
    .addNode("approve", (state) => {
      bump(counts, "approve");
      return { log: [`approve:${interrupt<string>({ draft: state.draft })}`] };
    })
    .addNode("publish", () => {
      bump(counts, "publish");
      return { log: ["publish"] };
    })
    .addEdge(START, "research")
    .addEdge("research", "approve")
    .addEdge("approve", "publish")
    .addEdge("publish", END)
    .compile({ name: "writer" });
}

function parentOf(child: CompiledGraph<z.ZodObject>, store: ThreadStore) {
  return new StateGraph(Shared)
    .addNode("plan", () => ({ log: ["plan"] }))
    .addNode("writer", child)
    .addNode("finish", () => ({ log: ["finish"] }))
    .addEdge(START, "plan")
    .addEdge("plan", "writer")
    .addEdge("writer", "finish")
    .addEdge("finish", END)
    .compile({ checkpointer: store, name: "supervisor" });
}

/** The namespace of the child the thread's first waiting task runs. */
async function waitingNamespace(graph: CompiledGraph<z.ZodObject>, threadId: string) {
  const snapshot = await graph.getState(thread(threadId), { subgraphs: true });
  return snapshot.tasks[0]?.state?.config.configurable.checkpoint_ns as string;
}

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

async function collectIds(store: ThreadStore, key: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const tuple of store.list(key)) ids.push(tuple.checkpoint.id);
  return ids;
}

// Subgraphs (issue 11): a compiled graph as a node (shared keys), a graph invoked inside a node
// (own schema), nesting, checkpoints in the parent thread under a namespace, interrupts deep inside
// surfacing on the parent and resuming the child at the interrupted node, failures named by path.
import { afterEach, describe, expect, it } from "vitest";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { z } from "zod";
import {
  append,
  approval,
  Command,
  END,
  interrupt,
  listPendingInterrupts,
  MemoryCheckpointer,
  Send,
  SqliteCheckpointer,
  START,
  StateGraph,
  type Checkpointer,
  type CompiledGraph,
  type ThreadStore,
} from "../src/index.js";
import { collect, thread } from "./support.js";

let opened: SqliteCheckpointer[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

const STORES: Array<[string, () => Checkpointer & ThreadStore]> = [
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

/** research → approve (interrupts) → publish, counting every execution and effect. */
function approvingChild(counts: Record<string, number>) {
  const bump = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return new StateGraph(ChildState)
    .addNode("research", async (state, ctx) => {
      bump("research");
      const found = await ctx.step("search", () => {
        bump("search effect");
        return `notes on ${state.topic}`;
      });
      return { draft: found, log: ["research"] };
    })
    .addNode("approve", (state) => {
      bump("approve");
      const answer = interrupt<string>({ draft: state.draft });
      return { log: [`approve:${answer}`] };
    })
    .addNode("publish", () => {
      bump("publish");
      return { log: ["publish"] };
    })
    .addEdge(START, "research")
    .addEdge("research", "approve")
    .addEdge("approve", "publish")
    .addEdge("publish", END)
    .compile({ name: "writer" });
}

function parentOf(child: CompiledGraph<z.ZodObject>, checkpointer: Checkpointer) {
  return new StateGraph(Shared)
    .addNode("plan", () => ({ log: ["plan"] }))
    .addNode("writer", child)
    .addNode("finish", () => ({ log: ["finish"] }))
    .addEdge(START, "plan")
    .addEdge("plan", "writer")
    .addEdge("writer", "finish")
    .addEdge("finish", END)
    .compile({ checkpointer, name: "supervisor" });
}

describe.each(STORES)("subgraphs on %s", (_name, open) => {
  it("an interrupt inside surfaces on the parent; resume continues the child at the interrupted node", async () => {
    const counts: Record<string, number> = {};
    const store = open();
    const graph = parentOf(approvingChild(counts), store);
    const paused = await graph.invoke({ topic: "otters", log: [] }, thread("t1"));
    expect(paused.__interrupt__).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
        value: { draft: "notes on otters" },
      },
    ]);
    const id = paused.__interrupt__?.[0]?.id as string;
    const snapshot = await graph.getState(thread("t1"));
    expect(snapshot.next).toEqual(["writer"]);
    expect(snapshot.tasks[0]?.interrupts.map((entry) => entry.id)).toEqual([id]);
    const inbox = await listPendingInterrupts(store);
    expect(inbox.map((item) => [item.threadId, item.interruptId])).toEqual([["t1", id]]);

    const done = await graph.invoke(new Command({ resume: "yes" }), thread("t1"));
    // The child's whole output on the shared reducer key folds in again (LangGraph's behaviour).
    expect(done.log).toEqual(["plan", "plan", "research", "approve:yes", "publish", "finish"]);
    expect(done).not.toHaveProperty("draft");
    // research and its effect ran once; approve ran twice (asked, then answered); publish once.
    expect(counts).toEqual({ research: 1, "search effect": 1, approve: 2, publish: 1 });
    // The child's checkpoints are part of the thread, not threads of their own.
    const threads = await collect(store.listThreads());
    expect(threads.map((info) => info.threadId)).toEqual(["t1"]);
    await store.deleteThread("t1");
    expect(await collect(store.listThreads())).toEqual([]);
    expect(await graph.getState(thread("t1"))).toMatchObject({ values: {}, next: [] });
  });

  it("nested two levels: the innermost interrupt surfaces with one id and resumes in place", async () => {
    const counts: Record<string, number> = {};
    const store = open();
    const middle = new StateGraph(Shared)
      .addNode("before", () => {
        counts.before = (counts.before ?? 0) + 1;
        return { log: ["before"] };
      })
      .addNode("inner", approvingChild(counts))
      .addEdge(START, "before")
      .addEdge("before", "inner")
      .addEdge("inner", END)
      .compile({ name: "middle" });
    const graph = parentOf(middle, store);
    const paused = await graph.invoke({ topic: "owls", log: [] }, thread("t2"));
    expect(paused.__interrupt__).toHaveLength(1);
    const again = await graph.invoke(null, thread("t2"));
    expect(again.__interrupt__?.[0]?.id).toBe(paused.__interrupt__?.[0]?.id);
    const done = await graph.invoke(new Command({ resume: "ok" }), thread("t2"));
    expect(done.log).toContain("approve:ok");
    expect(done.log.at(-1)).toBe("finish");
    expect(counts).toEqual({ before: 1, research: 1, "search effect": 1, approve: 2, publish: 1 });
  });

  it("a child with its own schema invoked from a node checkpoints in the parent thread", async () => {
    const store = open();
    let asked = 0;
    const Inner = z.object({ question: z.string(), answer: z.string().optional() });
    const inner = new StateGraph(Inner)
      .addNode("ask", (state) => {
        asked += 1;
        return { answer: interrupt<string>(state.question) };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    const Outer = z.object({ q: z.string(), a: z.string().optional() });
    const outer = new StateGraph(Outer)
      .addNode("call", async (state, ctx) => {
        const out = await inner.invoke({ question: state.q }, ctx.runnableConfig);
        return { a: out.answer };
      })
      .addEdge(START, "call")
      .addEdge("call", END)
      .compile({ checkpointer: store });
    const paused = await outer.invoke({ q: "name?" }, thread("t3"));
    expect(paused.__interrupt__?.[0]?.value).toBe("name?");
    expect(await outer.invoke(new Command({ resume: "Ada" }), thread("t3"))).toEqual({
      q: "name?",
      a: "Ada",
    });
    expect(asked).toBe(2);
  });

  it("a failure inside is NODE_FAILED naming the path, and the parent stays resumable", async () => {
    const store = open();
    let fail = true;
    let firstRuns = 0;
    const child = new StateGraph(Shared)
      .addNode("first", () => {
        firstRuns += 1;
        return { log: ["first"] };
      })
      .addNode("flaky", () => {
        if (fail) throw new Error("upstream down");
        return { log: ["flaky"] };
      })
      .addEdge(START, "first")
      .addEdge("first", "flaky")
      .addEdge("flaky", END)
      .compile();
    const graph = new StateGraph(Shared)
      .addNode("team", child)
      .addEdge(START, "team")
      .addEdge("team", END)
      .compile({ checkpointer: store });
    await expect(graph.invoke({ topic: "x", log: [] }, thread("t4"))).rejects.toMatchObject({
      code: "NODE_FAILED",
      node: "team › flaky",
      threadId: "t4",
      message: expect.stringContaining('Node "team › flaky" failed') as unknown,
    });
    fail = false;
    const done = await graph.invoke(null, thread("t4"));
    expect(done.log).toEqual(["first", "flaky"]);
    expect(firstRuns).toBe(1);
  });
});

describe("subgraph structure", () => {
  it("the parent's version includes the child's structure", () => {
    const make = (extra: boolean) => {
      let child = new StateGraph(Shared).addNode("a", () => ({}));
      if (extra) child = child.addNode("b", () => ({})).addEdge("a", "b");
      const compiled = child.addEdge(START, "a").compile();
      return new StateGraph(Shared).addNode("sub", compiled).addEdge(START, "sub").compile();
    };
    expect(make(false).version).toBe(make(false).version);
    expect(make(false).version).not.toBe(make(true).version);
  });
});

describe.each(STORES)("subgraph answers on %s", (_name, open) => {
  it("a child asking twice, then the parent node asking itself: each answer goes where it belongs", async () => {
    const store = open();
    const runs: string[] = [];
    const Inner = z.object({ log: append(z.string()) });
    const inner = new StateGraph(Inner)
      .addNode("first", () => {
        runs.push("first");
        return { log: [`first:${interrupt<string>("q1")}`] };
      })
      .addNode("second", () => {
        runs.push("second");
        return { log: [`second:${interrupt<string>("q2")}`] };
      })
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile();
    const outer = new StateGraph(Inner)
      .addNode("node", async (_state, ctx) => {
        const out = await inner.invoke({ log: [] }, ctx.runnableConfig);
        const own = interrupt<string>("q3");
        return { log: [...out.log, `own:${own}`] };
      })
      .addEdge(START, "node")
      .addEdge("node", END)
      .compile({ checkpointer: store });
    const questions: unknown[] = [];
    let result = await outer.invoke({ log: [] }, thread("t5"));
    for (const answer of ["a1", "a2", "a3"]) {
      questions.push(result.__interrupt__?.[0]?.value);
      result = await outer.invoke(new Command({ resume: answer }), thread("t5"));
    }
    expect(questions).toEqual(["q1", "q2", "q3"]);
    expect(result).toEqual({ log: ["first:a1", "second:a2", "own:a3"] });
    expect(runs).toEqual(["first", "first", "second", "second"]);
  });

  it("parallel children via Send: answering one does not re-run the other", async () => {
    const store = open();
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
      .compile({ checkpointer: store });
    const paused = await parent.invoke({ topics: ["a", "b"], log: [] }, thread("t6"));
    const ids = Object.fromEntries(
      (paused.__interrupt__ ?? []).map((entry) => [entry.value as string, entry.id]),
    );
    expect(Object.keys(ids).sort()).toEqual(["a", "b"]);
    const half = await parent.invoke(
      new Command({ resume: { [ids.a as string]: "yes" } }),
      thread("t6"),
    );
    expect(half.__interrupt__?.map((entry) => entry.id)).toEqual([ids.b]);
    const done = await parent.invoke(
      new Command({ resume: { [ids.b as string]: "no" } }),
      thread("t6"),
    );
    expect([...done.log].sort()).toEqual(["a=yes", "b=no", "done:a", "done:b"]);
    expect(runs.filter((run) => run.startsWith("work")).sort()).toEqual(["work:a", "work:b"]);
    expect(runs.filter((run) => run === "ask:a")).toHaveLength(2);
    expect(runs.filter((run) => run === "ask:b")).toHaveLength(2);
  });
});

describe.each(STORES)("updateState with a child waiting on %s", (_name, open) => {
  it("keeps the child's progress: the answer resumes it at the interrupted node", async () => {
    const counts: Record<string, number> = {};
    const store = open();
    const graph = parentOf(approvingChild(counts), store);
    await graph.invoke({ topic: "otters", log: [] }, thread("t7"));
    await graph.updateState(thread("t7"), { topic: "sea otters" }, "plan");
    const waiting = await graph.getState(thread("t7"));
    expect(waiting.next).toEqual(["writer"]);
    expect(waiting.tasks[0]?.interrupts).toHaveLength(1);
    const done = await graph.invoke(new Command({ resume: "yes" }), thread("t7"));
    expect(done.log).toContain("approve:yes");
    // The child in flight goes on with the state it started with; its output on the shared keys
    // (topic included) is what the parent gets from it, as for any node that read the old state.
    expect(done.topic).toBe("otters");
    expect(counts).toEqual({ research: 1, "search effect": 1, approve: 2, publish: 1 });
  });
});

describe("inspecting and streaming subgraphs", () => {
  it("getState(config, { subgraphs: true }) nests the waiting child's state in tasks[].state", async () => {
    const store = new MemoryCheckpointer();
    const graph = parentOf(approvingChild({}), store);
    await graph.invoke({ topic: "otters", log: [] }, thread("t8"));
    const flat = await graph.getState(thread("t8"));
    expect(flat.tasks[0]?.state).toBeUndefined();
    const nested = await graph.getState(thread("t8"), { subgraphs: true });
    const child = nested.tasks[0]?.state;
    expect(child?.values).toEqual({
      topic: "otters",
      log: ["plan", "research"],
      draft: "notes on otters",
    });
    expect(child?.next).toEqual(["approve"]);
    expect(child?.config.configurable).toMatchObject({
      thread_id: "t8",
      checkpoint_ns: expect.stringMatching(/^writer:/) as unknown,
    });
    expect(child?.tasks[0]?.interrupts[0]?.id).toBe(nested.tasks[0]?.interrupts[0]?.id);
  });

  it("stream(input, { subgraphs: true }) yields [namespace, chunk], the child's under its namespace", async () => {
    const store = new MemoryCheckpointer();
    const graph = parentOf(approvingChild({}), store);
    const first = await collect(
      graph.stream({ topic: "owls", log: [] }, { ...thread("t9"), subgraphs: true }),
    );
    const items = first as Array<[string[], unknown]>;
    expect(items[0]).toEqual([[], { plan: { log: ["plan"] } }]);
    const childItems = items.filter(([namespace]) => namespace.length === 1);
    expect(childItems.map(([, chunk]) => Object.keys(chunk as object)[0])).toEqual([
      "research",
      "__interrupt__",
    ]);
    expect(childItems[0]?.[0][0]).toMatch(/^writer:/);
    const resumed = (await collect(
      graph.stream(new Command({ resume: "ok" }), {
        ...thread("t9"),
        subgraphs: true,
        streamMode: ["updates"],
      }),
    )) as Array<[string[], string, unknown]>;
    expect(
      resumed.map(([namespace, mode, chunk]) => [
        namespace.length,
        mode,
        Object.keys(chunk as object)[0],
      ]),
    ).toEqual([
      [1, "updates", "approve"],
      [1, "updates", "publish"],
      [0, "updates", "writer"],
      [0, "updates", "finish"],
    ]);
  });
});

describe.each(STORES)("Command.PARENT on %s", (_name, open) => {
  it("a child node's Command({ graph: Command.PARENT, goto, update }) routes in the parent", async () => {
    const store = open();
    const ran: string[] = [];
    const child = new StateGraph(Shared)
      .addNode("triage", () => {
        ran.push("triage");
        return new Command({
          graph: Command.PARENT,
          goto: "escalate",
          update: { log: ["triaged"] },
        });
      })
      .addNode("never", () => {
        ran.push("never");
        return {};
      })
      .addEdge(START, "triage")
      .addEdge("triage", "never")
      .compile();
    const graph = new StateGraph(Shared)
      .addNode("team", child, { ends: ["escalate"] })
      .addNode("escalate", () => {
        ran.push("escalate");
        return { log: ["escalated"] };
      })
      .addEdge(START, "team")
      .compile({ checkpointer: store });
    const done = await graph.invoke({ topic: "x", log: [] }, thread("t10"));
    expect(done.log).toEqual(["triaged", "escalated"]);
    expect(ran).toEqual(["triage", "escalate"]);
  });

  it("Command.PARENT in a graph that is not a subgraph is NO_PARENT_GRAPH", async () => {
    const graph = new StateGraph(Shared)
      .addNode("a", () => new Command({ graph: Command.PARENT, goto: "a" }))
      .addEdge(START, "a")
      .compile({ checkpointer: open() });
    await expect(graph.invoke({ topic: "x", log: [] }, thread("t11"))).rejects.toMatchObject({
      code: "NO_PARENT_GRAPH",
      node: "a",
      threadId: "t11",
    });
    expect((await graph.getState(thread("t11"))).next).toEqual(["a"]);
  });
});

describe("deadlines inside a subgraph", () => {
  it("a deadline's onTimeout inside the child is applied by the parent's sweepExpired", async () => {
    const store = new MemoryCheckpointer();
    const Review = z.object({ status: z.string().optional() });
    const child = new StateGraph(Review)
      .addNode("review", () => {
        const decision = approval(
          { question: "ok?" },
          { deadline: new Date("2001-01-01T00:00:00.000Z"), onTimeout: { reject: "too late" } },
        );
        return { status: decision.approved ? "approved" : `rejected: ${decision.comment ?? "-"}` };
      })
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile();
    const graph = new StateGraph(Review)
      .addNode("team", child)
      .addEdge(START, "team")
      .addEdge("team", END)
      .compile({ checkpointer: store, name: "with-deadline" });
    const paused = await graph.invoke({}, thread("t12"));
    const id = paused.__interrupt__?.[0]?.id as string;
    expect(await graph.sweepExpired()).toEqual([{ threadId: "t12", interruptId: id }]);
    expect((await graph.getState(thread("t12"))).values).toEqual({ status: "rejected: too late" });
    const audit = await graph.getAuditLog("t12");
    expect(audit.map((entry) => [entry.interruptId, entry.kind, entry.actor, entry.value])).toEqual(
      [[id, "timeout", "system:deadline", { reject: "too late" }]],
    );
  });
});

describe("model tokens inside a subgraph", () => {
  it('stream mode "messages" yields the tokens of a model inside a child, tagged with the child node', async () => {
    const model = new FakeListChatModel({ responses: ["hi there"] });
    const Chat = z.object({ reply: z.string().optional() });
    const child = new StateGraph(Chat)
      .addNode("talk", async (_state, ctx) => ({
        reply: (await model.invoke("hello", ctx.runnableConfig)).text,
      }))
      .addEdge(START, "talk")
      .addEdge("talk", END)
      .compile();
    const graph = new StateGraph(Chat)
      .addNode("agent", child)
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const events = (await collect(
      graph.stream({}, { ...thread("t13"), streamMode: ["messages", "updates"] }),
    )) as Array<[string, unknown]>;
    const tokens = events
      .filter(([mode]) => mode === "messages")
      .map(([, payload]) => payload as [{ content: unknown }, { node: string }]);
    expect(tokens.map(([chunk]) => chunk.content).join("")).toBe("hi there");
    expect(new Set(tokens.map(([, meta]) => meta.node))).toEqual(new Set(["talk"]));
    expect(events.at(-1)).toEqual(["updates", { agent: { reply: "hi there" } }]);
  });
});

describe("children compiled with options", () => {
  it("a child compiled with a checkpointer still runs in the parent's thread as a subgraph", async () => {
    const store = new MemoryCheckpointer();
    const counts: Record<string, number> = {};
    const child = new StateGraph(ChildState)
      .addNode("ask", () => {
        counts.ask = (counts.ask ?? 0) + 1;
        return { log: [`ask:${interrupt<string>("?")}`] };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const graph = parentOf(child, store);
    await graph.invoke({ topic: "x", log: [] }, thread("t14"));
    const done = await graph.invoke(new Command({ resume: "y" }), thread("t14"));
    expect(done.log).toEqual(["plan", "plan", "ask:y", "finish"]);
    expect(counts.ask).toBe(2);
  });

  it("a child with static breakpoints is refused by name (INVALID_CONFIG), nothing half-run", async () => {
    const child = new StateGraph(Shared)
      .addNode("a", () => ({ log: ["a"] }))
      .addEdge(START, "a")
      .compile({ interruptBefore: ["a"] });
    const graph = parentOf(child, new MemoryCheckpointer());
    await expect(graph.invoke({ topic: "x", log: [] }, thread("t15"))).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining('node "writer"') as unknown,
    });
    expect((await graph.getState(thread("t15"))).next).toEqual(["writer"]);
  });
});

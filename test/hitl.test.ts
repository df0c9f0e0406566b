// Human in the loop (issue 4): interrupt() and Command({ resume }), several questions in one node,
// parallel interrupts, typed answers, refusing new input on a waiting thread, the audit log, static
// breakpoints per call, and resuming from another checkpointer on the same SQLite file.
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Command,
  END,
  interrupt,
  InvalidResumeError,
  NoCheckpointerError,
  OutsideNodeError,
  SqliteCheckpointer,
  START,
  StateGraph,
  ThreadInterruptedError,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { tempDir } from "./crash/spawn.js";
import { chain, Log, thread } from "./support.js";

let opened: SqliteCheckpointer[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

function sqlite(path = ":memory:"): SqliteCheckpointer {
  const store = new SqliteCheckpointer(path);
  opened.push(store);
  return store;
}

interface Raised {
  id: string;
  value: unknown;
}

/** The `__interrupt__` list `invoke` adds to the state of a paused run. */
function raised(result: object): Raised[] {
  return (result as { __interrupt__?: Raised[] }).__interrupt__ ?? [];
}

const ID = /^[0-9a-f]{16}$/;

/** START -> ask -> END; `ask` asks `questions` in turn and logs the answers. */
function asking(questions: readonly string[]) {
  const calls = { ask: 0 };
  const graph = new StateGraph(Log)
    .addNode("ask", () => {
      calls.ask += 1;
      const answers = questions.map((question) => interrupt<string>({ question }));
      return { log: answers };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END);
  return { graph, calls };
}

/** START -> left, right, done (no interrupt) -> join. left and right each ask one question. */
function parallel() {
  const calls: Record<string, number> = {};
  /** A node that counts its calls and logs `name`, or `name:answer` when it asks `question`. */
  const node = (name: string, question?: string) => () => {
    calls[name] = (calls[name] ?? 0) + 1;
    return { log: question ? `${name}:${interrupt<string>(question)}` : name };
  };
  const graph = new StateGraph(Log)
    .addNode("left", node("left", "left?"))
    .addNode("right", node("right", "right?"))
    .addNode("done", node("done"))
    .addNode("join", node("join"))
    .addEdge(START, "left")
    .addEdge(START, "right")
    .addEdge(START, "done")
    .addEdge(["left", "right", "done"], "join")
    .addEdge("join", END);
  return { graph: graph.compile({ checkpointer: sqlite() }), calls };
}

/** The id of the interrupt whose value is `value`. */
function idOf(list: Raised[], value: unknown): string {
  const found = list.find((entry) => entry.value === value);
  if (!found) throw new Error(`no interrupt with value ${String(value)}`);
  return found.id;
}

describe("interrupt() and Command({ resume })", () => {
  it("pauses with __interrupt__ [{ id, value }], then returns the resume value to the node", async () => {
    const { graph, calls } = asking(["Approve?"]);
    const compiled = graph.compile({ checkpointer: sqlite() });
    const paused = await compiled.invoke({ log: "in" }, thread("t"));
    expect(paused).toEqual({
      log: ["in"],
      __interrupt__: [{ id: expect.stringMatching(ID) as string, value: { question: "Approve?" } }],
    });
    expect((await compiled.getState(thread("t"))).next).toEqual(["ask"]);

    const done = await compiled.invoke(new Command({ resume: "yes" }), thread("t"));
    expect(done).toEqual({ log: ["in", "yes"] });
    expect(calls.ask).toBe(2);
    const state = await compiled.getState(thread("t"));
    expect(state.next).toEqual([]);
    expect(state.tasks).toEqual([]);
  });

  it("ctx.interrupt works like the imported interrupt()", async () => {
    const compiled = new StateGraph(Log)
      .addNode("ask", (_, ctx) => ({ log: ctx.interrupt<string>("name?") }))
      .addEdge(START, "ask")
      .compile({ checkpointer: sqlite() });
    expect(raised(await compiled.invoke({ log: "in" }, thread("t")))).toMatchObject([
      { value: "name?" },
    ]);
    expect(await compiled.invoke(new Command({ resume: "Ann" }), thread("t"))).toEqual({
      log: ["in", "Ann"],
    });
  });

  it("NO_CHECKPOINTER without a checkpointer; OUTSIDE_NODE outside a node", async () => {
    const { graph, calls } = asking(["Approve?"]);
    const error = await rejection(() => graph.compile().invoke({ log: "in" }));
    expect(error).toBeInstanceOf(NoCheckpointerError);
    expect(error.code).toBe("NO_CHECKPOINTER");
    expect(error.message).toContain("interrupt()");
    expect(calls.ask).toBe(1);

    expect(() => interrupt("hello")).toThrow(OutsideNodeError);
    expect(() => interrupt("hello")).toThrow(/interrupt\(\) can only be called while a node runs/);
  });

  it("asks several questions in one node in turn, matched by call order", async () => {
    const { graph, calls } = asking(["name?", "age?", "city?"]);
    const compiled = graph.compile({ checkpointer: sqlite() });
    const first = raised(await compiled.invoke({ log: "in" }, thread("t")));
    expect(first).toMatchObject([{ value: { question: "name?" } }]);
    const second = raised(await compiled.invoke(new Command({ resume: "Ann" }), thread("t")));
    expect(second).toMatchObject([{ value: { question: "age?" } }]);
    const third = raised(await compiled.invoke(new Command({ resume: "33" }), thread("t")));
    expect(third).toMatchObject([{ value: { question: "city?" } }]);
    const ids = [first, second, third].map((list) => list[0]?.id);
    expect(new Set(ids).size).toBe(3);

    const done = await compiled.invoke(new Command({ resume: "Oslo" }), thread("t"));
    expect(done).toEqual({ log: ["in", "Ann", "33", "Oslo"] });
    expect(calls.ask).toBe(4);
  });

  it("a node that runs again in a later superstep asks again (answers belong to one task)", async () => {
    const compiled = new StateGraph(Log)
      .addNode("ask", () => ({ log: interrupt<string>("again?") }))
      .addEdge(START, "ask")
      .addConditionalEdges("ask", (state) => (state.log.length < 3 ? "ask" : END))
      .compile({ checkpointer: sqlite() });
    const first = raised(await compiled.invoke({ log: "in" }, thread("t")));
    const second = raised(await compiled.invoke(new Command({ resume: "one" }), thread("t")));
    expect(second).toMatchObject([{ value: "again?" }]);
    expect(second[0]?.id).not.toBe(first[0]?.id);
    const done = await compiled.invoke(new Command({ resume: "two" }), thread("t"));
    expect(done).toEqual({ log: ["in", "one", "two"] });
  });

  it("parallel interrupts: distinct stable ids; one answered, the other still pending", async () => {
    const { graph, calls } = parallel();
    const first = await graph.invoke({ log: "in" }, thread("t"));
    // What the run returns is what getState shows: the finished sibling's writes included.
    expect(first.log).toEqual(["in", "done"]);
    expect((await graph.getState(thread("t"))).values.log).toEqual(["in", "done"]);
    const paused = raised(first);
    expect(paused.map((entry) => entry.value).sort()).toEqual(["left?", "right?"]);
    const left = idOf(paused, "left?");
    const right = idOf(paused, "right?");
    expect(left).toMatch(ID);
    expect(right).toMatch(ID);
    expect(left).not.toBe(right);

    const partly = await graph.invoke(new Command({ resume: { [right]: "R" } }), thread("t"));
    expect(partly).toEqual({
      log: ["in", "done", "right:R"],
      __interrupt__: [{ id: left, value: "left?" }],
    });
    expect((await graph.getState(thread("t"))).next).toEqual(["left"]);

    const done = await graph.invoke(new Command({ resume: { [left]: "L" } }), thread("t"));
    expect(done).toEqual({ log: ["in", "done", "left:L", "right:R", "join"] });
    // Finished siblings and the unanswered task were not re-run; answered tasks ran twice.
    expect(calls).toEqual({ left: 2, right: 2, done: 1, join: 1 });
  });

  it("INVALID_RESUME: one value for several interrupts, an unknown id, nothing waiting", async () => {
    const { graph, calls } = parallel();
    const paused = raised(await graph.invoke({ log: "in" }, thread("t")));
    const [left, right] = [idOf(paused, "left?"), idOf(paused, "right?")];

    const several = await rejection(() => graph.invoke(new Command({ resume: "x" }), thread("t")));
    expect(several).toBeInstanceOf(InvalidResumeError);
    expect(several.code).toBe("INVALID_RESUME");
    expect(several.message).toContain("2 interrupts");
    expect(several.message).toContain(left);
    expect(several.message).toContain(right);

    const unknown = "0123456789abcdef";
    const wrongId = await rejection(() =>
      graph.invoke(new Command({ resume: { [unknown]: "x" } }), thread("t")),
    );
    expect(wrongId.code).toBe("INVALID_RESUME");
    expect(wrongId.message).toContain(unknown);
    // Nothing changed: both still wait, nothing re-ran, and a map answers both at once.
    const both = new Command({ resume: { [left]: "L", [right]: "R" } });
    const done = await graph.invoke(both, { configurable: { thread_id: "t", actor: "eve" } });
    expect(done).toEqual({ log: ["in", "done", "left:L", "right:R", "join"] });
    expect(calls).toEqual({ left: 2, right: 2, done: 1, join: 1 });
    const audit = (await graph.getAuditLog("t")).map(({ actor, interruptId, value }) => [
      actor,
      interruptId,
      value,
    ]);
    expect(audit.sort()).toEqual(
      [
        ["eve", left, "L"],
        ["eve", right, "R"],
      ].sort(),
    );

    const finished = await rejection(() => graph.invoke(new Command({ resume: "x" }), thread("t")));
    expect(finished).toBeInstanceOf(InvalidResumeError);
    expect(finished.message).toContain('Nothing on thread "t" is waiting');
    const fresh = await rejection(() => graph.invoke(new Command({ resume: "x" }), thread("new")));
    expect(fresh.code).toBe("INVALID_RESUME");
    expect(fresh.message).toContain('thread "new"');
  });
});

describe("typed answers", () => {
  const Decision = z.object({ approved: z.boolean(), comment: z.string().default("none") });

  function approvalGraph() {
    const calls = { review: 0 };
    const graph = new StateGraph(z.object({ decision: z.string().optional() }))
      .addNode("review", () => {
        calls.review += 1;
        const answer = interrupt({ amount: 120 }, { resume: Decision });
        return { decision: `${String(answer.approved)}/${answer.comment}` };
      })
      .addEdge(START, "review")
      .compile({ checkpointer: sqlite() });
    return { graph, calls };
  }

  it("refuses an answer that fails the schema with the zod issue; the run stays paused", async () => {
    const { graph, calls } = approvalGraph();
    const [pending] = raised(await graph.invoke({}, thread("t")));
    const error = await rejection(() =>
      graph.invoke(new Command({ resume: { approved: "yes" } }), thread("t")),
    );
    expect(error).toBeInstanceOf(InvalidResumeError);
    expect(error.code).toBe("INVALID_RESUME");
    expect(error.message).toContain(pending?.id);
    expect(error.message).toContain('node "review"');
    expect(error.message).toMatch(/approved: .*boolean/i);

    const state = await graph.getState(thread("t"));
    expect(state.next).toEqual(["review"]);
    expect(state.tasks[0]?.interrupts).toMatchObject([{ id: pending?.id, value: { amount: 120 } }]);
    expect(await graph.getAuditLog("t")).toEqual([]);

    // Nothing was lost: a valid answer later resumes, and the schema's output is what the node gets.
    const done = await graph.invoke(new Command({ resume: { approved: true } }), thread("t"));
    expect(done).toEqual({ decision: "true/none" });
    expect(calls.review).toBe(3);
  });
});

describe("a thread waiting for a human", () => {
  it("refuses new input with THREAD_INTERRUPTED; discardInterrupts starts over", async () => {
    const { graph, calls } = asking(["Approve?"]);
    const compiled = graph.compile({ checkpointer: sqlite() });
    const [pending] = raised(await compiled.invoke({ log: "first" }, thread("t")));
    const error = await rejection(() => compiled.invoke({ log: "second" }, thread("t")));
    expect(error).toBeInstanceOf(ThreadInterruptedError);
    expect(error.code).toBe("THREAD_INTERRUPTED");
    expect((error as ThreadInterruptedError).interruptIds).toEqual([pending?.id]);
    expect(error.message).toContain('Thread "t"');
    expect(error.message).toContain("discardInterrupts");

    const untouched = await compiled.getState(thread("t"));
    expect(untouched.values.log).toEqual(["first"]);
    expect(untouched.tasks[0]?.interrupts.map((entry) => entry.id)).toEqual([pending?.id]);
    expect(calls.ask).toBe(1);

    const again = await compiled.invoke(
      { log: "second" },
      { ...thread("t"), discardInterrupts: true },
    );
    expect(again.log).toEqual(["first", "second"]);
    const [fresh] = raised(again);
    expect(fresh?.id).not.toBe(pending?.id);
    expect(await compiled.invoke(new Command({ resume: "ok" }), thread("t"))).toEqual({
      log: ["first", "second", "ok"],
    });
  });

  it("getState lists each task's interrupts: id, value, node, createdAt, deadline", async () => {
    const deadline = new Date("2031-01-02T03:04:05.000Z");
    const compiled = new StateGraph(Log)
      .addNode("ask", () => ({ log: interrupt<string>({ q: 1 }, { deadline }) }))
      .addNode("other", () => ({ log: interrupt<string>("plain") }))
      .addEdge(START, "ask")
      .addEdge(START, "other")
      .compile({ checkpointer: sqlite() });
    const before = Date.now();
    const paused = raised(await compiled.invoke({ log: "in" }, thread("t")));
    const state = await compiled.getState(thread("t"));
    expect(state.next).toEqual(["ask", "other"]);
    const [ask, other] = state.tasks;
    expect(ask?.name).toBe("ask");
    const createdAt = expect.any(String) as string;
    const askId = paused.find((entry) => entry.value !== "plain")?.id;
    const deadlineAt = "2031-01-02T03:04:05.000Z";
    expect(ask?.interrupts).toEqual([
      { id: askId, value: { q: 1 }, node: "ask", createdAt, deadline: deadlineAt },
    ]);
    const plain = idOf(paused, "plain");
    expect(other?.interrupts).toEqual([{ id: plain, value: "plain", node: "other", createdAt }]);
    const created = Date.parse(ask?.interrupts[0]?.createdAt ?? "");
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("audits every accepted resume: at, actor, interruptId, node, kind, value", async () => {
    const { graph } = asking(["name?", "age?"]);
    const compiled = graph.compile({ checkpointer: sqlite() });
    const [first] = raised(await compiled.invoke({ log: "in" }, thread("t")));
    const asDana = { configurable: { thread_id: "t", actor: "dana" } };
    const [second] = raised(await compiled.invoke(new Command({ resume: "Ann" }), asDana));
    await compiled.invoke(new Command({ resume: "33" }), thread("t"));

    const log = await compiled.getAuditLog("t");
    expect(
      log.map(({ actor, interruptId, node, kind, value }) => [
        actor,
        interruptId,
        node,
        kind,
        value,
      ]),
    ).toEqual([
      ["dana", first?.id, "ask", "resume", "Ann"],
      ["unknown", second?.id, "ask", "resume", "33"],
    ]);
    expect(Object.keys(log[0] ?? {}).sort()).toEqual([
      "actor",
      "at",
      "interruptId",
      "kind",
      "node",
      "value",
    ]);
    for (const entry of log) expect(new Date(entry.at).toISOString()).toBe(entry.at);
    expect(await compiled.getAuditLog("other")).toEqual([]);
  });
});

describe("static breakpoints per call", () => {
  it.each([
    ["interruptBefore", ["in", "a"], ["b"]],
    ["interruptAfter", ["in", "a", "b"], ["c"]],
  ] as const)(
    "%s given to invoke pauses once; invoke(null) with it again continues",
    async (kind, at, next) => {
      const { graph, calls } = chain(["a", "b", "c"]);
      const compiled = graph.compile({ checkpointer: sqlite() });
      const config = { ...thread("t"), [kind]: ["b"] };
      expect(await compiled.invoke({ log: "in" }, config)).toEqual({ log: at, __interrupt__: [] });
      expect((await compiled.getState(thread("t"))).next).toEqual(next);
      expect(await compiled.invoke(null, config)).toEqual({ log: ["in", "a", "b", "c"] });
      expect(calls).toEqual({ a: 1, b: 1, c: 1 });
      // The breakpoint belongs to the call: a run without it does not stop.
      expect((await compiled.invoke({ log: "more" }, thread("t"))).log).toHaveLength(8);
    },
  );

  it("a dynamic interrupt behind a compile-time breakpoint: each pause happens once", async () => {
    const { graph, calls } = asking(["Approve?"]);
    const compiled = graph.compile({ checkpointer: sqlite(), interruptBefore: ["ask"] });
    expect(await compiled.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in"],
      __interrupt__: [],
    });
    expect(calls.ask).toBe(0);
    const [pending] = raised(await compiled.invoke(null, thread("t")));
    expect(pending?.value).toEqual({ question: "Approve?" });
    expect(await compiled.invoke(new Command({ resume: "yes" }), thread("t"))).toEqual({
      log: ["in", "yes"],
    });
    expect(calls.ask).toBe(2);
  });
});

describe("a new process", () => {
  const folder = tempDir("switchyard-hitl-");
  afterAll(() => folder.remove());

  it("resumes from another SqliteCheckpointer on the same file", async () => {
    const path = join(folder.path, "hitl.db");
    const first = asking(["name?", "age?"]);
    const before = first.graph.compile({ checkpointer: sqlite(path), name: "ask" });
    await before.invoke({ log: "in" }, thread("t"));
    const [age] = raised(await before.invoke(new Command({ resume: "Ann" }), thread("t")));
    opened.pop()?.close();

    const second = asking(["name?", "age?"]);
    const after = second.graph.compile({ checkpointer: sqlite(path), name: "ask" });
    const state = await after.getState(thread("t"));
    expect(state.tasks[0]?.interrupts).toMatchObject([
      { id: age?.id, value: { question: "age?" } },
    ]);
    const done = await after.invoke(new Command({ resume: "33" }), {
      configurable: { thread_id: "t", actor: "ops" },
    });
    expect(done).toEqual({ log: ["in", "Ann", "33"] });
    expect(second.calls.ask).toBe(1);
    expect((await after.getAuditLog("t")).map((entry) => [entry.actor, entry.value])).toEqual([
      ["unknown", "Ann"],
      ["ops", "33"],
    ]);
  });
});

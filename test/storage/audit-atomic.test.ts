// Issue 10 item 3: an answer to an interrupt never takes effect without its audit entry. The
// "process" is killed after each of the resume's writes in turn (DyingCheckpointer); at every
// crash point an answer is either still waiting and unaudited, or consumed and audited.
import { describe, expect, it } from "vitest";
import {
  Command,
  END,
  interrupt,
  MemoryCheckpointer,
  SqliteCheckpointer,
  START,
  StateGraph,
  type Checkpointer,
  type NodeContext,
} from "../../src/index.js";
import { Log, thread } from "../support.js";
import { DyingCheckpointer } from "./dying.js";

type Build = (checkpointer: Checkpointer) => ReturnType<StateGraph<typeof Log>["compile"]>;

/** Graphs whose answered interrupt is persisted by each of the runtime's write paths. */
const scenarios: Record<string, { build: Build; answer: (ids: string[]) => unknown }> = {
  // A lone task: its output (and so the answer) goes into the superstep's commit.
  "lone task, committed with the superstep": {
    build: (checkpointer) =>
      new StateGraph(Log)
        .addNode("ask", () => ({ log: interrupt<string>("approve?") }))
        .addEdge(START, "ask")
        .addEdge("ask", END)
        .compile({ checkpointer }),
    answer: () => "yes",
  },
  // Parallel tasks: each output is stored as pending writes before the commit.
  "parallel tasks, stored as pending writes": {
    build: (checkpointer) =>
      new StateGraph(Log)
        .addNode("first", () => ({ log: interrupt<string>("first?") }))
        .addNode("second", () => ({ log: interrupt<string>("second?") }))
        .addEdge(START, "first")
        .addEdge(START, "second")
        .addEdge("first", END)
        .addEdge("second", END)
        .compile({ checkpointer }),
    answer: (ids) => Object.fromEntries(ids.map((id) => [id, `ok ${id}`])),
  },
  // A durable step after the answer records the task's story, answer included.
  "a durable step after the answer": {
    build: (checkpointer) =>
      new StateGraph(Log)
        .addNode("ask", async (_state: unknown, ctx: NodeContext) => {
          const answer = interrupt<string>("charge?");
          await ctx.step("charge", () => `charged for ${answer}`);
          return { log: interrupt<string>("and then?") };
        })
        .addEdge(START, "ask")
        .addEdge("ask", END)
        .compile({ checkpointer }),
    answer: () => "yes",
  },
  // A node that fails after accepting the answer keeps it in its record for the retry.
  "a node failing after the answer": {
    build: (checkpointer) =>
      new StateGraph(Log)
        .addNode("ask", () => {
          interrupt<string>("go?");
          throw new Error("the node broke after the answer");
        })
        .addEdge(START, "ask")
        .addEdge("ask", END)
        .compile({ checkpointer }),
    answer: () => "go",
  },
};

const stores: Record<string, () => Checkpointer> = {
  memory: () => new MemoryCheckpointer(),
  sqlite: () => new SqliteCheckpointer(":memory:"),
};

/** A thread paused on its interrupts, in a fresh store. */
async function paused(build: Build, store: Checkpointer) {
  const result = await build(store).invoke({ log: "in" }, thread("t"));
  return (result.__interrupt__ ?? []).map((entry) => entry.id);
}

/** Answered ids whose answer took effect without an audit entry, or were audited without effect. */
async function violations(build: Build, store: Checkpointer, answered: string[]) {
  const graph = build(store);
  const state = await graph.getState(thread("t"));
  const waiting = new Set(state.tasks.flatMap((task) => task.interrupts.map((entry) => entry.id)));
  const audited = new Set((await graph.getAuditLog("t")).map((entry) => entry.interruptId));
  return answered
    .filter((id) => waiting.has(id) === audited.has(id))
    .map((id) =>
      waiting.has(id) ? `${id} audited but still waiting` : `${id} consumed unaudited`,
    );
}

describe.each(Object.keys(stores))("the audit entry commits with its answer (%s)", (kind) => {
  const open = stores[kind] as () => Checkpointer;

  it.each(Object.keys(scenarios))("at every crash point of the resume: %s", async (name) => {
    const { build, answer } = scenarios[name] as (typeof scenarios)[string];
    // How many writes a resume makes when nothing dies.
    const whole = open();
    const ids = await paused(build, whole);
    const counting = new DyingCheckpointer(whole, Infinity);
    await build(counting)
      .invoke(new Command({ resume: answer(ids) }), thread("t"))
      .catch(() => undefined);
    expect(counting.writes).toBeGreaterThan(0);

    const found: string[] = [];
    for (let dieAfter = 0; dieAfter <= counting.writes; dieAfter += 1) {
      const store = open();
      const answered = await paused(build, store);
      const dying = new DyingCheckpointer(store, dieAfter);
      await build(dying)
        .invoke(new Command({ resume: answer(answered) }), thread("t"))
        .catch(() => undefined);
      for (const problem of await violations(build, store, answered)) {
        found.push(`killed after write ${dieAfter} of ${counting.writes}: ${problem}`);
      }
    }
    expect(found).toEqual([]);
  });
});

// Human in the loop: interrupt(), Command({ resume }) with one value or an id map, and where
// Switchyard deliberately differs (durable steps, refusing input or resumes that would lose an
// answer). Interrupt ids are engine-specific strings, so scenarios compare how ids relate (distinct,
// unchanged), never the ids themselves.
import type { CompiledLike, Engine } from "./engines.js";
import { Calls, logKey, outcome, scenario, thread, type Scenario } from "./harness.js";

interface Raised {
  id: string;
  value: unknown;
}

/** The `__interrupt__` list of a paused run's result (empty when it finished). */
function raised(result: object): Raised[] {
  return (result as { __interrupt__?: Raised[] }).__interrupt__ ?? [];
}

/** A paused run's result as comparable data: its values, and its interrupts' values with id types. */
function paused(result: object): { values: Record<string, unknown>; interrupts: unknown[] } {
  const values: Record<string, unknown> = { ...result };
  delete values.__interrupt__;
  const interrupts = raised(result)
    .map(({ id, value }) => ({ id: typeof id, value }))
    .sort((a, b) => String(a.value).localeCompare(String(b.value)));
  return { values, interrupts };
}

/** The id of the raised interrupt whose value is `value`. */
function idOf(list: readonly Raised[], value: unknown): string {
  const found = list.find((entry) => entry.value === value);
  if (!found) throw new Error(`no interrupt with value ${String(value)}`);
  return found.id;
}

/** START -> ask -> END; `ask` asks `questions` in turn and logs the answers. */
function asking(engine: Engine, questions: readonly string[], calls: Calls) {
  return engine
    .graph({ log: logKey(engine) })
    .addNode("ask", () => {
      calls.hit("ask");
      return { log: questions.map((question) => String(engine.interrupt(question))) };
    })
    .addEdge(engine.START, "ask")
    .addEdge("ask", engine.END)
    .compile({ checkpointer: engine.checkpointer() });
}

/** START -> left, right (each asks its name + "?"), done (asks nothing). */
function parallel(engine: Engine, calls: Calls) {
  const node = (name: string, asks: boolean) => () => {
    calls.hit(name);
    return { log: [asks ? `${name}:${String(engine.interrupt(`${name}?`))}` : name] };
  };
  return engine
    .graph({ log: logKey(engine) })
    .addNode("left", node("left", true))
    .addNode("right", node("right", true))
    .addNode("done", node("done", false))
    .addEdge(engine.START, "left")
    .addEdge(engine.START, "right")
    .addEdge(engine.START, "done")
    .compile({ checkpointer: engine.checkpointer() });
}

/** What getState says the thread waits on: each task's interrupt values. */
async function waitingOn<State>(graph: CompiledLike<State>, config: object) {
  const snapshot = await graph.getState(config);
  return snapshot.tasks
    .filter((task) => (task.interrupts ?? []).length > 0)
    .map((task) => ({ name: task.name, values: task.interrupts?.map((entry) => entry.value) }));
}

export const interruptScenarios: Scenario[] = [
  scenario({
    name: "interrupt() pauses with __interrupt__; Command({ resume }) returns the value to the node",
    run: async (engine) => {
      const calls = new Calls();
      const graph = asking(engine, ["approve?"], calls);
      const config = thread();
      const first = await graph.invoke({ log: ["in"] }, config);
      const waiting = await waitingOn(graph, config);
      const next = (await graph.getState(config)).next;
      const resumed = await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      return { first: paused(first), waiting, next, resumed, calls: calls.counts };
    },
    expected: {
      first: { values: { log: ["in"] }, interrupts: [{ id: "string", value: "approve?" }] },
      waiting: [{ name: "ask", values: ["approve?"] }],
      next: ["ask"],
      resumed: { log: ["in", "yes"] },
      calls: { ask: 2 },
    },
  }),

  scenario({
    name: "two interrupt() calls in one node are answered in turn, by call order",
    run: async (engine) => {
      const calls = new Calls();
      const graph = asking(engine, ["name?", "age?"], calls);
      const config = thread();
      const first = await graph.invoke({ log: ["in"] }, config);
      const second = await graph.invoke(new engine.Command({ resume: "Ann" }) as never, config);
      const done = await graph.invoke(new engine.Command({ resume: "33" }) as never, config);
      return {
        first: paused(first),
        second: paused(second),
        distinctIds: raised(first)[0]?.id !== raised(second)[0]?.id,
        done,
        calls: calls.counts,
      };
    },
    expected: {
      first: { values: { log: ["in"] }, interrupts: [{ id: "string", value: "name?" }] },
      second: { values: { log: ["in"] }, interrupts: [{ id: "string", value: "age?" }] },
      distinctIds: true,
      done: { log: ["in", "Ann", "33"] },
      calls: { ask: 3 },
    },
  }),

  scenario({
    name: "parallel interrupts: a map of ids from __interrupt__ resumes one, the other keeps its id",
    run: async (engine) => {
      const graph = parallel(engine, new Calls());
      const config = thread();
      const first = await graph.invoke({ log: ["in"] }, config);
      const [left, right] = [idOf(raised(first), "left?"), idOf(raised(first), "right?")];
      const resume = { [right]: "R" };
      const partly = await graph.invoke(new engine.Command({ resume }) as never, config);
      const stillLeft = raised(partly).map((entry) => entry.id === left);
      const done = await graph.invoke(
        new engine.Command({ resume: { [left]: "L" } }) as never,
        config,
      );
      return { first: paused(first), partly: paused(partly), stillLeft, done };
    },
    expected: {
      first: {
        values: { log: ["in", "done"] },
        interrupts: [
          { id: "string", value: "left?" },
          { id: "string", value: "right?" },
        ],
      },
      partly: {
        values: { log: ["in", "done", "right:R"] },
        interrupts: [{ id: "string", value: "left?" }],
      },
      stillLeft: [true],
      done: { log: ["in", "done", "left:L", "right:R"] },
    },
  }),

  scenario({
    name: "an interrupted task nobody answered is not re-run when its sibling is resumed",
    run: async (engine) => {
      const calls = new Calls();
      const graph = parallel(engine, calls);
      const config = thread();
      const first = await graph.invoke({ log: ["in"] }, config);
      const resume = { [idOf(raised(first), "right?")]: "R" };
      await graph.invoke(new engine.Command({ resume }) as never, config);
      return calls.counts;
    },
    differs: {
      switchyard: { left: 1, right: 2, done: 1 },
      langgraph: { left: 2, right: 2, done: 1 },
      why:
        "LangGraph re-runs every interrupted task of the superstep on each resume, so code before " +
        "an unanswered interrupt() runs again; Switchyard runs only the tasks it has answers for.",
    },
  }),

  scenario({
    name: "getState after one of two parallel interrupts is answered",
    run: async (engine) => {
      const graph = parallel(engine, new Calls());
      const config = thread();
      const first = await graph.invoke({ log: ["in"] }, config);
      const resume = { [idOf(raised(first), "right?")]: "R" };
      await graph.invoke(new engine.Command({ resume }) as never, config);
      return waitingOn(graph, config);
    },
    differs: {
      switchyard: [{ name: "left", values: ["left?"] }],
      langgraph: [
        { name: "left", values: ["left?"] },
        { name: "right", values: ["right?"] },
      ],
      why:
        "LangGraph's snapshot still lists the answered interrupt on the task that finished with " +
        "it, so an inbox built on getState shows it as waiting; Switchyard lists only unanswered ones.",
    },
  }),

  scenario({
    name: "one resume value while several interrupts wait",
    run: async (engine) => {
      const graph = parallel(engine, new Calls());
      const config = thread();
      await graph.invoke({ log: ["in"] }, config);
      const result = await outcome(() =>
        graph.invoke(new engine.Command({ resume: "x" }) as never, config),
      );
      return { result, waiting: await waitingOn(graph, config) };
    },
    differs: {
      switchyard: {
        result: { name: "InvalidResumeError", code: "INVALID_RESUME" },
        waiting: [
          { name: "left", values: ["left?"] },
          { name: "right", values: ["right?"] },
        ],
      },
      langgraph: { result: { log: ["in", "done", "left:x", "right:x"] }, waiting: [] },
      why:
        "LangGraph gives the one value to every waiting interrupt, so an answer meant for one " +
        "approval approves them all; Switchyard refuses it and names the ids to resume by map.",
    },
  }),

  scenario({
    name: "a side effect before interrupt(): re-run by LangGraph, recorded once by ctx.step",
    run: async (engine) => {
      let sent = 0;
      const send = () => (sent += 1);
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("notify", async (_, ctx) => {
          // Switchyard's durable step; LangGraph has none inside a node, so the effect runs as is.
          const id = ctx.step ? await ctx.step("email", send) : send();
          return { log: [`msg-${id}:${String(engine.interrupt("sent?"))}`] };
        })
        .addEdge(engine.START, "notify")
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      await graph.invoke({ log: [] }, config);
      const done = await graph.invoke(new engine.Command({ resume: "ok" }) as never, config);
      return { done, sent };
    },
    differs: {
      switchyard: { done: { log: ["msg-1:ok"] }, sent: 1 },
      langgraph: { done: { log: ["msg-2:ok"] }, sent: 2 },
      why:
        "A node re-executes from its start on resume in both engines; LangGraph repeats every side " +
        "effect before interrupt(), while Switchyard's ctx.step returns the recorded result.",
    },
  }),

  scenario({
    name: "new input on a thread waiting on an interrupt",
    run: async (engine) => {
      const graph = asking(engine, ["approve?"], new Calls());
      const config = thread();
      await graph.invoke({ log: ["first"] }, config);
      const result = await outcome(async () =>
        paused(await graph.invoke({ log: ["second"] }, config)),
      );
      return { result, values: (await graph.getState(config)).values };
    },
    differs: {
      switchyard: {
        result: { name: "ThreadInterruptedError", code: "THREAD_INTERRUPTED" },
        values: { log: ["first"] },
      },
      langgraph: {
        result: {
          values: { log: ["first", "second"] },
          interrupts: [{ id: "string", value: "approve?" }],
        },
        values: { log: ["first", "second"] },
      },
      why:
        "LangGraph drops the pending interrupt silently and starts over; Switchyard refuses the " +
        "input (THREAD_INTERRUPTED) unless the caller passes { discardInterrupts: true }.",
    },
  }),

  scenario({
    name: "updateState while an interrupt waits keeps it: the node re-runs on the update and gets the answer",
    run: async (engine) => {
      const calls = new Calls();
      const graph = engine
        .graph({ log: logKey(engine) })
        .addNode("prep", () => ({ log: ["prep"] }))
        .addNode("ask", (state: { log: string[] }) => {
          calls.hit("ask");
          const answer = String(engine.interrupt("approve?"));
          return { log: [`${answer} after ${state.log.join("+")}`] };
        })
        .addEdge(engine.START, "prep")
        .addEdge("prep", "ask")
        .addEdge("ask", engine.END)
        .compile({ checkpointer: engine.checkpointer() });
      const config = thread();
      await graph.invoke({ log: ["in"] }, config);
      await graph.updateState(config, { log: ["edited"] }, "prep");
      const state = await graph.getState(config);
      const waiting = state.tasks.map((task) => ({
        name: task.name,
        values: task.interrupts?.map((entry) => entry.value),
      }));
      const done = await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      return { next: state.next, waiting, done, calls: calls.counts };
    },
    differs: {
      switchyard: {
        next: ["ask"],
        waiting: [{ name: "ask", values: ["approve?"] }],
        done: { log: ["in", "prep", "edited", "yes after in+prep+edited"] },
        calls: { ask: 2 },
      },
      langgraph: {
        next: ["ask"],
        waiting: [{ name: "ask", values: [] }],
        done: { log: ["in", "prep", "edited", "yes after in+prep+edited"] },
        calls: { ask: 2 },
      },
      why:
        "Both engines keep the question answerable and re-run the node on the updated state; " +
        "LangGraph's getState no longer lists the pending interrupt after the update (an inbox " +
        "built on it loses the question), Switchyard keeps listing it (under a new id).",
    },
  }),

  scenario({
    name: "Command({ resume }) with nothing waiting: a finished thread, a new thread",
    run: async (engine) => {
      const calls = new Calls();
      const graph = asking(engine, ["approve?"], calls);
      const config = thread();
      await graph.invoke({ log: ["in"] }, config);
      await graph.invoke(new engine.Command({ resume: "yes" }) as never, config);
      const finished = await outcome(() =>
        graph.invoke(new engine.Command({ resume: "again" }) as never, config),
      );
      const fresh = await outcome(() =>
        graph.invoke(new engine.Command({ resume: "hello" }) as never, thread()),
      );
      return { finished, fresh, calls: calls.counts };
    },
    differs: {
      switchyard: {
        finished: { name: "InvalidResumeError", code: "INVALID_RESUME" },
        fresh: { name: "InvalidResumeError", code: "INVALID_RESUME" },
        calls: { ask: 2 },
      },
      langgraph: { finished: { log: ["in", "yes"] }, fresh: { log: [] }, calls: { ask: 2 } },
      why:
        "LangGraph ignores a resume value nobody waits for and returns the state as it is, so a " +
        "late or misdirected answer is lost unnoticed; Switchyard refuses it with INVALID_RESUME.",
    },
  }),
];

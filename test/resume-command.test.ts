// Command({ resume, update, goto }) as run input: the update lands before the interrupted nodes
// re-run, and nothing already finished runs again. LangGraph parity is in test/conformance.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  InvalidUpdateError,
  MemoryCheckpointer,
  START,
  StateGraph,
} from "../src/index.js";
import { thread } from "./support.js";

const State = z.object({ x: z.number(), log: append(z.string()) });

/** START -> [paid (a durable effect, finishes), ask (waits for a human)] in one superstep. */
function paidAndAsk() {
  const calls = { paid: 0, effects: 0, ask: 0 };
  const graph = new StateGraph(State)
    .addNode("paid", async (_, ctx) => {
      calls.paid += 1;
      await ctx.step("charge", () => {
        calls.effects += 1;
        return "receipt-1";
      });
      return { log: "paid" };
    })
    .addNode("ask", (state, ctx) => {
      calls.ask += 1;
      const answer = ctx.interrupt<string>("ok?");
      return { log: `ask:${answer}:x=${state.x}` };
    })
    .addEdge(START, "paid")
    .addEdge(START, "ask")
    .compile({ checkpointer: new MemoryCheckpointer() });
  return { graph, calls };
}

describe("Command({ resume, update }) as run input", () => {
  it("the resumed node sees the update; the finished sibling and its effect do not run again", async () => {
    const { graph, calls } = paidAndAsk();
    const config = thread("resume-update");
    const first = await graph.invoke({ x: 1 }, config);
    expect(first.__interrupt__).toHaveLength(1);
    const final = await graph.invoke(new Command({ resume: "yes", update: { x: 5 } }), config);
    expect(final).toEqual({ x: 5, log: ["ask:yes:x=5", "paid"] });
    expect(calls).toEqual({ paid: 1, effects: 1, ask: 2 });
    const history = [];
    for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot.metadata);
    expect(history.map((metadata) => metadata?.source)).toEqual(["loop", "update", "input"]);
  });

  it("answers several waiting interrupts by id across the update's new checkpoint", async () => {
    const graph = new StateGraph(State)
      .addNode("left", (state, ctx) => ({ log: `left:${ctx.interrupt<string>("l?")}:${state.x}` }))
      .addNode("right", (state, ctx) => ({
        log: `right:${ctx.interrupt<string>("r?")}:${state.x}`,
      }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile({ checkpointer: new MemoryCheckpointer() });
    const config = thread("resume-map-update");
    const first = await graph.invoke({ x: 1 }, config);
    const [left, right] = first.__interrupt__ ?? [];
    const answers = { [left?.id as string]: "L", [right?.id as string]: "R" };
    const final = await graph.invoke(new Command({ resume: answers, update: { x: 2 } }), config);
    expect(final).toEqual({ x: 2, log: ["left:L:2", "right:R:2"] });
  });

  it("an update the schema refuses is INVALID_UPDATE and the thread keeps waiting", async () => {
    const { graph, calls } = paidAndAsk();
    const config = thread("resume-bad-update");
    await graph.invoke({ x: 1 }, config);
    const bad = new Command({ resume: "yes", update: { x: "five" } as never });
    await expect(graph.invoke(bad, config)).rejects.toBeInstanceOf(InvalidUpdateError);
    const state = await graph.getState(config);
    expect(state.tasks.flatMap((task) => task.interrupts.map((i) => i.value))).toEqual(["ok?"]);
    const final = await graph.invoke(new Command({ resume: "later" }), config);
    expect(final.log).toEqual(["ask:later:x=1", "paid"]);
    expect(calls.effects).toBe(1);
  });
});

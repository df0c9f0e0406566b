// Token usage (issue 5): each superstep's checkpoint records `metadata.usage` per node, and
// getUsage(threadId) sums it per node and in total over the thread.
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import {
  chatNode,
  END,
  MemoryCheckpointer,
  NoCheckpointerError,
  START,
  StateGraph,
  type TaskTiming,
} from "../../src/index.js";
import { chain, collect, Log } from "../support.js";
import { adder, agentGraph, State, thread, useCheckpointers, useFakeOpenAI } from "./fixtures.js";

const server = useFakeOpenAI();
const checkpointers = useCheckpointers();

const usage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
});

describe.each(checkpointers)("usage on %s", (_kind, checkpointer) => {
  it("records each model call in its superstep's checkpoint and sums them per thread", async () => {
    const { add } = adder();
    server().script(
      { toolCalls: [{ name: "add", args: { a: 2, b: 3 } }], usage: u(12, 4) },
      { content: "5", usage: u(30, 6) },
      { content: "Bye", usage: u(50, 10) },
    );
    const graph = agentGraph(server(), [add]).compile({ checkpointer: checkpointer() });

    await graph.invoke({ messages: [new HumanMessage("2 + 3?")] }, thread("t"));
    await graph.invoke({ messages: [new HumanMessage("Thanks")] }, thread("t"));

    const history = (await collect(graph.getStateHistory(thread("t")))).reverse();
    expect(history.map((snapshot) => [snapshot.metadata?.step, snapshot.metadata?.usage])).toEqual([
      [-1, undefined],
      [0, { agent: usage(12, 4) }],
      [1, undefined],
      [2, { agent: usage(30, 6) }],
      [3, undefined],
      [4, { agent: usage(50, 10) }],
    ]);
    expect(await graph.getUsage("t")).toEqual({
      total: usage(92, 20),
      nodes: { agent: usage(92, 20) },
    });
    expect(await graph.getUsage("another-thread")).toEqual({ total: usage(0, 0), nodes: {} });
  });

  it("keeps nodes apart, also when they run in the same superstep", async () => {
    server().script({ content: "short", usage: u(100, 3) }, { content: "court", usage: u(7, 2) });
    const model = server().model();
    const graph = new StateGraph(State)
      .addNode("summarize", chatNode(model, { system: "Summarize." }))
      .addNode("translate", chatNode(model, { system: "Translate to French." }))
      .addEdge(START, "summarize")
      .addEdge(START, "translate")
      .addEdge("summarize", END)
      .addEdge("translate", END)
      .compile({ checkpointer: checkpointer() });

    // One task at a time, in plan order (by node name), so the scripted replies match the nodes.
    await graph.invoke(
      { messages: [new HumanMessage("A long text.")] },
      { ...thread("t"), maxConcurrency: 1 },
    );

    const state = await graph.getState(thread("t"));
    expect(state.metadata?.usage).toEqual({
      summarize: usage(100, 3),
      translate: usage(7, 2),
    });
    expect(await graph.getUsage("t")).toEqual({
      total: usage(107, 5),
      nodes: { summarize: usage(100, 3), translate: usage(7, 2) },
    });
  });

  it("counts streamed calls from the usage chunk, and keeps the run's own metadata", async () => {
    server().script({ content: "Hi", usage: u(8, 1) });
    const graph = agentGraph(server(), []).compile({ checkpointer: checkpointer() });

    await collect(
      graph.stream(
        { messages: [new HumanMessage("hi")] },
        { ...thread("t"), streamMode: "messages", metadata: { user: "ana" } },
      ),
    );

    expect(server().requests[0]?.stream_options).toEqual({ include_usage: true });
    const state = await graph.getState(thread("t"));
    expect(state.metadata).toMatchObject({ user: "ana", usage: { agent: usage(8, 1) } });
    expect((await graph.getUsage("t")).total).toEqual(usage(8, 1));
  });
});

describe("ctx.reportUsage", () => {
  it("adds up a task's reports, including attempts that failed and were retried", async () => {
    let attempts = 0;
    const graph = new StateGraph(Log)
      .addNode(
        "work",
        (_state, ctx) => {
          attempts += 1;
          ctx.reportUsage(usage(1, 1));
          ctx.reportUsage(usage(2, 0));
          if (attempts === 1) throw new Error("flaky");
          return { log: "done" };
        },
        { retryPolicy: { maxAttempts: 2, initialInterval: 0, jitter: false } },
      )
      .addEdge(START, "work")
      .compile({ checkpointer: new MemoryCheckpointer() });

    await graph.invoke({ log: "in" }, thread("t"));

    expect(attempts).toBe(2);
    expect(await graph.getUsage("t")).toEqual({
      total: usage(6, 2),
      nodes: { work: usage(6, 2) },
    });
  });

  it("leaves checkpoints of nodes that report nothing without usage; needs a checkpointer", async () => {
    const graph = chain(["a"]).graph.compile({ checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ log: "in" }, thread("t"));
    const state = await graph.getState(thread("t"));
    expect(state.metadata).toEqual({ source: "loop", step: 0, timings: [expect.any(Object)] });
    const [timing] = state.metadata?.timings as TaskTiming[];
    expect(timing).not.toHaveProperty("usage");
    expect(await graph.getUsage("t")).toEqual({ total: usage(0, 0), nodes: {} });

    await expect(chain(["a"]).graph.compile().getUsage("t")).rejects.toBeInstanceOf(
      NoCheckpointerError,
    );
  });
});

/** Usage as the server reports it. */
function u(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion };
}

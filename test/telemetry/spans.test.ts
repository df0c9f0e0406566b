// The span tree a run leaves in an OpenTelemetry SDK: run → superstep → task, subgraphs under
// their task, retries, interrupts and the resumed run's link, checkpoints, GenAI usage.
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  configureTelemetry,
  END,
  interrupt,
  MemoryCheckpointer,
  NodeTimeoutError,
  START,
  StateGraph,
} from "../../src/index.js";
import { installTracing, parentOf, type TestTracing } from "../support/tracing.js";

let tracing: TestTracing;
beforeAll(() => {
  tracing = installTracing();
});
afterAll(() => tracing.stop());
beforeEach(() => tracing.reset());

const State = z.object({ log: append(z.string()), secret: z.string().optional() });

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}
function one(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReadableSpan;
}
function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => parentOf(span) === parent.spanContext().spanId);
}

function reviewGraph() {
  const child = new StateGraph(State)
    .addNode("inner", () => ({ log: "inner" }))
    .addEdge(START, "inner")
    .addEdge("inner", END)
    .compile({ name: "child" });
  let flaky = 0;
  return new StateGraph(State)
    .addNode(
      "left",
      () => {
        flaky += 1;
        if (flaky === 1) throw new Error("transient");
        return { log: "left" };
      },
      { retryPolicy: { maxAttempts: 2, initialInterval: 1, jitter: false } },
    )
    .addNode("right", child)
    .addNode("ask", () => {
      const answer = interrupt<string>({ question: "ok?" });
      return { log: `ask:${answer}` };
    })
    .addEdge(START, "left")
    .addEdge(START, "right")
    .addEdge(["left", "right"], "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: new MemoryCheckpointer(), name: "review" });
}

describe("telemetry spans", () => {
  it("traces a fan-out with a retry and a subgraph, an interrupt, and the resume linked to it", async () => {
    const graph = reviewGraph();
    const config = { configurable: { thread_id: "t-1" } };
    const paused = await graph.invoke({ log: [], secret: "s3cret-value" }, config);
    expect(paused.__interrupt__).toHaveLength(1);
    const first = tracing.spans();

    const run = one(
      first.filter((span) => span.attributes["switchyard.namespace"] === undefined),
      "switchyard.run review",
    );
    expect(parentOf(run)).toBeUndefined();
    expect(run.attributes).toMatchObject({
      "switchyard.graph.name": "review",
      "switchyard.thread_id": "t-1",
      "switchyard.run.outcome": "paused",
      "switchyard.run.interrupts": 1,
    });
    expect(run.events.map((event) => event.name)).toEqual(["checkpoint"]);

    const steps = childrenOf(first, run);
    expect(steps.map((span) => [span.name, span.attributes["switchyard.step"]])).toEqual([
      ["switchyard.superstep", 0],
      ["switchyard.superstep", 1],
    ]);
    const [fanOut, asking] = steps as [ReadableSpan, ReadableSpan];
    expect(fanOut.attributes["switchyard.superstep.outcome"]).toBe("committed");
    expect(fanOut.events.map((event) => event.name)).toEqual(["checkpoint"]);
    const fanTasks = childrenOf(first, fanOut);
    expect(fanTasks.map((span) => span.name).sort()).toEqual([
      "switchyard.task left",
      "switchyard.task right",
    ]);

    const left = one(fanTasks, "switchyard.task left");
    expect(left.attributes).toMatchObject({
      "switchyard.node": "left",
      "switchyard.task.attempts": 2,
      "switchyard.task.outcome": "finished",
    });
    expect(left.events.map((event) => [event.name, event.attributes?.["error.type"]])).toEqual([
      ["retry", "Error"],
    ]);

    // The subgraph's run nests under the task that invoked it, with its own supersteps and tasks.
    const right = one(fanTasks, "switchyard.task right");
    const childRun = one(childrenOf(first, right), "switchyard.run child");
    expect(childRun.attributes["switchyard.namespace"]).toMatch(/^right:/);
    const childStep = one(childrenOf(first, childRun), "switchyard.superstep");
    one(childrenOf(first, childStep), "switchyard.task inner");

    expect(asking.attributes["switchyard.superstep.outcome"]).toBe("paused");
    const ask = one(childrenOf(first, asking), "switchyard.task ask");
    expect(ask.attributes["switchyard.task.outcome"]).toBe("interrupted");
    expect(ask.events.map((event) => event.name)).toEqual(["interrupt"]);
    expect(ask.events[0]?.attributes?.["switchyard.interrupt_id"]).toBe(
      paused.__interrupt__?.[0]?.id,
    );

    // Ids and names only: the state's contents appear nowhere.
    for (const span of first) {
      expect(JSON.stringify(span.attributes)).not.toContain("s3cret");
      expect(span.attributes["switchyard.task.output"]).toBeUndefined();
    }

    tracing.reset();
    const done = await graph.invoke(new Command({ resume: "yes" }), config);
    expect(done.log).toContain("ask:yes");
    const second = tracing.spans();
    const resumed = one(second, "switchyard.run review");
    expect(resumed.attributes).toMatchObject({
      "switchyard.run.resumed": true,
      "switchyard.run.outcome": "done",
    });
    expect(resumed.links.map((link) => link.context.spanId)).toEqual([ask.spanContext().spanId]);
    expect(resumed.links[0]?.context.traceId).toBe(ask.spanContext().traceId);
    const resumedStep = one(childrenOf(second, resumed), "switchyard.superstep");
    const answered = one(childrenOf(second, resumedStep), "switchyard.task ask");
    expect(answered.attributes).toMatchObject({
      "switchyard.task.resumed": true,
      "switchyard.task.outcome": "finished",
    });
  });

  it("marks a timed-out task, its superstep and its run as failed with the error's code", async () => {
    const graph = new StateGraph(State)
      .addNode("slow", () => new Promise(() => undefined), { timeoutMs: 20 })
      .addEdge(START, "slow")
      .compile({ name: "slow-graph" });
    await expect(graph.invoke({ log: [] })).rejects.toBeInstanceOf(NodeTimeoutError);
    const spans = tracing.spans();
    const run = one(spans, "switchyard.run slow-graph");
    const step = one(childrenOf(spans, run), "switchyard.superstep");
    const task = one(childrenOf(spans, step), "switchyard.task slow");
    for (const span of [run, step, task]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes["error.type"]).toBe("NODE_TIMEOUT");
    }
    expect(task.events.map((event) => event.name)).toEqual(["attempt_failed", "exception"]);
    expect(run.attributes["switchyard.run.outcome"]).toBe("failed");
  });

  it("puts GenAI attributes on a task that reports model usage, and durable steps as events", async () => {
    const graph = new StateGraph(State)
      .addNode("agent", async (_state, ctx) => {
        await ctx.step("lookup", () => 42);
        ctx.reportUsage({ input_tokens: 11, output_tokens: 4, total_tokens: 15 }, { model: "m-1" });
        ctx.reportUsage({ input_tokens: 5, output_tokens: 2, total_tokens: 7 }, { model: "m-1" });
        return { log: "agent" };
      })
      .addEdge(START, "agent")
      .compile({ checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ log: [] }, { configurable: { thread_id: "g-1" } });
    const task = one(tracing.spans(), "switchyard.task agent");
    expect(task.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "m-1",
      "gen_ai.usage.input_tokens": 16,
      "gen_ai.usage.output_tokens": 6,
    });
    expect(
      task.events.map((event) => [event.name, event.attributes?.["switchyard.durable_step.name"]]),
    ).toEqual([["durable_step", "lookup"]]);
  });

  it("records inputs and updates only once the user opts in", async () => {
    const graph = new StateGraph(State)
      .addNode("echo", (state) => ({ log: `saw ${state.secret ?? ""}` }))
      .addEdge(START, "echo")
      .compile({ name: "echo" });
    configureTelemetry({ recordContents: true });
    try {
      await graph.invoke({ log: [], secret: "opted-in" });
    } finally {
      configureTelemetry({ recordContents: false });
    }
    const spans = tracing.spans();
    expect(one(spans, "switchyard.run echo").attributes["switchyard.run.input"]).toContain(
      "opted-in",
    );
    expect(one(spans, "switchyard.task echo").attributes["switchyard.task.output"]).toBe(
      JSON.stringify({ log: "saw opted-in" }),
    );
  });
});

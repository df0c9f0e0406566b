// Durable steps (issue 4): ctx.step(name, fn) runs fn once per task and records its result, so a
// side effect before an interrupt, a failure or a crash happens once. Side effects are counted.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  DuplicateStepError,
  END,
  interrupt,
  NodeFailedError,
  SqliteCheckpointer,
  START,
  StateGraph,
  type NodeContext,
  type NodeOptions,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import {
  describeExit,
  outcome,
  startChild,
  stopChildren,
  tempDir,
  waitFor,
} from "./crash/spawn.js";
import { Log, thread, untilAborted } from "./support.js";

let opened: SqliteCheckpointer[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

function sqlite(): SqliteCheckpointer {
  const store = new SqliteCheckpointer(":memory:");
  opened.push(store);
  return store;
}

/** START -> node -> END over `Log`, on SQLite. */
function single(
  node: (state: { log: string[] }, ctx: NodeContext) => unknown,
  options: NodeOptions = {},
) {
  return new StateGraph(Log)
    .addNode("node", node as () => { log: string }, options)
    .addEdge(START, "node")
    .addEdge("node", END)
    .compile({ checkpointer: sqlite() });
}

/** An "email" side effect: counts what it sent; its result names the n-th message. */
function mailer() {
  const sent: string[] = [];
  return {
    sent,
    send: (to: string) => {
      sent.push(to);
      return `msg-${sent.length}`;
    },
  };
}

describe("ctx.step across interrupts", () => {
  it("an email sent before interrupt() is sent once across interrupt -> resume", async () => {
    const { sent, send } = mailer();
    let runs = 0;
    const graph = single(async (_, ctx) => {
      runs += 1;
      const messageId = await ctx.step("email", () => send("ann@example.com"));
      const answer = interrupt<string>({ sent: messageId });
      return { log: `${messageId}:${answer}` };
    });
    const paused = await graph.invoke({ log: "in" }, thread("t"));
    expect(paused).toMatchObject({ __interrupt__: [{ value: { sent: "msg-1" } }] });
    expect(await graph.invoke(new Command({ resume: "ok" }), thread("t"))).toEqual({
      log: ["in", "msg-1:ok"],
    });
    expect(sent).toEqual(["ann@example.com"]);
    expect(runs).toBe(2);
  });

  it("each step runs once however many questions follow; later steps run once after theirs", async () => {
    const calls: string[] = [];
    const step = (name: string) => () => {
      calls.push(name);
      return name.toUpperCase();
    };
    const graph = single(async (_, ctx) => {
      const a = await ctx.step("a", step("a"));
      const first = interrupt<string>("first?");
      const b = await ctx.step("b", step("b"));
      const second = interrupt<string>("second?");
      return { log: [a, first, b, second].join(",") };
    });
    await graph.invoke({ log: "in" }, thread("t"));
    await graph.invoke(new Command({ resume: "1" }), thread("t"));
    const done = await graph.invoke(new Command({ resume: "2" }), thread("t"));
    expect(done).toEqual({ log: ["in", "A,1,B,2"] });
    expect(calls).toEqual(["a", "b"]);
  });

  it("returns the recorded result as stored: a Date stays a Date", async () => {
    let calls = 0;
    const graph = single(async (_, ctx) => {
      const at = await ctx.step("at", () => {
        calls += 1;
        return new Date(Date.UTC(2030, 0, 1 + calls));
      });
      const answer = interrupt<string>("go?");
      return { log: `${at instanceof Date ? at.toISOString() : typeof at}:${answer}` };
    });
    await graph.invoke({ log: "in" }, thread("t"));
    const done = await graph.invoke(new Command({ resume: "ok" }), thread("t"));
    expect(done.log).toEqual(["in", "2030-01-02T00:00:00.000Z:ok"]);
    expect(calls).toBe(1);
  });

  it("parallel branches: resuming one re-runs no step of either", async () => {
    const { sent, send } = mailer();
    const branch = (name: string) => async (_: unknown, ctx: NodeContext) => {
      const messageId = await ctx.step("email", () => send(name));
      return { log: `${name}:${messageId}:${interrupt<string>(name)}` };
    };
    const graph = new StateGraph(Log)
      .addNode("left", branch("left"))
      .addNode("right", branch("right"))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile({ checkpointer: sqlite() });
    const paused = await graph.invoke({ log: "in" }, thread("t"));
    const ids = (paused as { __interrupt__?: Array<{ id: string; value: unknown }> }).__interrupt__;
    const byValue = Object.fromEntries((ids ?? []).map((entry) => [String(entry.value), entry.id]));
    await graph.invoke(new Command({ resume: { [byValue.left as string]: "L" } }), thread("t"));
    const done = await graph.invoke(
      new Command({ resume: { [byValue.right as string]: "R" } }),
      thread("t"),
    );
    expect([...sent].sort()).toEqual(["left", "right"]);
    const messages = new Map(done.log.slice(1).map((entry) => [entry.split(":")[0], entry]));
    expect(messages.get("left")).toMatch(/^left:msg-[12]:L$/);
    expect(messages.get("right")).toMatch(/^right:msg-[12]:R$/);
  });
});

describe("ctx.step across failures", () => {
  it("a failing fn records nothing: the retry attempt runs it again, earlier steps stay", async () => {
    const calls = { charge: 0, email: 0 };
    const graph = single(
      async (_, ctx) => {
        const charge = await ctx.step("charge", () => `charge-${(calls.charge += 1)}`);
        const email = await ctx.step("email", () => {
          calls.email += 1;
          if (calls.email === 1) throw new Error("smtp down");
          return `email-${calls.email}`;
        });
        return { log: `${charge},${email}` };
      },
      { retryPolicy: { maxAttempts: 2, initialInterval: 1, jitter: false } },
    );
    expect(await graph.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in", "charge-1,email-2"],
    });
    expect(calls).toEqual({ charge: 1, email: 2 });
  });

  it("after NODE_FAILED, invoke(null) re-runs the failed fn but not the steps that succeeded", async () => {
    const calls = { charge: 0, email: 0 };
    let smtpDown = true;
    const graph = single(async (_, ctx) => {
      const charge = await ctx.step("charge", () => `charge-${(calls.charge += 1)}`);
      const email = await ctx.step("email", () => {
        calls.email += 1;
        if (smtpDown) throw new Error("smtp down");
        return `email-${calls.email}`;
      });
      return { log: `${charge},${email}` };
    });
    const failed = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(failed).toBeInstanceOf(NodeFailedError);
    expect((await graph.getState(thread("t"))).tasks[0]?.error?.message).toContain("smtp down");
    smtpDown = false;
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "charge-1,email-2"] });
    expect(calls).toEqual({ charge: 1, email: 2 });
  });

  it("a step's result survives a node failure after it: retry with invoke(null) skips it", async () => {
    let charges = 0;
    let runs = 0;
    const graph = single(async (_, ctx) => {
      runs += 1;
      const receipt = await ctx.step("charge", () => `receipt-${(charges += 1)}`);
      if (runs === 1) throw new Error("crashed after charging");
      return { log: receipt };
    });
    const failed = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(failed.code).toBe("NODE_FAILED");
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "receipt-1"] });
    expect(charges).toBe(1);
    expect(runs).toBe(2);
  });

  it("a step is recorded as soon as it returns: a cancelled run does not repeat it", async () => {
    const { sent, send } = mailer();
    const controller = new AbortController();
    let runs = 0;
    const graph = single(async (_, ctx) => {
      runs += 1;
      const messageId = await ctx.step("email", () => send("ann@example.com"));
      if (runs === 1) {
        controller.abort();
        await untilAborted(ctx.signal);
      }
      return { log: messageId };
    });
    const cancelled = await rejection(() =>
      graph.invoke({ log: "in" }, { ...thread("t"), signal: controller.signal }),
    );
    expect(cancelled.code).toBe("CANCELLED");
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "msg-1"] });
    expect(sent).toHaveLength(1);
  });
});

describe("ctx.step rules", () => {
  it("DUPLICATE_STEP for a name used twice in one execution, naming node and step", async () => {
    const graph = single(async (_, ctx) => {
      await ctx.step("email", () => 1);
      await ctx.step("email", () => 2);
      return { log: "never" };
    });
    const error = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(error).toBeInstanceOf(DuplicateStepError);
    expect(error.code).toBe("DUPLICATE_STEP");
    expect(error.message).toContain('Node "node"');
    expect(error.message).toContain('"email"');
  });

  it("steps belong to a task: the same node in a later superstep runs its step again", async () => {
    const { sent, send } = mailer();
    const graph = new StateGraph(Log)
      .addNode("node", async (_, ctx) => ({ log: await ctx.step("email", () => send("x")) }))
      .addEdge(START, "node")
      .addConditionalEdges("node", (state) => (state.log.length < 3 ? "node" : END))
      .compile({ checkpointer: sqlite() });
    expect(await graph.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in", "msg-1", "msg-2"],
    });
    expect(sent).toHaveLength(2);
  });

  it("without a checkpointer ctx.step runs fn and returns its result", async () => {
    const { sent, send } = mailer();
    const graph = new StateGraph(z.object({ log: append(z.string()) }))
      .addNode("node", async (_, ctx) => ({ log: await ctx.step("email", () => send("x")) }))
      .addEdge(START, "node")
      .compile();
    expect(await graph.invoke({ log: "in" })).toEqual({ log: ["in", "msg-1"] });
    expect(sent).toHaveLength(1);
  });

  it("a result that cannot be stored fails the node with UNSERIALIZABLE_VALUE", async () => {
    const graph = single(async (_, ctx) => {
      await ctx.step("handle", () => () => "a function");
      return { log: "never" };
    });
    const error = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(error.code).toBe("UNSERIALIZABLE_VALUE");
    expect(error.message).toContain('"node"');
  });
});

describe("ctx.step across a kill -9", () => {
  const dir = tempDir("switchyard-email-");
  afterAll(async () => {
    await stopChildren();
    dir.remove();
  });

  it("an email step that finished before SIGKILL is not sent again by the next process", async () => {
    const db = join(dir.path, "email.db");
    const logPath = join(dir.path, "email.log");
    const lines = () => {
      try {
        return readFileSync(logPath, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    const LEASE_MS = 300;
    const run = (mode: string) =>
      startChild("test/crash/email-graph.ts", [db, logPath, "t", mode, LEASE_MS]);

    const first = run("start");
    await waitFor(() => lines().includes("recorded t"), 15_000, "the email step to be recorded");
    first.kill();
    expect((await first.exited).signal).toBe("SIGKILL");

    // The killed child's lease lapses after LEASE_MS; until then a new child is THREAD_BUSY.
    let paused = outcome<{ log: string[]; __interrupt__?: unknown }>(await run("resume").exited);
    for (let tries = 0; paused.code === "THREAD_BUSY" && tries < 20; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
      paused = outcome(await run("resume").exited);
    }
    expect(paused.state, JSON.stringify(paused)).toEqual({
      log: ["in"],
      __interrupt__: [{ id: expect.any(String) as string, value: { sent: "msg-t" } }],
    });

    const answered = await run("answer").exited;
    expect(outcome(answered).state, describeExit(answered)).toEqual({
      log: ["in", "msg-t", "ok"],
    });
    expect(lines().filter((line) => line === "email t")).toEqual(["email t"]);
    expect(lines().filter((line) => line === "recorded t")).toHaveLength(3);
  }, 60_000);
});

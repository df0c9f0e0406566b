// Exactly once without a crash (issue 10, items 1 and 2): when the engine stops waiting for an
// attempt that is still running (a timeout, a retry, a sibling's failure, a cancellation the node
// ignores), a ctx.step effect still runs once; and no step starts once the run's lease is lost.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  LeaseLostError,
  MemoryCheckpointer,
  NodeFailedError,
  SqliteCheckpointer,
  START,
  END,
  StateGraph,
  type Checkpointer,
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
import { Log, sleep, thread } from "./support.js";

let opened: SqliteCheckpointer[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

function sqlite(leaseMs?: number): SqliteCheckpointer {
  const store = new SqliteCheckpointer(":memory:", leaseMs === undefined ? {} : { leaseMs });
  opened.push(store);
  return store;
}

type Node = (state: { log: string[] }, ctx: NodeContext) => unknown;

/** START -> node -> END over `Log`. */
function single(node: Node, options: NodeOptions = {}, checkpointer: Checkpointer = sqlite()) {
  return new StateGraph(Log)
    .addNode("node", node as () => { log: string }, options)
    .addEdge(START, "node")
    .addEdge("node", END)
    .compile({ checkpointer });
}

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A payment that takes `ms` and ignores every signal: counts how often it was made. */
function bank(ms: number) {
  const charges: number[] = [];
  return {
    charges,
    charge: async (attempt: number) => {
      await sleep(ms);
      charges.push(attempt);
      return `receipt-${charges.length}`;
    },
  };
}

describe("a step in flight when the engine stops waiting runs once", () => {
  it("timeout + retry: the abandoned attempt's step is waited for and reused", async () => {
    const { charges, charge } = bank(150);
    const graph = single(
      async (_, ctx) => ({ log: await ctx.step("charge", () => charge(ctx.attempt)) }),
      { timeoutMs: 50, retryPolicy: { maxAttempts: 3, initialInterval: 1, jitter: false } },
    );
    expect(await graph.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in", "receipt-1"],
    });
    expect(charges).toEqual([1]);
  });

  it("timeout + retry: an abandoned attempt reaching its step late neither runs it nor breaks the next", async () => {
    const { charges, charge } = bank(1);
    const secondStarted = gate();
    const firstTried = gate();
    let refused: { code?: string; message: string } | undefined;
    const graph = single(
      async (_, ctx) => {
        if (ctx.attempt === 1) {
          // Abandoned at its timeout while it waits here; it reaches the step once attempt 2 runs.
          await secondStarted.promise;
          try {
            return { log: await ctx.step("charge", () => charge(1)) };
          } catch (error) {
            refused = error as { code?: string; message: string };
            throw error;
          } finally {
            firstTried.open();
          }
        }
        secondStarted.open();
        await firstTried.promise;
        return { log: await ctx.step("charge", () => charge(2)) };
      },
      { timeoutMs: 100, retryPolicy: { maxAttempts: 2, initialInterval: 1, jitter: false } },
    );
    expect(await graph.invoke({ log: "in" }, thread("t"))).toEqual({
      log: ["in", "receipt-1"],
    });
    expect(charges).toEqual([2]);
    // The abandoned attempt is told why its step did not run.
    expect(refused?.code).toBe("ATTEMPT_ABANDONED");
    expect(refused?.message).toContain("timed out after 100 ms");
  });

  it("timeout without retry, then resume: the late step is recorded, not repeated", async () => {
    const { charges, charge } = bank(150);
    const graph = single(
      async (_, ctx) => ({ log: await ctx.step("charge", () => charge(ctx.attempt)) }),
      { timeoutMs: 50 },
    );
    const failed = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(failed.code).toBe("NODE_TIMEOUT");
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "receipt-1"] });
    await sleep(200);
    expect(charges).toEqual([1]);
  });

  it("a sibling fails while a step is in flight: resume reuses the step", async () => {
    const { charges, charge } = bank(100);
    let broken = true;
    const graph = new StateGraph(Log)
      .addNode("pay", async (_, ctx) => ({ log: await ctx.step("charge", () => charge(1)) }))
      .addNode("check", async () => {
        await sleep(20);
        if (broken) throw new Error("check failed");
        return { log: "checked" };
      })
      .addEdge(START, "pay")
      .addEdge(START, "check")
      .compile({ checkpointer: sqlite() });
    const failed = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
    expect(failed).toBeInstanceOf(NodeFailedError);
    broken = false;
    const done = await graph.invoke(null, thread("t"));
    expect([...done.log].sort()).toEqual(["checked", "in", "receipt-1"]);
    await sleep(150);
    expect(charges).toEqual([1]);
  });

  it("a cancelled node that ignores its signal, resumed at once: the step runs once", async () => {
    const { charges, charge } = bank(100);
    const controller = new AbortController();
    const graph = single(async (_, ctx) => ({
      log: await ctx.step("charge", () => charge(1)),
    }));
    setTimeout(() => controller.abort(), 20);
    const cancelled = await rejection(() =>
      graph.invoke({ log: "in" }, { ...thread("t"), signal: controller.signal }),
    );
    expect(cancelled.code).toBe("CANCELLED");
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "receipt-1"] });
    await sleep(150);
    expect(charges).toEqual([1]);
  });

  it("a step the node did not await is recorded before its task counts as finished", async () => {
    const { charges, charge } = bank(60);
    const calls = { pay: 0 };
    let broken = true;
    const graph = new StateGraph(Log)
      .addNode("pay", (_, ctx) => {
        calls.pay += 1;
        void ctx.step("charge", () => charge(1)).catch(() => undefined);
        return { log: "paid" };
      })
      .addNode("check", async () => {
        await sleep(150);
        if (broken) throw new Error("check failed");
        return { log: "checked" };
      })
      .addEdge(START, "pay")
      .addEdge(START, "check")
      .compile({ checkpointer: sqlite() });
    expect((await rejection(() => graph.invoke({ log: "in" }, thread("t")))).code).toBe(
      "NODE_FAILED",
    );
    broken = false;
    const done = await graph.invoke(null, thread("t"));
    expect([...done.log].sort()).toEqual(["checked", "in", "paid"]);
    expect(calls.pay).toBe(1);
    expect(charges).toEqual([1]);
  });

  it("without a checkpointer, a retry reuses the abandoned attempt's step too", async () => {
    const { charges, charge } = bank(150);
    const graph = new StateGraph(Log)
      .addNode(
        "node",
        async (_, ctx) => ({ log: await ctx.step("charge", () => charge(ctx.attempt)) }),
        { timeoutMs: 50, retryPolicy: { maxAttempts: 3, initialInterval: 1, jitter: false } },
      )
      .addEdge(START, "node")
      .compile();
    expect(await graph.invoke({ log: "in" })).toEqual({ log: ["in", "receipt-1"] });
    expect(charges).toEqual([1]);
  });
});

describe("how long the engine waits for an abandoned step", () => {
  it("past abandonedStepWaitMs the call returns; the thread stays held until the step is recorded", async () => {
    const { charges, charge } = bank(1000);
    const graph = single(
      async (_, ctx) => ({ log: await ctx.step("charge", () => charge(ctx.attempt)) }),
      { timeoutMs: 20 },
    );
    const config = { ...thread("t"), abandonedStepWaitMs: 30 };
    const failed = await rejection(() => graph.invoke({ log: "in" }, config));
    expect(failed.code).toBe("NODE_TIMEOUT");
    expect(charges).toEqual([]);
    const busy = await rejection(() => graph.invoke(null, thread("t")));
    expect(busy.code).toBe("THREAD_BUSY");
    await sleep(1200);
    expect(await graph.invoke(null, thread("t"))).toEqual({ log: ["in", "receipt-1"] });
    expect(charges).toEqual([1]);
  });

  it("a negative abandonedStepWaitMs is INVALID_CONFIG", async () => {
    const graph = single(() => ({ log: "x" }));
    const error = await rejection(() =>
      graph.invoke({ log: "in" }, { ...thread("t"), abandonedStepWaitMs: -1 }),
    );
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toContain("abandonedStepWaitMs");
  });
});

/** Blocks the event loop, as a SIGSTOP would freeze the whole process. */
function freeze(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer (and so no lease renewal) runs meanwhile
  }
}

describe("no step starts once the lease is lost", () => {
  const stores: Array<[string, () => Checkpointer]> = [
    ["memory", () => new MemoryCheckpointer({ leaseMs: 60 })],
    ["sqlite", () => sqlite(60)],
  ];
  for (const [name, make] of stores) {
    it(`${name}: frozen past the lease while another run took the thread over: LEASE_LOST, no effect`, async () => {
      const store = make();
      let charges = 0;
      const graph = single(
        async (_, ctx) => {
          freeze(150);
          // What another process did while this one was frozen: the expired lease is taken over.
          await store.acquireLease("t", "another-process");
          return { log: await ctx.step("charge", () => `receipt-${(charges += 1)}`) };
        },
        {},
        store,
      );
      const error = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error.message).toContain('"t"');
      expect(charges).toBe(0);
    });

    it(`${name}: frozen past the lease with nobody taking over: the step runs, the run finishes`, async () => {
      const store = make();
      let charges = 0;
      const graph = single(
        async (_, ctx) => {
          freeze(150);
          return { log: await ctx.step("charge", () => `receipt-${(charges += 1)}`) };
        },
        {},
        store,
      );
      expect(await graph.invoke({ log: "in" }, thread("t"))).toEqual({
        log: ["in", "receipt-1"],
      });
      expect(charges).toBe(1);
    });
  }
});

describe("a real SIGSTOP past the lease", () => {
  const dir = tempDir("switchyard-frozen-");
  afterAll(async () => {
    await stopChildren();
    dir.remove();
  });

  it("the continued process does no further effect: LEASE_LOST before the step", async () => {
    const db = join(dir.path, "frozen.db");
    const logPath = join(dir.path, "frozen.log");
    const lines = () => {
      try {
        return readFileSync(logPath, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    const LEASE_MS = 300;
    const child = startChild("test/crash/frozen-graph.ts", [db, logPath, "t", "start", LEASE_MS]);
    await waitFor(() => lines().includes("entered t"), 30_000, "the node to start");
    child.signal("SIGSTOP");
    try {
      await sleep(3 * LEASE_MS);
      // Another process takes the thread over once the frozen one's lease has expired.
      const other = new SqliteCheckpointer(db, { leaseMs: LEASE_MS });
      opened.push(other);
      await other.acquireLease("t", "another-process");
      writeFileSync(`${logPath}.go`, "");
    } finally {
      child.signal("SIGCONT");
    }
    const exited = await child.exited;
    expect(outcome(exited).code, describeExit(exited)).toBe("LEASE_LOST");
    expect(lines()).toEqual(["entered t"]);
  }, 60_000);
});

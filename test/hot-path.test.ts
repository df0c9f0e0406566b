// The runtime's per-superstep JavaScript, counted rather than timed (issue 17, item 5): promises a
// single-task superstep creates, abort listeners a superstep adds to the run's signal, and the
// work the commit does to find what an append list gained. Counts are deterministic; times are not.
import { createHook } from "node:async_hooks";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  MemoryCheckpointer,
  reducer,
  Send,
  START,
  StateGraph,
  type ChannelWrite,
  type CheckpointRecord,
  type WriteOptions,
} from "../src/index.js";

const Counter = z.object({
  count: reducer(
    z.number(),
    (a: number, b: number) => a + b,
    () => 0,
  ),
});

/** A chain START → node0 → … → node(length-1) → END, each node adding 1. */
function chain(length: number, asyncNodes: boolean, checkpointer?: MemoryCheckpointer) {
  const graph = new StateGraph(Counter);
  const names = Array.from({ length }, (_, i) => `node${i}`);
  for (const name of names) {
    graph.addNode(
      name,
      asyncNodes
        ? async () => {
            await Promise.resolve();
            return { count: 1 };
          }
        : () => ({ count: 1 }),
    );
  }
  const path = [START, ...names, END];
  for (let i = 1; i < path.length; i += 1) graph.addEdge(path[i - 1] as string, path[i] as string);
  return graph.compile({ checkpointer });
}

/** Promises created while `work` runs (the fewest of a few tries: nothing else may add to them). */
async function promisesDuring(work: () => Promise<unknown>): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    let created = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === "PROMISE") created += 1;
      },
    });
    hook.enable();
    try {
      await work();
    } finally {
      hook.disable();
    }
    fewest = Math.min(fewest, created);
  }
  return fewest;
}

const LIMIT = { recursionLimit: 50 };

/**
 * Promises one more superstep costs: a 30-node chain against a 10-node one, over 20. With a
 * checkpointer each invocation starts a new thread, as S2 does.
 */
async function promisesPerSuperstep(
  asyncNodes: boolean,
  checkpointer?: MemoryCheckpointer,
): Promise<number> {
  const short = chain(10, asyncNodes, checkpointer);
  const long = chain(30, asyncNodes, checkpointer);
  let thread = 0;
  const config = () => ({ ...LIMIT, configurable: { thread_id: `t${(thread += 1)}` } });
  // Warm both up: first calls load modules and fill caches.
  for (let i = 0; i < 3; i += 1) {
    expect((await short.invoke({ count: 0 }, config())).count).toBe(10);
    expect((await long.invoke({ count: 0 }, config())).count).toBe(30);
  }
  const few = await promisesDuring(() => short.invoke({ count: 0 }, config()));
  const many = await promisesDuring(() => long.invoke({ count: 0 }, config()));
  return (many - few) / 20;
}

describe("per-superstep work of the runtime", () => {
  it("runs a lone synchronous node without creating promises of its own", async () => {
    // The loop awaits the superstep once; a synchronous node needs nothing more.
    expect(await promisesPerSuperstep(false)).toBeLessThanOrEqual(2);
  });

  it("runs a lone async node with few promises besides the node's own", async () => {
    // The node's own 3 (its async function, the promise it awaits, the await), the wait on it (2:
    // the promise an abort can settle, the reaction on the node's), the superstep's continuation
    // and the loop's await: 7.
    expect(await promisesPerSuperstep(true)).toBeLessThanOrEqual(7);
  });

  it("commits a superstep with one promise of the runtime's besides the checkpointer's own", async () => {
    // MemoryCheckpointer.commit is an async function: 1 promise. The loop's wait for it: 1. The
    // synchronous superstep itself: 2, as without a checkpointer. Nothing in between (the lease's
    // bookkeeping, naming a lone task's unstorable value) adds a promise of its own.
    expect(await promisesPerSuperstep(false, new MemoryCheckpointer())).toBeLessThanOrEqual(4);
  });

  it("adds one abort listener per superstep to the run's signal, however many tasks wait", async () => {
    const State = z.object({ done: append(z.number()) });
    const fanOut = (width: number) =>
      new StateGraph(State)
        .addNode("fan", () => undefined)
        .addNode("work", async (input: { i: number }) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return { done: input.i };
        })
        .addEdge(START, "fan")
        .addConditionalEdges("fan", () =>
          Array.from({ length: width }, (_, i) => new Send("work", { i })),
        )
        .addEdge("work", END)
        .compile();
    const listenersDuring = async (width: number): Promise<number> => {
      const graph = fanOut(width);
      const spy = vi.spyOn(EventTarget.prototype, "addEventListener");
      try {
        const result = await graph.invoke({ done: [] });
        expect(result.done).toHaveLength(width);
        return spy.mock.calls.filter(
          ([type], call) => type === "abort" && spy.mock.contexts[call] instanceof AbortSignal,
        ).length;
      } finally {
        spy.mockRestore();
      }
    };
    // Two supersteps (fan, then the workers): at most one listener each, whatever the width.
    expect(await listenersDuring(50)).toBeLessThanOrEqual(2);
  });

  it("hands the checkpointer what an append key gained, from the updates, not by scanning the list", async () => {
    // What the commit tells the checkpointer it may store as appended items, per append step.
    class Spy extends MemoryCheckpointer {
      readonly appended: Array<readonly unknown[] | undefined> = [];
      override async commit(
        threadId: string,
        checkpoint: CheckpointRecord,
        writes: readonly ChannelWrite[],
        options?: WriteOptions,
      ): Promise<void> {
        for (const write of writes) {
          if (write.channel === "log" && write.kind === "delta") this.appended.push(write.appended);
        }
        return super.commit(threadId, checkpoint, writes, options);
      }
    }
    const checkpointer = new Spy();
    const graph = new StateGraph(z.object({ log: append(z.any()) }))
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => ({ log: ["b", "c"] }))
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile({ checkpointer });
    // NaN is not identical to itself: a scan of the old items cannot tell this list only grew.
    const result = await graph.invoke({ log: [Number.NaN] }, { configurable: { thread_id: "t" } });
    expect(result.log).toEqual([Number.NaN, "a", "b", "c"]);
    // The input's step starts the list (nothing to append to); a and b each add to its end.
    expect(checkpointer.appended.slice(1)).toEqual([["a"], ["b", "c"]]);
  });
});

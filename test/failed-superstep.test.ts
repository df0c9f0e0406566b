// A superstep that fails when its writes are applied (issue 10, item 6): CONCURRENT_UPDATE leaves
// the thread showing the failed tasks with their errors and `next` = what to re-run, as after
// NODE_FAILED, instead of looking finished with values that were never committed.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  ConcurrentUpdateError,
  MemoryCheckpointer,
  SqliteCheckpointer,
  START,
  StateGraph,
  type Checkpointer,
  type NodeContext,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { collect, thread } from "./support.js";

const State = z.object({ status: z.string().optional(), log: append(z.string()) });

function conflicting(checkpointer: Checkpointer) {
  const calls = { left: 0, right: 0, other: 0, charge: 0 };
  const graph = new StateGraph(State)
    .addNode("left", async (_: unknown, ctx: NodeContext) => {
      calls.left += 1;
      const receipt = await ctx.step("charge", () => `receipt-${(calls.charge += 1)}`);
      return { status: "left", log: receipt };
    })
    .addNode("right", () => {
      calls.right += 1;
      return { status: "right" };
    })
    .addNode("other", () => {
      calls.other += 1;
      return { log: "other" };
    })
    .addEdge(START, "left")
    .addEdge(START, "right")
    .addEdge(START, "other")
    .compile({ checkpointer });
  return { graph, calls };
}

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

const stores: Array<[string, () => Checkpointer]> = [
  ["memory", () => new MemoryCheckpointer()],
  ["sqlite", sqlite],
];

describe.each(stores)(
  "CONCURRENT_UPDATE leaves the superstep failed, not finished (%s)",
  (_, open) => {
    it("the error says where and what to change", async () => {
      const { graph } = conflicting(open());
      const error = await rejection(() => graph.invoke({ log: "in" }, thread("t")));
      expect(error).toBeInstanceOf(ConcurrentUpdateError);
      expect(error.message).toContain('"status"');
      expect(error.message).toContain('"left" and "right"');
      expect(error.message).toContain('thread "t"');
      expect(error.message).toContain("reducer");
      expect(error.message).toContain("fails the same way");
    });

    it("getState shows the writers as failed tasks to re-run; their writes are not in the values", async () => {
      const { graph } = conflicting(open());
      await rejection(() => graph.invoke({ log: "in" }, thread("t")));
      const state = await graph.getState(thread("t"));
      expect(state.values).toEqual({ log: ["in", "other"] });
      expect(state.next).toEqual(["left", "right"]);
      const byName = Object.fromEntries(state.tasks.map((task) => [task.name, task]));
      expect(byName.left?.error?.code).toBe("CONCURRENT_UPDATE");
      expect(byName.right?.error?.code).toBe("CONCURRENT_UPDATE");
      expect(byName.right?.error?.message).toContain('"status"');
      expect(byName.other?.error).toBeUndefined();
      expect(byName.other?.result).toEqual({ log: "other" });
      const history = await collect(graph.getStateHistory(thread("t")));
      expect(history[0]?.next).toEqual(["left", "right"]);
    });

    it("continuing unchanged fails the same way, re-running only the writers and none of their steps", async () => {
      const { graph, calls } = conflicting(open());
      await rejection(() => graph.invoke({ log: "in" }, thread("t")));
      const again = await rejection(() => graph.invoke(null, thread("t")));
      expect(again.code).toBe("CONCURRENT_UPDATE");
      expect(calls).toEqual({ left: 2, right: 2, other: 1, charge: 1 });
      expect((await graph.getState(thread("t"))).next).toEqual(["left", "right"]);
    });
  },
);

// Type inference from the zod schema into nodes, updates and results. `npx tsc --noEmit -p .` is
// the real check (vitest only runs these as ordinary tests); the @ts-expect-error lines prove the
// checks reject wrong types.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  END,
  type CompiledGraph,
  reducer,
  START,
  StateGraph,
  type NodeContext,
  type StateOf,
  type UpdateOf,
  type RunOutput,
} from "../src/index.js";

const State = z.object({
  topic: z.string(),
  draft: z.string().optional(),
  log: append(z.string()),
  total: reducer(
    z.number(),
    (current, add: number) => current + add,
    () => 0,
  ),
});
type Expected = { topic: string; draft?: string | undefined; log: string[]; total: number };

describe("state and update types", () => {
  it("infers the state a node receives from the schema", () => {
    new StateGraph(State).addNode("node", (state, ctx) => {
      expectTypeOf(state).toEqualTypeOf<Expected>();
      expectTypeOf(state.log).toEqualTypeOf<string[]>();
      expectTypeOf(state.total).toEqualTypeOf<number>();
      expectTypeOf(ctx).toEqualTypeOf<NodeContext>();
    });
    expectTypeOf<StateOf<typeof State>>().toEqualTypeOf<Expected>();
  });

  it("types each key's update by its reducer's update type", () => {
    expectTypeOf<UpdateOf<typeof State>>().toEqualTypeOf<{
      topic?: string;
      draft?: string | undefined;
      log?: string | string[];
      total?: number;
    }>();
    new StateGraph(State)
      .addNode("one", () => ({ log: "item" }))
      .addNode("many", () => ({ log: ["a", "b"], total: 2 }))
      .addNode("partial", () => ({ topic: "t" }))
      .addNode("nothing", () => {});
  });

  it("rejects wrongly typed updates", () => {
    const graph = new StateGraph(State);
    // @ts-expect-error -- log takes strings
    graph.addNode("wrong-item", () => ({ log: 1 }));
    // @ts-expect-error -- topic is a string
    graph.addNode("wrong-key-type", () => ({ topic: 42 }));
    // @ts-expect-error -- the state passed to a node is typed too
    graph.addNode("wrong-read", (state) => ({ total: state.topic }));
    expectTypeOf<{ log: number }>().not.toExtend<UpdateOf<typeof State>>();
  });

  it("types invoke's result as the state, plus the interrupts of a paused run", async () => {
    const compiled = new StateGraph(State)
      .addNode("n", () => {})
      .addEdge(START, "n")
      .compile();
    const result = await compiled.invoke({ topic: "t" });
    expectTypeOf(result).toEqualTypeOf<RunOutput<Expected>>();
    expectTypeOf(result.__interrupt__).toEqualTypeOf<
      Array<{ id: string; value: unknown }> | undefined
    >();
    expect(result).toEqual({ topic: "t", log: [], total: 0 });
  });

  it("types invoke's input as an update or a Command", () => {
    type Input = Parameters<CompiledGraph<typeof State>["invoke"]>[0];
    expectTypeOf({ topic: "t", log: "one" }).toExtend<Input>();
    expectTypeOf<{ topic: number }>().not.toExtend<Input>();
    expectTypeOf(new Command({ resume: "approved" })).toExtend<Input>();
    expectTypeOf(new Command({ update: { topic: "t" }, goto: "n" })).toExtend<Input>();
  });
});

describe("a wide state", () => {
  const Wide = z.object({
    k01: z.string(),
    k02: z.number(),
    k03: z.boolean(),
    k04: z.string().optional(),
    k05: z.array(z.string()),
    k06: z.object({ nested: z.number() }),
    k07: append(z.number()),
    k08: z.enum(["a", "b"]),
    k09: z.string().default("x"),
    k10: z.number().nullable(),
    k11: z.string(),
    k12: z.number(),
    k13: z.boolean(),
    k14: z.string().optional(),
    k15: z.array(z.number()),
    k16: z.record(z.string(), z.number()),
    k17: append(z.string()),
    k18: z.literal("fixed"),
    k19: z.date(),
    k20: z.union([z.string(), z.number()]),
    k21: z.string(),
    k22: z.number(),
    k23: z.boolean(),
    k24: z.string().optional(),
    k25: z.array(z.boolean()),
    k26: z.tuple([z.string(), z.number()]),
    k27: reducer(
      z.number(),
      (a, b: number) => Math.max(a, b),
      () => 0,
    ),
    k28: z.bigint(),
    k29: z.string(),
    k30: z.number(),
  });

  it("compiles and runs a node that reads and writes a 30-key state", async () => {
    const compiled = new StateGraph(Wide)
      .addNode("use", (state) => {
        expectTypeOf<typeof state.k06.nested>().toEqualTypeOf<number>();
        expectTypeOf<typeof state.k08>().toEqualTypeOf<"a" | "b">();
        expectTypeOf<typeof state.k26>().toEqualTypeOf<[string, number]>();
        return { k01: `${state.k01}!`, k07: state.k02, k17: ["x"], k27: 5, k30: state.k30 + 1 };
      })
      .addEdge(START, "use")
      .addEdge("use", END)
      .compile();
    // A new run's input gives every required key (MISSING_INPUT otherwise).
    const result = await compiled.invoke({
      k01: "hi",
      k02: 2,
      k03: true,
      k05: [],
      k06: { nested: 1 },
      k08: "a",
      k10: null,
      k11: "",
      k12: 0,
      k13: false,
      k15: [],
      k16: {},
      k18: "fixed",
      k19: new Date(0),
      k20: 1,
      k21: "",
      k22: 0,
      k23: false,
      k25: [],
      k26: ["a", 1],
      k28: 1n,
      k29: "",
      k30: 1,
    });
    expectTypeOf<typeof result.k19>().toEqualTypeOf<Date>();
    expectTypeOf<typeof result.k28>().toEqualTypeOf<bigint>();
    expect(result).toMatchObject({ k01: "hi!", k07: [2], k09: "x", k17: ["x"], k27: 5, k30: 2 });
  });
});

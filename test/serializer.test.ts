// serialize/deserialize: exact round trips of what JSON alone loses, and clear refusals.
import {
  AIMessage,
  HumanMessage,
  RemoveMessage,
  ToolMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { deserialize, SerializationError, serialize } from "../src/index.js";

const roundTrip = <T>(value: T): T => deserialize(serialize(value)) as T;

describe("round trips", () => {
  it.each([
    ["a Date", new Date("2024-05-06T07:08:09.010Z")],
    [
      "a Map with non-string keys",
      new Map<unknown, unknown>([
        [1, "one"],
        [true, { nested: [1] }],
        [new Date(0), null],
      ]),
    ],
    ["a Set", new Set([1, "two", { three: 3 }])],
    ["a Uint8Array", new Uint8Array([0, 1, 127, 128, 255])],
    ["a BigInt", 2n ** 70n],
    ["nested plain objects", { a: { b: { c: [1, "x", null, true, { d: [] }] } }, e: "" }],
    ["an object with a $sy key", { $sy: "date", v: 1 }],
    ["an object mimicking an escaped tag", { $sy: "obj", v: { $sy: "undef", v: null } }],
  ])("%s", (_, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it("keeps what needs a tag however deep it sits in otherwise plain data", () => {
    const value = {
      plain: { list: [1, "two", null, true, { three: [3] }] },
      deep: [{ at: new Date(7) }, { tagLike: { $sy: "undef", v: null } }, [[-0]]],
    };
    const result = roundTrip(value);
    expect(result).toStrictEqual(value);
  });

  it("keeps undefined in objects and arrays", () => {
    const result = roundTrip({ missing: undefined, list: [1, undefined, 3] });
    expect(result).toStrictEqual({ missing: undefined, list: [1, undefined, 3] });
    expect(Object.keys(result)).toEqual(["missing", "list"]);
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it("keeps NaN, Infinity, -Infinity and -0", () => {
    const [nan, inf, negInf, negZero, zero] = roundTrip([NaN, Infinity, -Infinity, -0, 0]);
    expect(nan).toBeNaN();
    expect([inf, negInf]).toEqual([Infinity, -Infinity]);
    expect(Object.is(negZero, -0)).toBe(true);
    expect(Object.is(zero, 0)).toBe(true);
  });

  it("keeps Map keys that are objects, in order", () => {
    const result = roundTrip(
      new Map<unknown, string>([
        [{ id: 1 }, "a"],
        [[2], "b"],
        [3n, "c"],
      ]),
    );
    expect([...result.keys()]).toStrictEqual([{ id: 1 }, [2], 3n]);
    expect([...result.values()]).toEqual(["a", "b", "c"]);
  });

  it("keeps @langchain/core messages: class, id, tool calls, status", () => {
    const ai = new AIMessage({
      content: "",
      id: "ai-1",
      tool_calls: [{ id: "call-1", name: "search", args: { q: "weather" }, type: "tool_call" }],
    });
    const human = new HumanMessage({ content: "hi", id: "h-1", name: "ana" });
    const tool = new ToolMessage({ content: "oops", tool_call_id: "call-1", status: "error" });
    const [aiBack, humanBack, toolBack] = roundTrip([ai, human, tool]) as BaseMessage[];

    expect(aiBack).toBeInstanceOf(AIMessage);
    expect((aiBack as AIMessage).tool_calls).toEqual(ai.tool_calls);
    expect([aiBack?.id, aiBack?.content]).toEqual(["ai-1", ""]);
    expect(humanBack).toBeInstanceOf(HumanMessage);
    expect([humanBack?.id, humanBack?.content, humanBack?.name]).toEqual(["h-1", "hi", "ana"]);
    expect(toolBack).toBeInstanceOf(ToolMessage);
    expect((toolBack as ToolMessage).tool_call_id).toBe("call-1");
    expect((toolBack as ToolMessage).status).toBe("error");
    expect(toolBack?.content).toBe("oops");
  });

  it("keeps a RemoveMessage (the messages reducer stores it as an update)", () => {
    const back = roundTrip(new RemoveMessage({ id: "m-1" }));
    expect(back).toBeInstanceOf(RemoveMessage);
    expect(back.id).toBe("m-1");
  });
});

describe("refusals", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = { back: cyclic };

  it.each([
    ["a function", { a: { b: () => 1 } }, "value.a.b", "a function"],
    ["a symbol", { list: [1, Symbol("s")] }, "value.list[1]", "a symbol"],
    ["a class instance", { at: new Point(1) }, "value.at", "class Point"],
    ["a cycle", cyclic, "value.self.back", "circular"],
  ])("refuses %s with SerializationError naming the path", (_, value, path, what) => {
    let error: unknown;
    try {
      serialize(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).code).toBe("UNSERIALIZABLE_VALUE");
    expect((error as SerializationError).path).toBe(path);
    expect((error as SerializationError).message).toContain(path);
    expect((error as SerializationError).message).toContain(what);
  });

  it("names the path from the caller's root", () => {
    expect(() => serialize({ f: () => 1 }, "state")).toThrow("state.f");
  });

  it("round-trips and refuses values nested hundreds of levels deep as shallow ones", () => {
    // Deeper than the serializer's first pass goes before it falls back to a careful one.
    const nest = (depth: number, leaf: unknown): unknown =>
      depth === 0 ? leaf : { down: [nest(depth - 1, leaf)] };
    const deep = nest(300, new Date(5));
    expect(roundTrip(deep)).toEqual(deep);
    const deepPath = `value${".down[0]".repeat(300)}`;
    expect(() => serialize(nest(300, () => 1))).toThrow(`a function at ${deepPath}`);
    const ring: { next?: unknown } = {};
    ring.next = nest(300, ring);
    expect(() => serialize(ring)).toThrow(`value.next${".down[0]".repeat(300)}`);
  });
});

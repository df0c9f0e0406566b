// State keys: zod defaults, undefined writes, the append and messages reducers, and reducer
// channels stored as deltas (replayed correctly at any older checkpoint).
import { AIMessage, HumanMessage, RemoveMessage, type BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { append, END, MemoryCheckpointer, messages, START, StateGraph } from "../src/index.js";
import { collect, thread } from "./support.js";

describe("state keys", () => {
  it("starts a key with a zod .default() at its default value", async () => {
    const compiled = new StateGraph(z.object({ count: z.number().default(5) }))
      .addNode("inc", (state) => ({ count: state.count + 1 }))
      .addEdge(START, "inc")
      .compile();
    expect(await compiled.invoke({})).toEqual({ count: 6 });
  });

  it("ignores keys whose value is undefined, in the input and in node updates", async () => {
    const compiled = new StateGraph(z.object({ kept: z.string(), set: z.string().optional() }))
      .addNode("a", () => ({ kept: undefined, set: "by a" }))
      .addEdge(START, "a")
      .compile();
    const result = await compiled.invoke({ kept: "input", set: undefined });
    expect(result).toEqual({ kept: "input", set: "by a" });
  });

  it("append() accepts one item or an array of items", async () => {
    const compiled = new StateGraph(z.object({ items: append(z.number()) }))
      .addNode("one", () => ({ items: 1 }))
      .addNode("many", () => ({ items: [2, 3] }))
      .addEdge(START, "one")
      .addEdge("one", "many")
      .compile();
    expect(await compiled.invoke({ items: [0] })).toEqual({ items: [0, 1, 2, 3] });
  });
});

describe("the messages reducer", () => {
  const Chat = z.object({ messages: messages() });
  const kinds = (list: readonly BaseMessage[]) => list.map((m) => [m.type, m.content]);

  it("appends, replaces by id, deletes with RemoveMessage and coerces { role, content }", async () => {
    let received: BaseMessage[] = [];
    const compiled = new StateGraph(Chat)
      .addNode("draft", (state) => {
        received = state.messages;
        return { messages: new AIMessage({ content: "draft", id: "ai-1" }) };
      })
      .addNode("revise", () => ({
        messages: [
          new AIMessage({ content: "final", id: "ai-1" }),
          { role: "assistant", content: "extra" },
        ],
      }))
      .addNode("prune", (state) => ({
        messages: new RemoveMessage({ id: state.messages[0]?.id as string }),
      }))
      .addEdge(START, "draft")
      .addEdge("draft", "revise")
      .addEdge("revise", "prune")
      .addEdge("prune", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const input = { messages: [{ role: "user", content: "hi" }] };
    const result = await compiled.invoke(input, thread("t"));

    expect(received).toHaveLength(1);
    expect(received[0]).toBeInstanceOf(HumanMessage);
    expect(received[0]?.content).toBe("hi");
    expect(received[0]?.id).toBeTruthy();
    expect(kinds(result.messages)).toEqual([
      ["ai", "final"],
      ["ai", "extra"],
    ]);
    expect(result.messages.every((m) => m instanceof AIMessage)).toBe(true);
    expect(result.messages[0]?.id).toBe("ai-1");
    expect(result.messages[1]?.id).toBeTruthy();

    // The same values come back from the checkpoints, where updates are stored as deltas.
    expect(kinds((await compiled.getState(thread("t"))).values.messages)).toEqual(
      kinds(result.messages),
    );
    const history = await collect(compiled.getStateHistory(thread("t")));
    const afterRevise = history.find((s) => s.metadata?.step === 1)?.values.messages ?? [];
    expect(kinds(afterRevise)).toEqual([
      ["human", "hi"],
      ["ai", "final"],
      ["ai", "extra"],
    ]);
  });
});

describe("reducer deltas", () => {
  it("replays the right value at any older checkpoint of a 200-step loop", async () => {
    const steps = 200;
    const compiled = new StateGraph(z.object({ n: z.number(), seen: append(z.number()) }))
      .addNode("tick", (state) => ({ n: state.n + 1, seen: state.n }))
      .addEdge(START, "tick")
      .addConditionalEdges("tick", (state) => (state.n < steps ? "tick" : END), ["tick", END])
      .compile({ checkpointer: new MemoryCheckpointer() });
    const result = await compiled.invoke({ n: 0 }, { ...thread("t"), recursionLimit: steps });
    const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);
    expect(result.seen).toEqual(upTo(steps));

    const history = await collect(compiled.getStateHistory(thread("t")));
    expect(history).toHaveLength(steps + 1);
    const idAt = (step: number) =>
      history.find((s) => s.metadata?.step === step)?.config.configurable.checkpoint_id;
    // Around the periodic snapshots (every 64 versions) and in between.
    for (const step of [-1, 0, 1, 62, 63, 64, 65, 127, 128, 129, 150, 191, 192, 199]) {
      const state = await compiled.getState(thread("t", idAt(step)));
      expect(state.values).toEqual({ n: step + 1, seen: upTo(step + 1) });
    }
    for (const snapshot of history) {
      const step = snapshot.metadata?.step as number;
      expect(snapshot.values.seen).toEqual(upTo(step + 1));
    }
  });
});

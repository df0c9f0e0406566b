// Required input keys (issue 10, item 7): a thread's first input must give every key the schema
// requires (keys with a default or a reducer aside), or it is refused before anything is stored.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  append,
  Command,
  END,
  MemoryCheckpointer,
  MissingInputError,
  START,
  StateGraph,
} from "../src/index.js";
import { rejection } from "./checkpoint/graphs.js";
import { thread } from "./support.js";

const State = z.object({
  question: z.string(),
  customer: z.object({ id: z.string() }),
  answer: z.string().optional(),
  tries: z.number().default(0),
  log: append(z.string()),
});

function answering(checkpointer?: MemoryCheckpointer) {
  const calls: string[] = [];
  const graph = new StateGraph(State)
    .addNode("reply", (state) => {
      calls.push(state.question.toUpperCase());
      return { answer: `re: ${state.question}`, log: "answered" };
    })
    .addEdge(START, "reply")
    .addEdge("reply", END)
    .compile(checkpointer ? { checkpointer } : {});
  return { graph, calls };
}

describe("a new thread's input must satisfy the schema", () => {
  it("{} is MISSING_INPUT naming every missing required key; nothing is stored, no node runs", async () => {
    const checkpointer = new MemoryCheckpointer();
    const { graph, calls } = answering(checkpointer);
    const error = await rejection(() => graph.invoke({}, thread("t")));
    expect(error.code).toBe("MISSING_INPUT");
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).keys).toEqual(["question", "customer"]);
    expect(error.message).toContain('"question"');
    expect(error.message).toContain('"customer"');
    expect(error.message).toContain('thread "t"');
    expect(error.message).not.toContain('"tries"');
    expect(error.message).not.toContain('"log"');
    expect(error.message).not.toContain('"answer"');
    expect(calls).toEqual([]);
    expect(await checkpointer.getTuple("t")).toBeUndefined();
    expect(await checkpointer.getThread("t")).toBeUndefined();

    const done = await graph.invoke({ question: "why?", customer: { id: "c1" } }, thread("t"));
    expect(done).toMatchObject({
      question: "why?",
      answer: "re: why?",
      tries: 0,
      log: ["answered"],
    });
  });

  it("a key given as undefined counts as missing; so does a Command's update", async () => {
    const { graph } = answering(new MemoryCheckpointer());
    const input = { question: undefined, customer: { id: "c1" } };
    const error = await rejection(() => graph.invoke(input, thread("t")));
    expect((error as MissingInputError).keys).toEqual(["question"]);
    const command = new Command({ update: { question: "q" }, goto: "reply" });
    const viaCommand = await rejection(() => graph.invoke(command, thread("u")));
    expect((viaCommand as MissingInputError).keys).toEqual(["customer"]);
  });

  it("without a checkpointer every run starts from nothing: the same check applies", async () => {
    const { graph, calls } = answering();
    const error = await rejection(() => graph.invoke({ question: "q" }));
    expect(error.code).toBe("MISSING_INPUT");
    expect(error.message).not.toContain("thread");
    expect(calls).toEqual([]);
  });

  it("a thread that has state takes partial input: its state already has the keys", async () => {
    const { graph, calls } = answering(new MemoryCheckpointer());
    await graph.invoke({ question: "one", customer: { id: "c1" } }, thread("t"));
    const again = await graph.invoke({ question: "two" }, thread("t"));
    expect(again).toMatchObject({ question: "two", customer: { id: "c1" }, answer: "re: two" });
    expect(calls).toEqual(["ONE", "TWO"]);
  });
});

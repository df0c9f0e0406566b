// What the LLM tests share: the messages state, a local OpenAI server per test, tools that record
// their calls, and one checkpointer of each kind.
import { tool } from "@langchain/core/tools";
import { afterEach, beforeEach } from "vitest";
import { z } from "zod";
import {
  chatNode,
  END,
  MemoryCheckpointer,
  messages,
  SqliteCheckpointer,
  START,
  StateGraph,
  toolNode,
  toolsCondition,
  type Checkpointer,
} from "../../src/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "./openai-server.js";

export const State = z.object({ messages: messages() });

/**
 * A fresh local OpenAI server for each test of the calling file: `server()` is the current one.
 * Fresh, so `requests` counts exactly the test's own model calls.
 */
export function useFakeOpenAI(): () => FakeOpenAI {
  let current: FakeOpenAI | undefined;
  beforeEach(async () => {
    current = await startFakeOpenAI();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => current as FakeOpenAI;
}

/** `add({ a, b })` -> "a + b", counting its calls. */
export function adder() {
  const calls: Array<{ a: number; b: number }> = [];
  const add = tool(
    ({ a, b }) => {
      calls.push({ a, b });
      return String(a + b);
    },
    {
      name: "add",
      description: "Adds two numbers.",
      schema: z.object({ a: z.number(), b: z.number() }),
    },
  );
  return { add, calls };
}

/** START -> agent -> (tool calls? tools -> agent) -> END: the smallest tool-calling loop. */
export function agentGraph(
  server: FakeOpenAI,
  tools: Parameters<typeof toolNode>[0],
  options: { system?: string } = {},
) {
  return new StateGraph(State)
    .addNode("agent", chatNode(server.model(), { tools, system: options.system }))
    .addNode("tools", toolNode(tools))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "agent");
}

/** One checkpointer of each kind, closed after each test. */
export function useCheckpointers(): ReadonlyArray<readonly [string, () => Checkpointer]> {
  let opened: SqliteCheckpointer[] = [];
  afterEach(() => {
    for (const store of opened) store.close();
    opened = [];
  });
  return [
    ["memory", () => new MemoryCheckpointer()],
    [
      "sqlite",
      () => {
        const store = new SqliteCheckpointer(":memory:");
        opened.push(store);
        return store;
      },
    ],
  ];
}

/** `{ configurable: { thread_id } }`. */
export function thread(threadId: string, extra: Record<string, unknown> = {}) {
  return { configurable: { thread_id: threadId, ...extra } };
}

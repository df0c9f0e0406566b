// Graphs and stores the subgraph tests share: a child that researches (with a durable step), asks
// for approval and publishes, counting every execution, inside a supervisor; every checkpointer.
import { afterEach } from "vitest";
import { z } from "zod";
import {
  append,
  END,
  interrupt,
  MemoryCheckpointer,
  SqliteCheckpointer,
  START,
  StateGraph,
  type CompiledGraph,
  type ThreadStore,
} from "../../src/index.js";
import { thread } from "../support.js";

/** Every checkpointer, by name; SQLite ones opened by a test are closed after it. */
export function eachStore(): Array<[string, () => ThreadStore]> {
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

export const Shared = z.object({ topic: z.string(), log: append(z.string()) });
export const ChildState = z.object({
  topic: z.string(),
  log: append(z.string()),
  draft: z.string().optional(),
});

export type Counts = Record<string, number>;
export const bump = (counts: Counts, name: string) => (counts[name] = (counts[name] ?? 0) + 1);

/** research (a durable step) → approve (asks) → publish, counting every execution and effect. */
export function approvingChild(counts: Counts) {
  return new StateGraph(ChildState)
    .addNode("research", async (state, ctx) => {
      bump(counts, "research");
      const found = await ctx.step("search", () => {
        bump(counts, "search effect");
        return `notes on ${state.topic}`;
      });
      return { draft: found, log: ["research"] };
    })
    .addNode("approve", (state) => {
      bump(counts, "approve");
      return { log: [`approve:${interrupt<string>({ draft: state.draft })}`] };
    })
    .addNode("publish", () => {
      bump(counts, "publish");
      return { log: ["publish"] };
    })
    .addEdge(START, "research")
    .addEdge("research", "approve")
    .addEdge("approve", "publish")
    .addEdge("publish", END)
    .compile({ name: "writer" });
}

export function parentOf(child: CompiledGraph<z.ZodObject>, store: ThreadStore) {
  return new StateGraph(Shared)
    .addNode("plan", () => ({ log: ["plan"] }))
    .addNode("writer", child)
    .addNode("finish", () => ({ log: ["finish"] }))
    .addEdge(START, "plan")
    .addEdge("plan", "writer")
    .addEdge("writer", "finish")
    .addEdge("finish", END)
    .compile({ checkpointer: store, name: "supervisor" });
}

/** The namespace of the child the thread's first waiting task runs. */
export async function waitingNamespace(graph: CompiledGraph<z.ZodObject>, threadId: string) {
  const snapshot = await graph.getState(thread(threadId), { subgraphs: true });
  return snapshot.tasks[0]?.state?.config.configurable.checkpoint_ns as string;
}

/** The checkpoint ids stored under `key` (a thread or a namespace key), newest first. */
export async function collectIds(store: ThreadStore, key: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const tuple of store.list(key)) ids.push(tuple.checkpoint.id);
  return ids;
}

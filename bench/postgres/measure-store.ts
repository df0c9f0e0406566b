// One store's figures for the commit-latency bench: timed leased commits and putWrites, then a
// graph loop that appends 200 B per step.
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { append, END, START, StateGraph, type ThreadStore } from "../../src/index.js";

export interface StoreFigures {
  commitP50: number;
  commitP95: number;
  putWritesP50: number;
  putWritesP95: number;
  msPerStep: number;
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
};

/** A 200-byte item, so each delta is the size of a short message. */
const item = (index: number) => `${index}:`.padEnd(200, "x");

export async function measureStore(
  store: ThreadStore,
  prefix: string,
  plan: { operations: number; steps: number },
): Promise<StoreFigures> {
  const thread = `${prefix}-direct`;
  const owner = `bench-${prefix}`;
  await store.acquireLease(thread, owner);
  const commits: number[] = [];
  let parent: string | undefined;
  for (let index = 0; index < plan.operations; index += 1) {
    // Ids sort in commit order, as the runtime's do.
    const id = `cp-${String(index).padStart(8, "0")}`;
    const started = performance.now();
    await store.commit(
      thread,
      {
        id,
        parentId: parent,
        step: index,
        source: "loop",
        createdAt: new Date().toISOString(),
        metadata: { source: "loop", step: index },
        versions: { log: id },
        next: [{ node: "step", send: false }],
        barriers: {},
      },
      [
        {
          channel: "log",
          version: id,
          kind: "delta",
          previous: parent,
          updates: [item(index)],
          value: [],
        },
      ],
      { lease: owner },
    );
    commits.push(performance.now() - started);
    parent = id;
  }
  const puts: number[] = [];
  for (let index = 0; index < plan.operations; index += 1) {
    const started = performance.now();
    await store.putWrites(thread, parent as string, `task-${index}`, [["log", item(index)]], {
      lease: owner,
    });
    puts.push(performance.now() - started);
  }
  await store.releaseLease(thread, owner);

  const graph = new StateGraph(z.object({ items: append(z.string()) }))
    .addNode("step", (state) => ({ items: item(state.items.length) }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (state) => (state.items.length < plan.steps ? "step" : END), [
      "step",
      END,
    ])
    .compile({ checkpointer: store });
  const started = performance.now();
  await graph.invoke(
    { items: [] },
    { configurable: { thread_id: `${prefix}-graph` }, recursionLimit: plan.steps + 10 },
  );
  const msPerStep = (performance.now() - started) / plan.steps;

  return {
    commitP50: quantile(commits, 0.5),
    commitP95: quantile(commits, 0.95),
    putWritesP50: quantile(puts, 0.5),
    putWritesP95: quantile(puts, 0.95),
    msPerStep,
  };
}

// Token usage and budgets in the server's thread state, read with LangGraph's own SDK client: the
// state and the thread object carry a `usage` key (a Switchyard addition the SDK passes through).
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ graphs: "graphs" });

interface WireUsage {
  total: { input_tokens: number; output_tokens: number; total_tokens: number; cost?: number };
  nodes: Record<string, { total_tokens: number }>;
  budget?: Array<{ scope: string; measure: string; limit: number; spent: number }>;
}

test("a thread's state and the thread itself show its usage and its budget with the spend", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  // A billing ticket: classified with confidence, then drafting goes over the 20-token thread
  // budget (governed-triage asks a person before spending more).
  await client.runs.wait(threadId, "governed-triage", {
    input: { ticket: "I was charged twice this month, please refund one payment." },
  });
  const state = (await client.threads.getState(threadId)) as unknown as { usage?: WireUsage };
  expect(state.usage).toBeDefined();
  const usage = state.usage as WireUsage;
  expect(usage.total.total_tokens).toBeGreaterThan(20);
  expect(Object.keys(usage.nodes).sort()).toEqual(["classify"]);
  expect(usage.total.cost).toBeGreaterThan(0);
  expect(usage.budget).toEqual([
    { scope: "thread", measure: "tokens", limit: 20, spent: usage.total.total_tokens },
  ]);

  const thread = (await client.threads.get(threadId)) as unknown as { usage?: WireUsage };
  expect(thread.usage).toEqual(usage);

  // Raising the budget lets the draft run; its tokens are added to what the state shows.
  await client.runs.wait(threadId, "governed-triage", {
    command: { resume: { raise: { tokens: 1000 } } },
  });
  const after = (await client.threads.getState(threadId)) as unknown as { usage: WireUsage };
  expect(Object.keys(after.usage.nodes).sort()).toEqual(["classify", "draft"]);
  expect(after.usage.total.total_tokens).toBeGreaterThan(usage.total.total_tokens);
  expect(after.usage.budget?.[0]?.spent).toBe(after.usage.total.total_tokens);

  // Each run shows what it spent itself: the first classified, the second drafted.
  const runs = await client.runs.list(threadId);
  const [second, first] = (await Promise.all(
    runs.map((run) => client.runs.get(threadId, run.run_id)),
  )) as unknown as Array<{ usage?: WireUsage }>;
  expect(Object.keys(first?.usage?.nodes ?? {})).toEqual(["classify"]);
  expect(Object.keys(second?.usage?.nodes ?? {})).toEqual(["draft"]);
  expect((first?.usage?.total.total_tokens ?? 0) + (second?.usage?.total.total_tokens ?? 0)).toBe(
    after.usage.total.total_tokens,
  );
}, 60_000);

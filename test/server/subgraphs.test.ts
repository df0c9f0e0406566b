// Subgraphs over the wire, through a real `switchyard serve` and LangGraph's SDK: `mode|namespace`
// events with stream_subgraphs, the tasks and checkpoints modes, nested state with checkpoint_ns
// and checkpoint_map, and the xray graph.
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile();

interface Part {
  event: string;
  data: unknown;
}

test("stream_subgraphs sends the child's events as mode|namespace; tasks and checkpoints modes are sent", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const parts: Part[] = [];
  for await (const part of client.runs.stream(threadId, "nested", {
    input: { topic: "owls" },
    streamMode: ["values", "updates", "tasks", "checkpoints"],
    streamSubgraphs: true,
  })) {
    parts.push(part);
  }
  const names = parts.map((part) => part.event);
  const childEvent = names.find((name) => name.startsWith("updates|"));
  const namespace = childEvent?.slice("updates|".length) as string;
  expect(namespace).toMatch(/^research:/);
  expect(parts.find((part) => part.event === `updates|${namespace}`)?.data).toEqual({
    draft: { log: "draft on owls" },
  });
  expect(names).toContain(`values|${namespace}`);
  expect(names).toContain(`tasks|${namespace}`);
  expect(parts.find((part) => part.event === "tasks")?.data).toMatchObject({
    name: "research",
    input: { topic: "owls", log: [] },
  });
  const rootCheckpoint = parts.find((part) => part.event === "checkpoints")?.data;
  expect(rootCheckpoint).toMatchObject({
    config: { configurable: { thread_id: threadId, checkpoint_ns: "" } },
    values: { topic: "owls", log: [] },
    next: ["research"],
  });
  const childCheckpoint = parts.find((part) => part.event === `checkpoints|${namespace}`)?.data;
  expect(childCheckpoint).toMatchObject({
    config: { configurable: { thread_id: threadId, checkpoint_ns: namespace } },
  });
  const last = parts.filter((part) => part.event === "values").at(-1)?.data;
  expect(last).toMatchObject({ __interrupt__: [{ value: { question: "Good?" } }] });

  // Without stream_subgraphs only the parent's own events are sent.
  const { thread_id: other } = await client.threads.create();
  const flat: Part[] = [];
  for await (const part of client.runs.stream(other, "nested", {
    input: { topic: "bats" },
    streamMode: ["updates"],
  })) {
    flat.push(part);
  }
  expect(flat.some((part) => part.event.includes("|"))).toBe(false);
});

test("state with subgraphs=true nests the waiting child's state with its namespace and checkpoint_map", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "nested", { input: { topic: "owls" } });

  const flat = await client.threads.getState(threadId);
  expect(flat.tasks[0]).toMatchObject({ name: "research", state: null });
  expect(flat.checkpoint).toMatchObject({ checkpoint_ns: "", checkpoint_map: null });

  const nested = await client.threads.getState(threadId, undefined, { subgraphs: true });
  const rootId = nested.checkpoint.checkpoint_id as string;
  const task = nested.tasks[0];
  const child = task?.state as typeof nested;
  expect(child.values).toEqual({ topic: "owls", log: ["draft on owls"] });
  expect(child.next).toEqual(["review"]);
  const namespace = child.checkpoint.checkpoint_ns;
  expect(namespace).toMatch(/^research:/);
  expect(child.checkpoint.checkpoint_map).toEqual({
    "": rootId,
    [namespace]: child.checkpoint.checkpoint_id,
  });
  expect(task?.checkpoint).toEqual(child.checkpoint);
  expect(child.parent_checkpoint).toMatchObject({ checkpoint_ns: namespace });
  expect(child.tasks[0]?.interrupts).toEqual(task?.interrupts);

  const done = await client.runs.wait(threadId, "nested", { command: { resume: "yes" } });
  expect(done).toEqual({ topic: "owls", log: ["draft on owls", "review: yes", "published"] });
  const history = await client.threads.getHistory(threadId, { limit: 3 });
  expect(history.every((state) => state.checkpoint.checkpoint_ns === "")).toBe(true);
});

test("the graph with xray shows the subgraph's nodes in place of the subgraph node", async () => {
  const client = server().client();
  const plain = await client.assistants.getGraph("nested");
  expect(plain.nodes.map((node) => node.id)).toEqual([
    "__start__",
    "research",
    "publish",
    "__end__",
  ]);

  const xray = await client.assistants.getGraph("nested", { xray: true });
  expect(xray.nodes.map((node) => node.id)).toEqual([
    "__start__",
    "research:draft",
    "research:review",
    "publish",
    "__end__",
  ]);
  expect(xray.edges).toEqual(
    expect.arrayContaining([
      { source: "__start__", target: "research:draft", conditional: false },
      { source: "research:draft", target: "research:review", conditional: false },
      { source: "research:review", target: "publish", conditional: false },
      { source: "publish", target: "__end__", conditional: false },
    ]),
  );
  expect(xray.edges).toHaveLength(4);
});

// The human-in-the-loop round trip through a real `switchyard serve`, driven by LangGraph's own
// SDK client: stream to an interrupt, inspect it, refuse a bad answer, resume, read the history.
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile();

const claim = {
  id: "c-1",
  employee: "ann",
  amount: 900,
  currency: "EUR",
  category: "travel",
  description: "train to Lyon",
};

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

interface Interrupt {
  id: string;
  value: { question: string };
}

test("a run streams to an interrupt; a bad answer is refused and the thread keeps waiting; a good one finishes it", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create({ metadata: { team: "finance" } });

  let created: { run_id: string; thread_id?: string } | undefined;
  const events = await collect(
    client.runs.stream(threadId, "expense-approval", {
      input: { claim },
      streamMode: ["values", "updates"],
      onRunCreated: (meta) => (created = meta),
    }),
  );
  expect(events[0]).toMatchObject({ event: "metadata", data: { attempt: 1 } });
  const runId = (events[0]?.data as { run_id: string }).run_id;
  expect(created).toEqual({ run_id: runId, thread_id: threadId });
  expect(events.every((event) => typeof event.id === "string")).toBe(true);
  const lastValues = events.filter((event) => event.event === "values").at(-1)?.data as {
    __interrupt__: Interrupt[];
  };
  expect(Object.keys(lastValues)).toEqual(["__interrupt__"]);
  const [waiting] = lastValues.__interrupt__;
  expect(waiting?.value.question).toBe("Approve 900 EUR for ann?");
  expect(events.some((event) => event.event === "updates")).toBe(true);

  const state = await client.threads.getState(threadId);
  expect(state.next).toEqual(["manager_approval"]);
  expect(state.tasks[0]?.interrupts).toEqual([{ id: waiting?.id, value: waiting?.value }]);
  expect(state.checkpoint.checkpoint_id).toEqual(expect.any(String));
  expect(state.parent_checkpoint?.checkpoint_id).toEqual(expect.any(String));
  const thread = await client.threads.get(threadId);
  expect(thread.status).toBe("interrupted");
  expect(thread.metadata).toEqual({
    team: "finance",
    graph_id: "expense-approval",
    assistant_id: "expense-approval",
  });
  expect(Object.values(thread.interrupts).flat()).toEqual([
    { id: waiting?.id, value: waiting?.value },
  ]);
  expect(await client.runs.get(threadId, runId)).toMatchObject({
    run_id: runId,
    thread_id: threadId,
    assistant_id: "expense-approval",
    status: "success",
    multitask_strategy: "reject",
  });

  // An approval's answer is checked before the run starts: a 400, no run, nothing changed.
  const refused = await collect(
    client.runs.stream(threadId, "expense-approval", { command: { resume: { approved: "yes" } } }),
  ).catch((error: { status: number; text: string }) => error);
  expect(refused).toMatchObject({ status: 400 });
  expect(JSON.parse((refused as { text: string }).text)).toMatchObject({ error: "INVALID_RESUME" });
  expect(await client.runs.list(threadId)).toHaveLength(1);
  expect((await client.threads.get(threadId)).status).toBe("interrupted");
  expect((await client.threads.getState(threadId)).next).toEqual(["manager_approval"]);

  const final = await client.runs.wait(threadId, "expense-approval", {
    command: { resume: { [waiting?.id as string]: { approved: true } } },
    config: { configurable: { actor: "dana" } },
  });
  expect(final).toMatchObject({ status: "paid", paymentId: "pay-c-1" });
  expect((final as { log: string[] }).log).toContain("manager: approved by dana");
  expect((await client.threads.get(threadId)).status).toBe("idle");

  const history = await client.threads.getHistory(threadId, { limit: 50 });
  expect(history[0]?.values).toMatchObject({ status: "paid" });
  expect(history.length).toBeGreaterThanOrEqual(5);
  history.slice(0, -1).forEach((entry, index) => {
    expect(entry.parent_checkpoint?.checkpoint_id).toBe(
      history[index + 1]?.checkpoint.checkpoint_id,
    );
  });
  const older = await client.threads.getHistory(threadId, {
    limit: 2,
    before: { configurable: { checkpoint_id: history[1]?.checkpoint.checkpoint_id } },
  });
  expect(older.map((entry) => entry.checkpoint.checkpoint_id)).toEqual(
    history.slice(2, 4).map((entry) => entry.checkpoint.checkpoint_id),
  );
});

test("runs.wait of a run that stops at an interrupt returns { __interrupt__ }", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const output = await client.runs.wait(threadId, "expense-approval", { input: { claim } });
  expect(Object.keys(output as object)).toEqual(["__interrupt__"]);
});

test("updateState writes as a node; the state shows it", async () => {
  const client = server().client();
  const created = await client.threads.create({ graphId: "expense-approval" });
  const threadId = created.thread_id;
  const updated = await client.threads.updateState(threadId, {
    values: { claim, status: "approved", log: "approved by phone" },
    asNode: "apply_policy",
  });
  const state = await client.threads.getState(threadId);
  expect(state.checkpoint.checkpoint_id).toBe(
    (updated as unknown as { checkpoint: { checkpoint_id: string } }).checkpoint.checkpoint_id,
  );
  expect(state.values).toMatchObject({ status: "approved" });
  expect(state.next).toEqual(["pay"]);
});

test("an update that would drop a waiting approval is refused; the thread keeps waiting", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "expense-approval", { input: { claim } });
  const update = client.threads.updateState(threadId, {
    values: { status: "approved", log: "approved by phone" },
    asNode: "manager_approval",
  });
  await expect(update).rejects.toThrow(/INTERRUPTS_DROPPED/);
  const state = await client.threads.getState(threadId);
  expect(state.next).toEqual(["manager_approval"]);
  expect((await client.threads.get(threadId)).status).toBe("interrupted");
});

test("assistants are the graphs; their graph and schemas are served", async () => {
  const client = server().client();
  const assistants = await client.assistants.search();
  expect(assistants.map((assistant) => assistant.assistant_id).sort()).toEqual([
    "deadline",
    "echo",
    "effects",
    "expense-approval",
    "nested",
    "slow",
    "transfer",
  ]);
  const graph = await client.assistants.getGraph("expense-approval");
  expect(graph.nodes.map((node) => node.id)).toContain("manager_approval");
  expect(graph.edges).toContainEqual({ source: "pay", target: "notify", conditional: false });
  const schemas = await client.assistants.getSchemas("slow");
  expect(schemas.state_schema).toMatchObject({
    type: "object",
    properties: { ms: { type: "number" } },
  });
});

test("errors are JSON with a code: unknown endpoint 404, unknown assistant 404, bad body 400", async () => {
  const { url } = server();
  const missing = await fetch(`${url}/crons/search`, { method: "POST" });
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: "ENDPOINT_NOT_FOUND" });
  const { thread_id: threadId } = await server().client().threads.create();
  const unknown = await fetch(`${url}/threads/${threadId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ assistant_id: "nope" }),
  });
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toMatchObject({ error: "ASSISTANT_NOT_FOUND" });
  const bad = await fetch(`${url}/threads/${threadId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ assistant_id: "slow", stream_mode: "telepathy" }),
  });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: "INVALID_REQUEST" });
  const noCors = await fetch(`${url}/ok`, { headers: { origin: "https://evil.example" } });
  expect(noCors.headers.get("access-control-allow-origin")).toBeNull();
});

test("messages travel as plain dicts, as LangGraph's server sends them; custom events stream", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const parts = await collect(
    client.runs.stream(threadId, "echo", {
      input: { messages: [{ type: "human", content: "hi", id: "q-1" }] },
      streamMode: ["values", "custom"],
    }),
  );
  expect(parts.find((part) => part.event === "custom")?.data).toEqual({ progress: "replying" });
  const last = parts.filter((part) => part.event === "values").at(-1)?.data as {
    messages: Array<Record<string, unknown>>;
  };
  expect(last.messages.map(({ type, content, id }) => ({ type, content, id }))).toEqual([
    { type: "human", content: "hi", id: "q-1" },
    { type: "ai", content: "echo: hi", id: "reply-1" },
  ]);
  const state = await client.threads.getState(threadId);
  expect(state.values).toEqual(last);
});

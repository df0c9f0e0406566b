// approval() interrupts as Agent Chat UI renders them (its approve / edit / reject card), through a
// real `switchyard serve` and LangGraph's SDK: the interrupt value carries action_requests and
// review_configs; `{ decisions: [...] }` resumes map onto the typed answer; a bad one is a 400.
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile();

async function failure(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    const { status, text } = error as { status: number; text: string };
    return { status, body: JSON.parse(text) as unknown };
  }
  throw new Error("expected the request to fail");
}

const card = {
  question: "Send 120 to ann?",
  to: "ann",
  amount: 120,
  action_requests: [
    {
      name: "confirm",
      args: { question: "Send 120 to ann?", to: "ann", amount: 120 },
      description: "Send 120 to ann?",
    },
  ],
  review_configs: [{ action_name: "confirm", allowed_decisions: ["approve", "edit", "reject"] }],
};

test("an editable approval is served as a review card everywhere; an edit resumes it with the new arguments", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const streamed = [];
  for await (const part of client.runs.stream(threadId, "transfer", {
    input: { to: "ann", amount: 120 },
    streamMode: ["values", "updates"],
  })) {
    streamed.push(part);
  }
  const interrupt = streamed.filter((part) => part.event === "values").at(-1)?.data as {
    __interrupt__: Array<{ id: string; value: unknown }>;
  };
  expect(interrupt.__interrupt__).toMatchObject([{ value: card }]);
  expect(interrupt.__interrupt__[0]?.value).toEqual(card);
  const update = streamed.find(
    (part) => part.event === "updates" && "__interrupt__" in (part.data as object),
  );
  expect(update?.data).toEqual(interrupt);
  const id = interrupt.__interrupt__[0]?.id as string;

  const state = await client.threads.getState(threadId);
  expect(state.tasks[0]?.interrupts).toEqual([{ id, value: card }]);
  const thread = await client.threads.get(threadId);
  expect(Object.values(thread.interrupts).flat()).toEqual([{ id, value: card }]);

  const edited = await client.runs.wait(threadId, "transfer", {
    command: {
      resume: {
        decisions: [
          { type: "edit", edited_action: { name: "confirm", args: { to: "bob", amount: 80 } } },
        ],
      },
    },
  });
  expect(edited).toEqual({ to: "bob", amount: 80, status: "sent" });
});

test("decisions approve and reject map onto { approved, comment }; the map form by interrupt id works too", async () => {
  const client = server().client();
  const approve = await client.threads.create();
  const first = (await client.runs.wait(approve.thread_id, "transfer", {
    input: { to: "ann", amount: 5 },
  })) as { __interrupt__: Array<{ id: string }> };
  const id = first.__interrupt__[0]?.id as string;
  expect(
    await client.runs.wait(approve.thread_id, "transfer", {
      command: { resume: { [id]: { decisions: [{ type: "approve" }] } } },
    }),
  ).toEqual({ to: "ann", amount: 5, status: "sent" });

  const reject = await client.threads.create();
  await client.runs.wait(reject.thread_id, "transfer", { input: { to: "eve", amount: 9000 } });
  expect(
    await client.runs.wait(reject.thread_id, "transfer", {
      command: { resume: { decisions: [{ type: "reject", message: "not a customer" }] } },
    }),
  ).toEqual({ to: "eve", amount: 9000, status: "refused", comment: "not a customer" });

  // LangChain's JS types spell it editedAction.
  const camel = await client.threads.create();
  await client.runs.wait(camel.thread_id, "transfer", { input: { to: "ann", amount: 7 } });
  expect(
    await client.runs.wait(camel.thread_id, "transfer", {
      command: {
        resume: {
          decisions: [{ type: "edit", editedAction: { name: "confirm", args: { amount: 6 } } }],
        },
      },
    }),
  ).toEqual({ to: "ann", amount: 6, status: "sent" });
});

test("an invalid decision is a 400 INVALID_RESUME with zod's account; the thread keeps waiting", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "transfer", { input: { to: "ann", amount: 120 } });

  const unknownType = await failure(
    client.runs.wait(threadId, "transfer", {
      command: { resume: { decisions: [{ type: "respond", message: "maybe" }] } },
    }),
  );
  expect(unknownType.status).toBe(400);
  expect(unknownType.body).toMatchObject({ error: "INVALID_RESUME" });
  expect((unknownType.body as { message: string }).message).toMatch(/decisions\[0\]\.type|type/);
  expect((unknownType.body as { message: string }).message).toContain("still waiting");

  const noArgs = await failure(
    client.runs
      .stream(threadId, "transfer", {
        command: { resume: { decisions: [{ type: "edit", edited_action: { name: "confirm" } }] } },
      })
      .next(),
  );
  expect(noArgs.status).toBe(400);
  expect((noArgs.body as { message: string }).message).toMatch(/edited_action\.args/);

  const wrongAnswer = await failure(
    client.runs.create(threadId, "transfer", { command: { resume: { approved: "yes" } } }),
  );
  expect(wrongAnswer.status).toBe(400);
  expect((wrongAnswer.body as { message: string }).message).toMatch(/approved/);

  expect((await client.threads.get(threadId)).status).toBe("interrupted");
  expect(await client.runs.list(threadId)).toHaveLength(1);
  expect((await client.threads.getState(threadId)).tasks[0]?.interrupts).toHaveLength(1);
});

test("a plain approval() offers approve and reject only; an edit of it is refused", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const claim = {
    id: "c-9",
    employee: "ann",
    amount: 900,
    currency: "EUR",
    category: "travel",
    description: "train",
  };
  const paused = (await client.runs.wait(threadId, "expense-approval", { input: { claim } })) as {
    __interrupt__: Array<{ value: { question: string; review_configs: unknown } }>;
  };
  expect(paused.__interrupt__[0]?.value).toMatchObject({
    question: "Approve 900 EUR for ann?",
    action_requests: [
      { name: "manager_approval", args: { claim }, description: "Approve 900 EUR for ann?" },
    ],
    review_configs: [{ action_name: "manager_approval", allowed_decisions: ["approve", "reject"] }],
  });
  const edit = await failure(
    client.runs.wait(threadId, "expense-approval", {
      command: {
        resume: { decisions: [{ type: "edit", edited_action: { name: "x", args: {} } }] },
      },
    }),
  );
  expect(edit.status).toBe(400);
  expect((edit.body as { message: string }).message).toContain("cannot be edited");
  const done = (await client.runs.wait(threadId, "expense-approval", {
    command: { resume: { decisions: [{ type: "approve" }] } },
  })) as { status: string };
  expect(done.status).toBe("paid");
});

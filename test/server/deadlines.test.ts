// The server applies passed deadlines itself: nobody runs a command, the thread moves on.
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ args: ["--sweep-every", "0.2"] });

test("an interrupt whose deadline passes is answered with its onTimeout by the server", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const paused = await client.runs.wait(threadId, "deadline", { input: { seconds: 0.5 } });
  expect(paused).toHaveProperty("__interrupt__");
  const deadline = Date.now() + 15_000;
  let thread = await client.threads.get(threadId);
  while (thread.status === "interrupted" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    thread = await client.threads.get(threadId);
  }
  expect(thread).toMatchObject({ status: "idle", values: { answer: "no answer" } });
  expect(server().output()).toMatch(/deadline of interrupt \w+ on thread \S+ \(deadline\) applied/);
});

// A child program for durable-steps.test.ts: START -> notify -> END on a SQLite file, where
// `notify` sends an email in a durable step, then waits for a human.
//
//   node --import tsx test/crash/email-graph.ts <dbPath> <logPath> <threadId> <start|resume|answer> [leaseMs]
//
// The email step appends `email <threadId>` to the log (the side effect to count); once the step
// has returned, and so is recorded, the node logs `recorded <threadId>`. In `start` mode it then
// sleeps for a minute, for the parent to kill it there. `resume` continues the thread with null
// (the node runs again and stops at its interrupt); `answer` resumes the interrupt with "ok".
import { z } from "zod";
import { append, Command, END, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { childArgs, logLine, runChild, signalReady } from "./child.js";

const args = childArgs(["start", "resume", "answer"]);

const graph = new StateGraph(z.object({ log: append(z.string()) }))
  .addNode("notify", async (_, ctx) => {
    const messageId = await ctx.step("email", () => {
      logLine(args.logPath, `email ${args.threadId}`);
      return `msg-${args.threadId}`;
    });
    logLine(args.logPath, `recorded ${args.threadId}`);
    if (args.mode === "start") await new Promise((resolve) => setTimeout(resolve, 60_000));
    const answer = ctx.interrupt<string>({ sent: messageId });
    return { log: [messageId, answer] };
  })
  .addEdge(START, "notify")
  .addEdge("notify", END);

await runChild(async () => {
  const checkpointer = new SqliteCheckpointer(args.dbPath, { leaseMs: args.leaseMs });
  const compiled = graph.compile({ checkpointer, name: "email" });
  await signalReady();
  const config = { configurable: { thread_id: args.threadId } };
  const input =
    args.mode === "start"
      ? { log: "in" }
      : args.mode === "resume"
        ? null
        : new Command({ resume: "ok" });
  const state = await compiled.invoke(input, config);
  checkpointer.close();
  return state;
});

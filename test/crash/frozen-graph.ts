// A child program for exactly-once.test.ts: START -> pay -> END on a SQLite file, where `pay`
// logs `entered`, waits until the file `<logPath>.go` exists, then charges in a durable step.
//
//   node --import tsx test/crash/frozen-graph.ts <dbPath> <logPath> <threadId> start <leaseMs>
//
// The parent freezes the child (SIGSTOP) while it waits, lets its lease expire and takes the
// thread over, creates the go file and continues the child (SIGCONT). The charge appends
// `charged <threadId>` to the log: the side effect that must not happen once the lease is lost.
import { existsSync } from "node:fs";
import { z } from "zod";
import { append, END, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { childArgs, logLine, runChild, signalReady } from "./child.js";

const args = childArgs(["start"]);

const graph = new StateGraph(z.object({ log: append(z.string()) }))
  .addNode("pay", async (_, ctx) => {
    logLine(args.logPath, `entered ${args.threadId}`);
    while (!existsSync(`${args.logPath}.go`)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const receipt = await ctx.step("charge", () => {
      logLine(args.logPath, `charged ${args.threadId}`);
      return `receipt-${args.threadId}`;
    });
    return { log: receipt };
  })
  .addEdge(START, "pay")
  .addEdge("pay", END);

await runChild(async () => {
  const checkpointer = new SqliteCheckpointer(args.dbPath, { leaseMs: args.leaseMs });
  const compiled = graph.compile({ checkpointer, name: "frozen" });
  await signalReady();
  const state = await compiled.invoke(
    { log: "in" },
    { configurable: { thread_id: args.threadId } },
  );
  checkpointer.close();
  return state;
});

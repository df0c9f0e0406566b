// A child program for two-processes.test.ts: START -> prep -> slow -> END on a SQLite file, with a
// static breakpoint before `slow`, which takes about a second.
//
//   node --import tsx test/crash/slow-graph.ts <dbPath> <logPath> <threadId> <prepare|resume> [leaseMs]
//
// `prepare` runs the input up to the breakpoint; `resume` invokes with null, which runs `slow`.
// Each node logs `start <node>` when it begins.
import { z } from "zod";
import { append, END, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { childArgs, logLine, runChild, signalReady } from "./child.js";

const args = childArgs(["prepare", "resume"]);

const graph = new StateGraph(z.object({ tasks: append(z.string()) }))
  .addNode("prep", () => {
    logLine(args.logPath, "start prep");
    return { tasks: "prep" };
  })
  .addNode("slow", async () => {
    logLine(args.logPath, "start slow");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { tasks: "slow" };
  })
  .addEdge(START, "prep")
  .addEdge("prep", "slow")
  .addEdge("slow", END);

await runChild(async () => {
  const checkpointer = new SqliteCheckpointer(args.dbPath, { leaseMs: args.leaseMs });
  const compiled = graph.compile({ checkpointer, interruptBefore: ["slow"], name: "slow" });
  await signalReady();
  const config = { configurable: { thread_id: args.threadId } };
  const state = await compiled.invoke(args.mode === "prepare" ? { tasks: "input" } : null, config);
  checkpointer.close();
  return state;
});

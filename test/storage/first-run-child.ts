// A child program for graph-binding.test.ts: the FIRST run of a thread, START -> prep -> slow ->
// END on a SQLite file, where `slow` waits until the process is killed. Each node logs
// `start <node>` when it begins.
//
//   node --import tsx test/storage/first-run-child.ts <dbPath> <logPath> <threadId> first
import { z } from "zod";
import { append, END, SqliteCheckpointer, START, StateGraph } from "../../src/index.js";
import { childArgs, logLine, runChild, signalReady } from "../crash/child.js";

const args = childArgs(["first"]);

const graph = new StateGraph(z.object({ tasks: append(z.string()) }))
  .addNode("prep", () => {
    logLine(args.logPath, "start prep");
    return { tasks: "prep" };
  })
  .addNode("slow", async () => {
    logLine(args.logPath, "start slow");
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    return { tasks: "slow" };
  })
  .addEdge(START, "prep")
  .addEdge("prep", "slow")
  .addEdge("slow", END);

await runChild(async () => {
  const checkpointer = new SqliteCheckpointer(args.dbPath);
  const compiled = graph.compile({ checkpointer, name: "first-run" });
  await signalReady();
  return compiled.invoke({ tasks: "input" }, { configurable: { thread_id: args.threadId } });
});

// A child process of the lease race: answers every waiting approval of the given threads as
// `name`, through its own PostgresCheckpointer (its own pool), and reports per thread whether it
// won ("won") or what refused it (an error code).
// Usage: racer.ts <url> <schema> <name> <threads>
import { Command, PostgresCheckpointer, SwitchyardError } from "../../../src/index.js";
import { runChild, signalReady } from "../../crash/child.js";
import { approvalGraph, threadIds } from "./approval-graph.js";

const [url, schema, name, count] = process.argv.slice(2) as [string, string, string, string];

await runChild(async () => {
  const checkpointer = new PostgresCheckpointer(url, { schema, max: 2 });
  const graph = approvalGraph().compile({ checkpointer, name: "booking" });
  await signalReady();
  const results: Record<string, string> = {};
  try {
    for (const threadId of threadIds(Number(count))) {
      try {
        await graph.invoke(new Command({ resume: { approved: true, comment: name } }), {
          configurable: { thread_id: threadId, actor: name },
        });
        results[threadId] = "won";
      } catch (error) {
        if (!(error instanceof SwitchyardError)) throw error;
        results[threadId] = error.code;
      }
    }
  } finally {
    await checkpointer.close();
  }
  return results;
});

// The README's main job until the CLI lands: runs graphs/expense-approval.ts on two claims, one
// that is paid straight away and one that pauses for a manager, who then approves it. Threads are
// checkpointed to the embedded SQLite default, checkpoints/switchyard.db (SWITCHYARD_DB overrides).
import { Command, SqliteCheckpointer, SwitchyardError } from "../src/index.js";
import type { z } from "zod";
import { buildGraph, type Claim } from "../graphs/expense-approval.js";

const graph = buildGraph().compile({
  checkpointer: new SqliteCheckpointer(process.env.SWITCHYARD_DB ?? "checkpoints/switchyard.db"),
  name: "expense-approval",
});

async function run(threadId: string, claim: z.input<typeof Claim>): Promise<void> {
  const config = { configurable: { thread_id: threadId } };
  console.log(`\n▶ thread ${threadId}: claim ${JSON.stringify(claim)}`);
  for await (const chunk of graph.stream({ claim }, { ...config, streamMode: "updates" })) {
    for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
      if (node !== "__interrupt__") console.log(`  ✓ ${node}`, JSON.stringify(update));
    }
  }
  let state = await graph.getState(config);
  const waiting = state.tasks.flatMap((task) => task.interrupts);
  for (const pending of waiting) {
    console.log(
      `  ⏸ paused at ${pending.node}: waiting for a manager's decision (interrupt ${pending.id})`,
    );
    console.log(`    ${JSON.stringify(pending.value)}`);
    const manager = { configurable: { ...config.configurable, actor: "dana (manager)" } };
    for await (const chunk of graph.stream(new Command({ resume: { approved: true } }), manager)) {
      for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
        console.log(`  ✓ ${node}`, JSON.stringify(update));
      }
    }
    console.log(
      `  ✎ approved by dana (manager): ${JSON.stringify(await graph.getAuditLog(threadId))}`,
    );
    state = await graph.getState(config);
  }
  console.log(
    `  ■ final status: ${state.values.status} (thread ${threadId} in ${graph.checkpointer?.constructor.name})`,
  );
  for (const line of state.values.log) console.log(`    · ${line}`);
}

const runId = new Date().toISOString().replace(/[-:.TZ]/g, "");
try {
  await run(`claim-1-${runId}`, {
    id: "C-1",
    employee: "ana",
    amount: 120,
    currency: "EUR",
    category: "meals",
    description: "team lunch",
  });
  await run(`claim-2-${runId}`, {
    id: "C-2",
    employee: "ben",
    amount: 1800,
    currency: "EUR",
    category: "travel",
    description: "conference trip",
  });
} catch (error) {
  if (error instanceof SwitchyardError) {
    console.error(`error ${error.code}: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

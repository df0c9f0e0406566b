import { Command } from "../index.js";
import type { RunPlan } from "../server/index.js";

/**
 * The plan of a run that an earlier attempt already started (a worker killed or drained mid-run):
 * re-sending its input would start the graph over on top of what it did, so once the attempt left
 * a trace the run continues from the thread's latest checkpoint instead (input null), reusing the
 * tasks that finished and the ctx.step results they recorded. The trace is a checkpoint written
 * by this run (its metadata carries the run id), or, for `Command({ resume })`, an answer already
 * recorded (nothing waits any more). A run that left no trace starts as planned.
 */
export async function continuedPlan(plan: RunPlan): Promise<RunPlan> {
  const { threadId, runId } = plan.record;
  const snapshot = await plan.graph.getState({ configurable: { thread_id: threadId } });
  const started = snapshot.metadata?.run_id === runId;
  const answered =
    plan.input instanceof Command &&
    plan.input.resume !== undefined &&
    !snapshot.tasks.some((task) => task.interrupts.length > 0);
  if (!started && !answered) return plan;
  // From the latest checkpoint, not the one the run was first asked to start from.
  const configurable = { ...plan.config.configurable };
  delete configurable.checkpoint_id;
  return { ...plan, input: null, config: { ...plan.config, configurable } };
}

import { START } from "../graph/constants.js";
import type { Checkpointer, CheckpointTuple } from "../checkpoint/types.js";
import { AmbiguousUpdateError, UnknownNodeError } from "../errors.js";
import { applyStep, orderPlan } from "../runtime/apply.js";
import { saveKeepingInterrupts } from "./carry.js";
import type { RunContext } from "../runtime/run-context.js";
import { routerContext } from "../runtime/run-context.js";
import type { PendingTask, RunState } from "../runtime/run-state.js";
import { routeAfter } from "../runtime/route.js";
import { parseNodeResult, type TaskOutput } from "../runtime/writes.js";

/**
 * Writes `values` as if `asNode` had returned them: validated like a node's update, folded through
 * the reducers, in a checkpoint with source "update" whose plan is what would run after that node.
 * Tasks of other nodes that were waiting stay planned, and keep the interrupts they wait on (see
 * saveKeepingInterrupts). Returns the new checkpoint's id.
 */
export async function writeUpdate(
  run: RunContext,
  state: RunState,
  pending: ReadonlyMap<string, PendingTask>,
  values: unknown,
  asNode: string | undefined,
): Promise<string> {
  const { spec } = run;
  const node =
    asNode ?? (await lastNode(run.checkpointer as Checkpointer, run.threadId as string, state));
  if (node !== START && !spec.nodes.has(node)) {
    throw new UnknownNodeError(node, "updateState(config, values, asNode)", [...spec.nodes.keys()]);
  }
  const parsed = parseNodeResult(node, values, spec.channels);
  const ctx = routerContext(run, node, state);
  const goto = await routeAfter(node, parsed.writes, parsed.goto, state.values, ctx, spec);
  const step = state.step + 1;
  const output: TaskOutput = { writes: parsed.writes, goto, update: values };
  const applied = applyStep(spec, state.values, state.barriers, [node], [output], step);
  const waiting = state.next.filter((task) => task.node !== node);
  const next = orderPlan([
    ...waiting,
    ...applied.next.filter((task) => !waiting.some((w) => w.node === task.node && !task.send)),
  ]);
  const saved = await saveKeepingInterrupts(
    run,
    state,
    pending,
    {
      source: "update",
      step,
      values: applied.values,
      updates: applied.updates,
      next,
      barriers: applied.barriers,
      metadata: run.config.metadata,
    },
    `updateState as node "${node}"`,
  );
  return (saved.state.checkpoint as CheckpointTuple["checkpoint"]).id;
}

/** The node that produced the checkpoint: the single node its parent planned, or START. */
async function lastNode(
  checkpointer: Checkpointer,
  threadId: string,
  state: RunState,
): Promise<string> {
  const checkpoint = state.checkpoint;
  if (!checkpoint || checkpoint.source === "input" || checkpoint.parentId === undefined)
    return START;
  const parent = await checkpointer.getTuple(threadId, checkpoint.parentId);
  const ran = [...new Set(parent?.checkpoint.next.map((task) => task.node) ?? [])];
  if (ran.length === 1) return ran[0] as string;
  if (ran.length === 0) return START;
  throw new AmbiguousUpdateError(ran);
}

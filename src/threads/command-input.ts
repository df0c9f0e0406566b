import { START, type Command } from "../graph/constants.js";
import { applyStep, orderPlan } from "../runtime/apply.js";
import { routerContext, type RunContext } from "../runtime/run-context.js";
import type { PendingTask, RunState } from "../runtime/run-state.js";
import { routeAfter } from "../runtime/route.js";
import { parseInput, type TaskOutput } from "../runtime/writes.js";
import { saveKeepingInterrupts } from "./carry.js";

/** Where a resumed run starts: the state, what its tasks left, and the answers by task id. */
export interface ResumeStart {
  readonly state: RunState;
  readonly pending: ReadonlyMap<string, PendingTask>;
  readonly answers: ReadonlyMap<string, unknown>;
}

/**
 * `Command({ resume, update, goto })` as run input, as LangGraph applies it: the update is written
 * first (validated like input) and the goto targets join the waiting superstep, in one checkpoint
 * that keeps every waiting interrupt; then the interrupted tasks re-run with their answers and see
 * the updated state. Without update or goto, nothing is written before the superstep runs.
 */
export async function startResume(
  run: RunContext,
  state: RunState,
  pending: ReadonlyMap<string, PendingTask>,
  command: Command<unknown>,
  answers: ReadonlyMap<string, unknown>,
): Promise<ResumeStart> {
  if (command.update === undefined && command.goto.length === 0) {
    return { state, pending, answers };
  }
  const { spec } = run;
  const writes = parseInput(command.update ?? {}, spec.channels);
  const ctx = routerContext(run, START, state);
  const goto = await routeAfter("", writes, [...command.goto], state.values, ctx, spec);
  const output: TaskOutput = { writes, goto, update: command.update };
  const step = state.step + 1;
  const applied = applyStep(spec, state.values, {}, [START], [output], step);
  const carried = await saveKeepingInterrupts(
    run,
    state,
    pending,
    {
      source: "update",
      step,
      values: applied.values,
      updates: applied.updates,
      next: orderPlan([...state.next, ...applied.next]),
      barriers: state.barriers,
      metadata: run.config.metadata,
    },
    "Command({ resume, update })",
    { keepFinished: true },
  );
  const renamedAnswers = new Map<string, unknown>();
  for (const [taskId, value] of answers) {
    renamedAnswers.set(carried.renamed.get(taskId) ?? taskId, value);
  }
  return { state: carried.state, pending: carried.pending, answers: renamedAnswers };
}

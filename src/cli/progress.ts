import type { CompiledGraph, RunConfig, StateSnapshot, ThreadUsage } from "../index.js";
import type { CliContext } from "./context.js";
import { EXIT, RunFailed } from "./errors.js";
import { indent } from "./format.js";
import { adviseMessage } from "./report.js";
import { textOf } from "./printable.js";
import { schemaText } from "./schema-text.js";
import { cancelOnSignal } from "./signals.js";

interface DebugEvent {
  type: "task" | "task_result" | "checkpoint";
  timestamp: string;
  step: number;
  payload: { id?: string; name?: string };
}

/**
 * Runs `input` (an input object, null, or a Command) on the thread, printing each node as it starts
 * and finishes (✓) or fails (✗), grouped by superstep, then the outcome: the final state, or what
 * waits for a decision and the command that continues. Returns the exit code; a run that stops on a
 * failed node prints its outcome and throws RunFailed around the engine's error. Ctrl-C (SIGINT) or
 * SIGTERM cancels the run (see cancelOnSignal). `header` (e.g. who answers what) is printed once the
 * engine has accepted the input, before the first progress line, so a refused answer is not
 * announced as given.
 */
export async function runWithProgress(
  ctx: CliContext,
  graph: CompiledGraph<never>,
  input: unknown,
  config: RunConfig & { configurable: { thread_id: string } },
  header?: string,
): Promise<number> {
  const threadId = config.configurable.thread_id;
  const open = new Set<string>();
  try {
    await cancelOnSignal((signal) =>
      printProgress(
        ctx,
        graph.stream(input as never, { ...config, signal, streamMode: "debug" }),
        header,
        open,
      ),
    );
  } catch (error) {
    const state = await graph
      .getState({ configurable: { thread_id: threadId } })
      .catch(() => undefined);
    const failed = state ? failuresOf(state) : [];
    if (!state || failed.length === 0) throw error;
    if (!ctx.json) {
      for (const task of failed) {
        if (open.has(task.id)) ctx.out(`  ✗ ${task.name} failed: ${task.error}`);
      }
    }
    printState(ctx, graph.name, threadId, state, undefined);
    throw new RunFailed(error);
  }
  return printOutcome(ctx, graph, threadId);
}

/** Prints each node as it starts and finishes, grouped by superstep; `open` holds running tasks. */
async function printProgress(
  ctx: CliContext,
  stream: AsyncIterable<unknown>,
  header: string | undefined,
  open: Set<string>,
): Promise<void> {
  const started = new Map<string, number>();
  let step: number | undefined;
  let announced = header === undefined || ctx.json;
  const announce = (): void => {
    if (!announced) ctx.out(header as string);
    announced = true;
  };
  for await (const chunk of stream) {
    announce();
    const event = chunk as DebugEvent;
    if (ctx.json || event.type === "checkpoint") continue;
    const name = event.payload.name ?? "?";
    const id = event.payload.id ?? name;
    if (event.step !== step) {
      step = event.step;
      ctx.out(`superstep ${step}`);
    }
    if (event.type === "task") {
      started.set(id, Date.parse(event.timestamp));
      open.add(id);
      ctx.out(`  ▸ ${name}`);
    } else {
      open.delete(id);
      const begun = started.get(id) ?? Date.parse(event.timestamp);
      ctx.out(`  ✓ ${name} (${Date.parse(event.timestamp) - begun} ms)`);
    }
  }
  announce();
}

/** Prints where the thread stands; returns the exit code its status calls for. */
export async function printOutcome(
  ctx: CliContext,
  graph: CompiledGraph<never>,
  threadId: string,
  usage?: ThreadUsage,
): Promise<number> {
  const state = await graph.getState({ configurable: { thread_id: threadId } });
  const status = printState(ctx, graph.name, threadId, state, usage);
  if (status === "failed") return EXIT.failed;
  if (status === "done") return EXIT.done;
  return ctx.exitCodes ? EXIT.paused : EXIT.done;
}

export type ThreadStatus = "done" | "waiting" | "paused" | "failed";

/** done, waiting (interrupts), failed (a task's last attempt failed) or paused (nodes to run). */
export function statusOf(state: StateSnapshot<unknown>): ThreadStatus {
  if (state.tasks.some((task) => task.interrupts.length > 0)) return "waiting";
  if (failuresOf(state).length > 0) return "failed";
  return state.next.length > 0 ? "paused" : "done";
}

/** The tasks whose last attempt failed, each with `CODE: message` (advice in CLI terms). */
function failuresOf(
  state: StateSnapshot<unknown>,
): Array<{ id: string; name: string; error: string }> {
  const threadId = state.config.configurable.thread_id;
  return state.tasks.flatMap((task) => {
    if (!task.error) return [];
    const { code, name, message } = task.error;
    const advised = adviseMessage(code, message, { threadId });
    return [{ id: task.id, name: task.name, error: `${code ?? name}: ${advised}` }];
  });
}

function printState(
  ctx: CliContext,
  graphName: string,
  threadId: string,
  state: StateSnapshot<unknown>,
  usage: ThreadUsage | undefined,
): ThreadStatus {
  const status = statusOf(state);
  const waiting = state.tasks.flatMap((task) => task.interrupts);
  const failed = state.tasks.flatMap((task) =>
    task.error ? [{ node: task.name, error: task.error }] : [],
  );
  ctx.print(
    {
      threadId,
      graph: graphName,
      status,
      values: state.values,
      next: state.next,
      interrupts: waiting,
      ...(failed.length > 0 ? { failed } : {}),
      ...(usage ? { usage } : {}),
    },
    () => {
      const lines = [`thread ${threadId}: ${status}`, "state:", indent(textOf(state.values))];
      if (state.next.length > 0) lines.push(`next: ${state.next.join(", ")}`);
      if (usage) lines.push(...usageLines(usage));
      for (const task of failuresOf(state)) lines.push(`  ✗ ${task.name}: ${task.error}`);
      if (status === "failed" || status === "paused") {
        const fix = status === "failed" ? "   (after fixing the cause)" : "";
        lines.push(`continue: npx switchyard continue ${threadId}${fix}`);
      }
      if (waiting.length === 0) return lines.join("\n");
      for (const pending of waiting) {
        lines.push(`  ⏸ ${pending.node} waits for a decision (interrupt ${pending.id})`);
        lines.push(indent(textOf(pending.value), "      "));
        if (pending.expects) lines.push(`      expects: ${schemaText(pending.expects)}`);
        if (pending.deadline) lines.push(`      deadline: ${pending.deadline}`);
      }
      const only = waiting.length === 1 ? "" : ` --interrupt ${waiting[0]?.id}`;
      lines.push(
        `answer:  npx switchyard resume ${threadId}${only} --value JSON [--as NAME]`,
        `or, for an approval:`,
        `         npx switchyard approve ${threadId}${only} [--comment TEXT] [--as NAME]`,
        `         npx switchyard reject ${threadId}${only} --comment TEXT [--as NAME]`,
        `inbox:   npx switchyard inbox   (everything waiting, across threads)`,
      );
      return lines.join("\n");
    },
  );
  return status;
}

/** `show`'s lines about model usage: tokens (and cost) in total, and each thread budget. */
function usageLines(usage: ThreadUsage): string[] {
  const { input_tokens, output_tokens, cost } = usage.total;
  if (input_tokens + output_tokens === 0 && !usage.budget) return [];
  const priced = cost === undefined ? "" : `, cost ${round(cost)}`;
  const lines = [`usage: ${input_tokens} input + ${output_tokens} output tokens${priced}`];
  for (const limit of usage.budget ?? []) {
    const left = round(limit.limit - limit.spent);
    const state = left < 0 ? `exceeded by ${round(-left)}` : `${left} left`;
    lines.push(
      `budget: ${limit.scope} ${limit.measure} ${round(limit.spent)} of ${limit.limit} (${state})`,
    );
  }
  return lines;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

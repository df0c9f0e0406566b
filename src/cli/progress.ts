import type { CompiledGraph, RunConfig } from "../index.js";
import type { CliContext } from "./context.js";
import { EXIT } from "./errors.js";
import { indent } from "./format.js";
import { cancelOnSignal } from "./signals.js";

interface DebugEvent {
  type: "task" | "task_result" | "checkpoint";
  timestamp: string;
  step: number;
  payload: { id?: string; name?: string };
}

/**
 * Runs `input` (an input object, null, or a Command) on the thread, printing each node as it starts
 * and finishes, grouped by superstep, then the outcome: the final state, or what waits for a
 * decision and the command that continues. Returns the exit code (0 done, 3 waiting).
 * `header` (e.g. who answers what) is printed once the engine has accepted the input, before the
 * first progress line, so a refused answer is not announced as given.
 */
export async function runWithProgress(
  ctx: CliContext,
  graph: CompiledGraph<never>,
  input: unknown,
  config: RunConfig & { configurable: { thread_id: string } },
  header?: string,
): Promise<number> {
  const threadId = config.configurable.thread_id;
  await cancelOnSignal((signal) =>
    printProgress(
      ctx,
      graph.stream(input as never, { ...config, signal, streamMode: "debug" }),
      header,
    ),
  );
  return printOutcome(ctx, graph, threadId);
}

/** Prints each node as it starts and finishes, grouped by superstep. */
async function printProgress(
  ctx: CliContext,
  stream: AsyncIterable<unknown>,
  header: string | undefined,
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
    if (event.step !== step) {
      step = event.step;
      ctx.out(`superstep ${step}`);
    }
    if (event.type === "task") {
      started.set(event.payload.id ?? name, Date.parse(event.timestamp));
      ctx.out(`  ▸ ${name}`);
    } else {
      const begun = started.get(event.payload.id ?? name) ?? Date.parse(event.timestamp);
      ctx.out(`  ✓ ${name} (${Date.parse(event.timestamp) - begun} ms)`);
    }
  }
  announce();
}

/** Prints where the thread stands; returns 3 when it waits for a decision, else 0. */
export async function printOutcome(
  ctx: CliContext,
  graph: CompiledGraph<never>,
  threadId: string,
): Promise<number> {
  const state = await graph.getState({ configurable: { thread_id: threadId } });
  const waiting = state.tasks.flatMap((task) => task.interrupts);
  const status = waiting.length > 0 ? "waiting" : state.next.length > 0 ? "paused" : "done";
  ctx.print(
    {
      threadId,
      graph: graph.name,
      status,
      values: state.values,
      next: state.next,
      interrupts: waiting,
    },
    () => {
      const lines = [`thread ${threadId}: ${status}`];
      if (waiting.length === 0) {
        lines.push(indent(JSON.stringify(state.values, null, 2)));
        if (state.next.length > 0) {
          lines.push(
            `next: ${state.next.join(", ")}`,
            `continue: npx switchyard continue ${threadId}`,
          );
        }
        return lines.join("\n");
      }
      for (const pending of waiting) {
        lines.push(`  ⏸ ${pending.node} waits for a decision (interrupt ${pending.id})`);
        lines.push(indent(JSON.stringify(pending.value, null, 2), "      "));
      }
      const only = waiting.length === 1 ? "" : ` --interrupt ${waiting[0]?.id}`;
      lines.push(
        `answer:  npx switchyard resume ${threadId}${only} --value JSON [--as NAME]`,
        `or, for an approval:`,
        `         npx switchyard approve ${threadId}${only} [--comment TEXT] [--as NAME]`,
        `         npx switchyard reject ${threadId}${only} --comment TEXT [--as NAME]`,
      );
      return lines.join("\n");
    },
  );
  return waiting.length > 0 || state.next.length > 0 ? EXIT.paused : EXIT.done;
}

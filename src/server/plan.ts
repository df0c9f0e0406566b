import { Command, type CompiledGraph, type RunConfig, type RunRecord } from "../index.js";

/** Everything one run needs, decided from its record: the same in the server and in a worker. */
export interface RunPlan {
  readonly record: RunRecord;
  readonly graph: CompiledGraph<never>;
  /** An input object, a Command, or null to continue. */
  readonly input: unknown;
  readonly config: RunConfig;
  /** The stream modes the client asked for, by their wire names. */
  readonly streamModes: readonly string[];
}

/** The request as the route stores it in `RunRecord.kwargs`. */
interface RunKwargs {
  input?: Record<string, unknown> | null;
  command?: { resume?: unknown; update?: Record<string, unknown> | null; goto?: unknown } | null;
  config?: { configurable?: Record<string, unknown> };
  stream_mode?: readonly string[];
  interrupt_before?: "*" | readonly string[] | null;
  interrupt_after?: "*" | readonly string[] | null;
}

/**
 * Rebuilds the run from its record: the graph's input (a Command for `command`), its config
 * (configurable, breakpoints, `metadata.run_id` on its checkpoints) and the stream modes. A run
 * recorded by one process is executed by another (a worker) from this alone.
 */
export function planOfRecord(record: RunRecord, graph: CompiledGraph<never>): RunPlan {
  const kwargs = record.kwargs as RunKwargs;
  const command = kwargs.command;
  const input =
    command?.resume !== undefined
      ? new Command({ resume: command.resume })
      : command?.update || command?.goto
        ? new Command({
            update: command.update ?? undefined,
            goto: (command.goto ?? undefined) as never,
          })
        : (kwargs.input ?? null);
  const everyNode = (list: RunKwargs["interrupt_before"]) =>
    list === "*" ? [...graph.nodeNames] : (list ?? undefined);
  const interruptBefore = everyNode(kwargs.interrupt_before);
  const interruptAfter = everyNode(kwargs.interrupt_after);
  const configurable = kwargs.config?.configurable ?? { thread_id: record.threadId };
  return {
    record,
    graph,
    input,
    config: {
      configurable: { ...configurable, thread_id: record.threadId },
      metadata: { run_id: record.runId },
      ...(interruptBefore ? { interruptBefore } : {}),
      ...(interruptAfter ? { interruptAfter } : {}),
    },
    streamModes: kwargs.stream_mode ?? ["values"],
  };
}

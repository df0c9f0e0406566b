// How a run record becomes what the engine runs. A run is planned from its stored `kwargs` only,
// both when it is created and when a restarted server takes it up again, so the two cannot differ.
import { z } from "zod";
import {
  Command,
  type CompiledGraph,
  type Configurable,
  type RunConfig,
  type RunRecord,
  type StateSnapshot,
} from "../index.js";
import { runBody } from "./bodies.js";

/** Everything one run needs, decided before it starts. */
export interface RunPlan {
  readonly record: RunRecord;
  readonly graph: CompiledGraph<never>;
  /** An input object, a Command, or null to continue. */
  readonly input: unknown;
  readonly config: RunConfig;
  /** The stream modes the client asked for, by their wire names. */
  readonly streamModes: readonly string[];
  /** Also stream the events of subgraphs (`mode|namespace` events). */
  readonly subgraphs: boolean;
}

/** The part of the request a run record keeps, as `startRun` stores it in `kwargs`. */
const storedKwargs = z
  .object({
    input: runBody.shape.input,
    command: runBody.shape.command,
    config: z.object({ configurable: z.record(z.string(), z.unknown()) }).loose(),
    stream_mode: z.array(z.string()),
    stream_subgraphs: z.boolean().nullish(),
    interrupt_before: runBody.shape.interrupt_before,
    interrupt_after: runBody.shape.interrupt_after,
  })
  .loose();
export type RunKwargs = z.input<typeof storedKwargs>;

/** The engine input of a run: its resume or update Command, its input object, or null. */
function inputOf(kwargs: z.output<typeof storedKwargs>): unknown {
  const command = kwargs.command;
  if (command?.resume !== undefined) return new Command({ resume: command.resume });
  if (command?.update || command?.goto) {
    return new Command({ update: command.update ?? undefined, goto: command.goto ?? undefined });
  }
  return kwargs.input ?? null;
}

/**
 * Plans `record` on `graph`. With `continueThread` the run's input was already applied (a
 * checkpoint of the run exists): it continues from the thread's latest checkpoint instead.
 */
export function planRun(
  record: RunRecord,
  graph: CompiledGraph<never>,
  options: { continueThread?: boolean } = {},
): RunPlan {
  const kwargs = storedKwargs.parse(record.kwargs);
  const configurable = { ...kwargs.config.configurable } as Configurable;
  if (options.continueThread) delete configurable.checkpoint_id;
  const everyNode = (list: z.output<typeof storedKwargs>["interrupt_before"]) =>
    list === "*" ? [...graph.nodeNames] : (list ?? undefined);
  const interruptBefore = everyNode(kwargs.interrupt_before);
  const interruptAfter = everyNode(kwargs.interrupt_after);
  return {
    record,
    graph,
    input: options.continueThread ? null : inputOf(kwargs),
    config: {
      configurable,
      metadata: { run_id: record.runId },
      ...(interruptBefore ? { interruptBefore } : {}),
      ...(interruptAfter ? { interruptAfter } : {}),
    },
    streamModes: kwargs.stream_mode,
    subgraphs: kwargs.stream_subgraphs === true,
  };
}

/** True when the snapshot's checkpoint was written by run `runId`. */
export function writtenBy(snapshot: StateSnapshot<unknown>, runId: string): boolean {
  return snapshot.metadata?.run_id === runId;
}

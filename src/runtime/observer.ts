import type { TokenUsage } from "../graph/types.js";
import type { InterruptRecord } from "./interrupt.js";

/**
 * What the runtime tells an observer (telemetry) while a run goes. The runtime calls it only as
 * `run.observer?.…`: a run without one (no tracing SDK registered) does no extra work.
 * Implementations must not throw: an observer never changes what a run does.
 */
export interface RunObserver {
  /** A superstep of `tasks` (node names, plan order) starts. */
  superstep(step: number, tasks: readonly string[]): SuperstepObserver;
  /** A checkpoint was saved outside a superstep (a run's input, a fork, an update). */
  checkpoint(step: number, checkpointId: string, source: string): void;
}

export interface SuperstepObserver {
  /** A task of this superstep starts running (not for outputs reused from an earlier run). */
  task(id: string, node: string, resumed: boolean): TaskObserver;
  /** A finished task's output from an earlier run (or a cache) is used without running it. */
  reused(id: string, node: string, how: "pending" | "cached"): void;
  /** The superstep's checkpoint was saved. */
  checkpoint(checkpointId: string): void;
  /** The superstep ended: committed, paused on interrupts, or failed with `error`. */
  end(outcome: "committed" | "paused" | "failed", error?: unknown): void;
}

export interface TaskObserver {
  /** Runs the node's code with this task current, so graphs and model calls inside it nest. */
  within<T>(work: () => T): T;
  /** Attempt `number` failed with `error`; `retrying` when another attempt follows. */
  attemptFailed(number: number, error: unknown, retrying: boolean): void;
  /** A durable step ran, or returned its recorded result (`replayed`). */
  step(name: string, replayed: boolean): void;
  /** A model call's usage was recorded, with the model's name when known. */
  usage(usage: TokenUsage, model: string | undefined): void;
  /** The task paused on `interrupt`; returns what the stored interrupt carries to link a resume. */
  interrupted(interrupt: InterruptRecord): string | undefined;
  /** The task finished (`output` is its update) or failed. */
  end(outcome: "finished" | "failed", detail?: unknown): void;
}

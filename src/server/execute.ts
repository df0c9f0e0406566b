import type { RunStatus, StreamMode } from "../index.js";
import type { RunPlan } from "./plan.js";
import { plain, wireError } from "./wire.js";

/** How an execution ended: the run's status and what `runs.wait` answers. */
export interface Execution {
  /** `interrupted` when `signal` stopped it (at its last checkpoint). */
  readonly status: Extract<RunStatus, "success" | "error" | "interrupted">;
  readonly output: unknown;
}

/**
 * Executes the plan's graph and hands each event the client asked for to `emit` (wire mode
 * names, plain JSON data), in order: the server runs it in its own process, a worker in another.
 * At an interrupt the last `values` event is `{ __interrupt__ }`; a failure emits `error`, unless
 * `rethrow` claims it.
 */
export async function executePlan(
  plan: RunPlan,
  signal: AbortSignal,
  emit: (event: string, data: unknown) => void,
  options: { rethrow?: (error: unknown) => boolean } = {},
): Promise<Execution> {
  if (signal.aborted) return { status: "interrupted", output: {} };
  const requested = new Set(plan.streamModes);
  const engineModes = new Set<StreamMode>(["values"]);
  for (const mode of requested) {
    const engineMode = ENGINE_MODE[mode];
    if (engineMode) engineModes.add(engineMode);
  }
  let output: unknown = {};
  try {
    const events = plan.graph.stream(plan.input as never, {
      ...plan.config,
      signal,
      streamMode: [...engineModes],
    });
    for await (const item of events) {
      const [mode, payload] = item as [StreamMode, unknown];
      const data = plain(payload);
      if (mode === "values") output = data;
      const wireMode = mode === "messages" ? "messages-tuple" : mode;
      if (requested.has(wireMode)) emit(mode, data);
    }
    return { status: "success", output };
  } catch (error) {
    if (signal.aborted) return { status: "interrupted", output };
    // A worker hands a run it cannot hold (THREAD_BUSY, LEASE_LOST) back instead of failing it.
    if (options.rethrow?.(error)) throw error;
    const { body } = wireError(error);
    const failure =
      body.error === "INTERNAL" && error instanceof Error
        ? { error: error.name, message: error.message }
        : body;
    emit("error", failure);
    return { status: "error", output: { __error__: failure } };
  }
}

/** Wire stream modes the engine produces; the rest (tasks, checkpoints, events) are not sent. */
const ENGINE_MODE: Readonly<Record<string, StreamMode>> = {
  values: "values",
  updates: "updates",
  custom: "custom",
  debug: "debug",
  "messages-tuple": "messages",
};

// What a scenario is, and the helpers scenarios use to turn a run into plain data to compare.
import { z } from "zod";
import type { CompiledLike, Config, Engine, EngineName, RunOptions, Snapshot } from "./engines.js";

/**
 * A behaviour written once and run on every engine. `run` returns plain data (final state, steps,
 * call counts, a described error); the test compares it with `expected`, or, where Switchyard
 * deliberately differs from LangGraph, with the engine's own entry in `differs`.
 */
export type Scenario<Observed = unknown> = {
  readonly name: string;
  readonly run: (engine: Engine) => Promise<Observed>;
} & (
  | { readonly expected: Observed; readonly differs?: never }
  | {
      readonly expected?: never;
      readonly differs: Readonly<Record<EngineName, Observed>> & { readonly why: string };
    }
);

/** Declares a scenario; the type parameter ties `run`'s result to the expectation. */
export function scenario<Observed>(definition: Scenario<Observed>): Scenario {
  return definition;
}

export function expectationFor(definition: Scenario, engine: EngineName): unknown {
  return definition.differs ? definition.differs[engine] : definition.expected;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A list-of-strings key that appends (the reducer every scenario's `log` uses). */
export function logKey(engine: Engine): z.ZodType<string[]> {
  return engine.reducer(
    z.array(z.string()),
    (current, update) => current.concat(update),
    () => [],
  );
}

/** State with a last-value `x` and an appending `log`. */
export function counterState(engine: Engine): { x: z.ZodNumber; log: z.ZodType<string[]> } {
  return { x: z.number(), log: logKey(engine) };
}

/** A node that appends its own name to `log` after `ms` milliseconds. */
export function says(name: string, ms = 0): () => Promise<{ log: string[] }> {
  return async () => {
    await sleep(ms);
    return { log: [name] };
  };
}

/** Counts calls by name, to check which nodes ran and how often. */
export class Calls {
  readonly counts: Record<string, number> = {};
  hit(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }
}

/** `{ node: update }` chunks of one superstep, sorted by node name (then by content). */
export type StepUpdates = Array<Record<string, unknown>>;

/**
 * Streams with `["updates", "values"]` and groups the update chunks into supersteps: each `values`
 * chunk closes a step. The first step is the input itself (no node updates) when the input writes
 * something. Within a step, tasks finish in any order, so the chunks are compared as a sorted set.
 * Update chunks after the last `values` chunk (a failed step) form a last step of their own.
 * LangGraph emits no `values` chunk after a superstep that wrote nothing, so scenarios that use
 * this give every step a write.
 */
export async function streamSteps<State>(
  graph: CompiledLike<State>,
  input: Partial<State> | null,
  config: RunOptions = {},
): Promise<StepUpdates[]> {
  const steps: StepUpdates[] = [];
  let current: StepUpdates = [];
  const stream = await graph.stream(input, { ...config, streamMode: ["updates", "values"] });
  for await (const chunk of stream) {
    const [mode, payload] = chunk as [string, unknown];
    if (mode === "updates") current.push(payload as Record<string, unknown>);
    else {
      steps.push(sortUpdates(current));
      current = [];
    }
  }
  if (current.length > 0) steps.push(sortUpdates(current));
  return steps;
}

function sortUpdates(updates: StepUpdates): StepUpdates {
  const key = (chunk: Record<string, unknown>): string =>
    `${Object.keys(chunk).join(",")}\u0000${JSON.stringify(chunk)}`;
  return [...updates].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every chunk of a stream, in order. */
export async function collect(
  stream: AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>,
): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of await stream) chunks.push(chunk);
  return chunks;
}

/** The final state from `invoke`, and the per-step updates from a second, streamed run. */
export async function observeRun<State>(
  graph: CompiledLike<State>,
  input: Partial<State> | null,
  config: RunOptions = {},
): Promise<{ final: unknown; steps: StepUpdates[] }> {
  const final = await graph.invoke(input, config);
  const steps = await streamSteps(graph, input, config);
  return { final, steps };
}

/** An error as comparable data: its class name, its code (LangGraph: `lc_error_code`), its cause. */
export interface ErrorInfo {
  name: string;
  code?: string;
  cause?: ErrorInfo;
}

export function describeError(error: unknown): ErrorInfo {
  if (!(error instanceof Error)) return { name: typeof error };
  const fields = error as Error & { code?: unknown; lc_error_code?: unknown };
  const code = fields.code ?? fields.lc_error_code;
  const info: ErrorInfo = { name: error.name };
  if (typeof code === "string") info.code = code;
  if (error.cause !== undefined) info.cause = describeError(error.cause);
  return info;
}

/** What `action` resolved with, or the described error it rejected with. */
export async function outcome<T>(action: () => T | Promise<T>): Promise<T | ErrorInfo> {
  try {
    return await action();
  } catch (error) {
    return describeError(error);
  }
}

export function checkpointId(config: Config | undefined): string | undefined {
  return config?.configurable?.checkpoint_id;
}

/** A thread's snapshots from getStateHistory, newest first. */
export async function history<State>(
  snapshots: AsyncIterable<Snapshot<State>>,
): Promise<Array<Snapshot<State>>> {
  const list: Array<Snapshot<State>> = [];
  for await (const snapshot of snapshots) list.push(snapshot);
  return list;
}

/** A config for a fresh thread; ids only need to be unique within one engine's run. */
let threads = 0;
export function thread(): { configurable: { thread_id: string } } {
  threads += 1;
  return { configurable: { thread_id: `conformance-${threads}` } };
}

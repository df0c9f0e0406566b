import type { ChannelSpec } from "../graph/state.js";
import type { GraphSpec } from "../graph/spec.js";
import { Send } from "../graph/constants.js";
import type {
  CheckpointRecord,
  CheckpointTuple,
  PlannedTask,
  StoredChannel,
} from "../checkpoint/types.js";
import type { TokenUsage } from "../graph/types.js";
import type { TaskOutput, Write } from "./writes.js";
import type { TaskTiming } from "./task-timing.js";
import { SUBGRAPHS_CHANNEL } from "../checkpoint/namespace.js";
import { EMPTY_RECORD, type InterruptRecord, type TaskRecord } from "./interrupt.js";
import { subgraphNamespaces } from "./subgraph-host.js";

/** The in-memory state of a thread between supersteps. Values objects are never mutated. */
export interface RunState {
  readonly values: Readonly<Record<string, unknown>>;
  /** Channel → id of the checkpoint that wrote its current value (only with a checkpointer). */
  readonly versions: Readonly<Record<string, string>>;
  readonly barriers: Readonly<Record<string, readonly string[]>>;
  readonly step: number;
  readonly checkpoint: CheckpointRecord | undefined;
  readonly next: readonly PlannedTask[];
}

/**
 * Reserved pending-write channels: a finished task's routing, a failed task's error, what a task
 * established before stopping (answers, durable steps), and the interrupt it waits on.
 */
export const ROUTE_CHANNEL = "__route__";
export const ERROR_CHANNEL = "__error__";
export const RECORD_CHANNEL = "__record__";
export const INTERRUPT_CHANNEL = "__interrupt__";

/**
 * A task's record as pending writes: the record, and when the task invoked graphs, the list of
 * their namespaces where storage can read it (SUBGRAPHS_CHANNEL: retention keeps them).
 */
export function recordWrites(record: TaskRecord): Array<readonly [string, unknown]> {
  const namespaces = subgraphNamespaces(record.steps);
  return namespaces.length === 0
    ? [[RECORD_CHANNEL, record]]
    : [
        [RECORD_CHANNEL, record],
        [SUBGRAPHS_CHANNEL, namespaces],
      ];
}

export function emptyState(spec: GraphSpec): RunState {
  const values: Record<string, unknown> = {};
  for (const channel of spec.channels.values()) {
    if (channel.initial) values[channel.key] = channel.initial();
  }
  return {
    values,
    versions: {},
    barriers: {},
    step: -2,
    checkpoint: undefined,
    next: [],
  };
}

/** Rebuilds the state a checkpoint describes, folding stored deltas through the reducers. */
export function stateFromTuple(spec: GraphSpec, tuple: CheckpointTuple): RunState {
  const { checkpoint } = tuple;
  const values: Record<string, unknown> = {};
  for (const channel of spec.channels.values()) {
    const stored = tuple.channels[channel.key];
    if (stored) {
      values[channel.key] = foldChannel(channel, stored);
    } else if (channel.initial) {
      values[channel.key] = channel.initial();
    }
  }
  return {
    values,
    versions: checkpoint.versions,
    barriers: checkpoint.barriers,
    step: checkpoint.step,
    checkpoint,
    next: checkpoint.next,
  };
}

function foldChannel(channel: ChannelSpec, stored: StoredChannel): unknown {
  let value = stored.hasBase ? stored.base : channel.initial?.();
  if (stored.deltas.length === 0) return value;
  const reduce = channel.reduce;
  if (!reduce) return stored.deltas.at(-1)?.at(-1);
  for (const updates of stored.deltas) {
    for (const update of updates) value = reduce(value, update);
  }
  return value;
}

/** Task ids are stable for a given checkpoint and plan position, so resumes find their writes. */
export function taskId(state: RunState, index: number): string {
  return state.checkpoint ? `${state.checkpoint.id}:${index}` : `${state.step + 1}:${index}`;
}

interface EncodedRoute {
  readonly goto: ReadonlyArray<string | { readonly send: string; readonly arg: unknown }>;
  /** Kept with the task so a reused output still counts in its superstep's usage. */
  readonly usage?: TokenUsage;
  /** Kept with the task so a reused output still shows in its superstep's timings. */
  readonly timing?: TaskTiming;
}

/** A failed task's error as stored, with how the task ran when it was timed. */
export type StoredFailure = NonNullable<PendingTask["error"]> & { readonly timing?: TaskTiming };

export function encodeTaskOutput(
  output: TaskOutput,
  timing?: TaskTiming,
): Array<readonly [string, unknown]> {
  const goto = output.goto.map((target) =>
    typeof target === "string" ? target : { send: target.node, arg: target.arg },
  );
  const route: { -readonly [Key in keyof EncodedRoute]: EncodedRoute[Key] } = { goto };
  if (output.usage) route.usage = output.usage;
  if (timing) route.timing = timing;
  return [...output.writes, [ROUTE_CHANNEL, route]];
}

/** What a checkpoint's pending writes say about one planned task. */
export interface PendingTask {
  /** Set when the task finished: reused, never re-run. */
  readonly output: TaskOutput | undefined;
  /** Answers and durable step results it established before stopping. */
  readonly record: TaskRecord;
  /** Set while the task waits for a human. */
  readonly interrupt: InterruptRecord | undefined;
  readonly error:
    { readonly name: string; readonly code?: string; readonly message: string } | undefined;
  /** How the task ran, when it finished or failed in a timed run. */
  readonly timing?: TaskTiming;
}

/** The pending writes of a checkpoint, grouped by task id. */
export function pendingTasks(tuple: CheckpointTuple | undefined): Map<string, PendingTask> {
  // Most checkpoints have none: a finished thread, a superstep committed as a whole.
  if (!tuple || tuple.pendingWrites.length === 0) return new Map();
  const byTask = new Map<
    string,
    {
      writes: Write[];
      route?: EncodedRoute;
      record?: TaskRecord;
      interrupt?: InterruptRecord;
      error?: StoredFailure;
    }
  >();
  for (const write of tuple.pendingWrites) {
    let entry = byTask.get(write.taskId);
    if (!entry) {
      entry = { writes: [] };
      byTask.set(write.taskId, entry);
    }
    if (write.channel === ROUTE_CHANNEL) entry.route = write.value as EncodedRoute;
    else if (write.channel === RECORD_CHANNEL) entry.record = write.value as TaskRecord;
    else if (write.channel === INTERRUPT_CHANNEL) entry.interrupt = write.value as InterruptRecord;
    else if (write.channel === ERROR_CHANNEL) entry.error = write.value as StoredFailure;
    else if (write.channel === SUBGRAPHS_CHANNEL) continue;
    else entry.writes.push([write.channel, write.value]);
  }
  const tasks = new Map<string, PendingTask>();
  for (const [id, entry] of byTask) {
    const output = entry.route
      ? {
          writes: entry.writes,
          goto: entry.route.goto.map((target) =>
            typeof target === "string" ? target : new Send(target.send, target.arg),
          ),
          update: Object.fromEntries(entry.writes),
          usage: entry.route.usage,
        }
      : undefined;
    const failure = output ? undefined : entry.error;
    tasks.set(id, {
      output,
      record: entry.record ?? EMPTY_RECORD,
      interrupt: output ? undefined : entry.interrupt,
      error: failure && errorOf(failure),
      timing: output ? entry.route?.timing : failure?.timing,
    });
  }
  return tasks;
}

function errorOf(failure: StoredFailure): PendingTask["error"] {
  if (failure.timing === undefined) return failure;
  const { name, code, message } = failure;
  return code === undefined ? { name, message } : { name, code, message };
}

import type { GraphSpec } from "../graph/spec.js";
import type {
  ChannelWrite,
  CheckpointRecord,
  CheckpointSource,
  Checkpointer,
  PlannedTask,
  WriteOptions,
} from "../checkpoint/types.js";
import { isoNow, newCheckpointId } from "./ids.js";
import { withFields } from "./objects.js";
import type { RunState } from "./run-state.js";

export interface StepToCommit {
  /** The new checkpoint's id, when the caller needs it before the commit (default: a new one). */
  readonly id?: string;
  readonly source: CheckpointSource;
  readonly step: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly updates: ReadonlyMap<string, unknown[]>;
  readonly next: readonly PlannedTask[];
  readonly barriers: Readonly<Record<string, readonly string[]>>;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** Store every channel in `values` as a full value and nothing else (after a migration). */
  readonly replace?: boolean;
}

/** A checkpoint ready to be written, and the state the run is in once it is. */
export interface PreparedCommit {
  readonly checkpoint: CheckpointRecord;
  readonly writes: readonly ChannelWrite[];
  readonly state: RunState;
}

/**
 * Writes one checkpoint: only the channels this step changed get a new version. Reducer channels
 * are handed over as the step's updates on top of their previous version (with the folded value,
 * which the checkpointer may store instead), so storage grows with what was written rather than
 * with steps × state size. The commit binds a thread that has no graph yet to this one, in the same
 * transaction, so no thread has checkpoints without the graph they came from.
 */
export function commitStep(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  threadId: string,
  from: RunState,
  step: StepToCommit,
  options: Pick<WriteOptions, "lease" | "audit">,
): Promise<RunState> {
  const prepared = prepareCommit(spec, from, step);
  return writeCommit(spec, checkpointer, threadId, prepared, options).then(() => prepared.state);
}

/** The checkpoint `step` makes on top of `from`, and the channel writes it stores. */
export function prepareCommit(spec: GraphSpec, from: RunState, step: StepToCommit): PreparedCommit {
  const id = step.id ?? newCheckpointId();
  const versions: Record<string, string> = step.replace ? {} : { ...from.versions };
  const writes: ChannelWrite[] = [];
  const written = step.replace
    ? new Map(Object.keys(step.values).map((channel): [string, unknown[]] => [channel, []]))
    : step.updates;
  for (const [channel, updates] of written) {
    const value = step.values[channel];
    const channelSpec = spec.channels.get(channel);
    if (!step.replace && channelSpec?.reduce) {
      const previous = from.versions[channel];
      const appended = channelSpec.appends
        ? appendedBy(channelSpec.appends, from.values[channel], updates)
        : appendedItems(from.values[channel], value);
      writes.push(
        appended
          ? { channel, version: id, kind: "delta", previous, updates, value, appended }
          : { channel, version: id, kind: "delta", previous, updates, value },
      );
    } else {
      writes.push({ channel, version: id, kind: "value", value });
    }
    versions[channel] = id;
  }
  const checkpoint: CheckpointRecord = {
    id,
    parentId: from.checkpoint?.id,
    step: step.step,
    source: step.source,
    createdAt: isoNow(),
    metadata: withFields(step.metadata, { source: step.source, step: step.step }),
    versions,
    next: step.next,
    barriers: step.barriers,
  };
  const state: RunState = {
    values: step.values,
    versions,
    barriers: step.barriers,
    step: step.step,
    checkpoint,
    next: step.next,
  };
  return { checkpoint, writes, state };
}

/**
 * Hands the prepared checkpoint to the checkpointer. A checkpointer that throws instead of
 * rejecting is turned into a rejection, so every caller sees storage failures one way.
 */
export function writeCommit(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  threadId: string,
  prepared: PreparedCommit,
  options: Pick<WriteOptions, "lease" | "audit">,
): Promise<void> {
  try {
    return checkpointer.commit(threadId, prepared.checkpoint, prepared.writes, {
      lease: options.lease,
      audit: options.audit,
      graph: { name: spec.name, version: spec.version },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * What an `append` key gained this step: its updates' items, in order (the reducer says so; the old
 * items are not looked at). Undefined when the key had no list yet.
 */
function appendedBy(
  appends: (update: unknown) => readonly unknown[],
  previous: unknown,
  updates: readonly unknown[],
): unknown[] | undefined {
  if (!Array.isArray(previous)) return undefined;
  const items: unknown[] = [];
  for (const update of updates) items.push(...appends(update));
  return items.length > 0 ? items : undefined;
}

/**
 * For any other reducer: the items `next` adds at the end of `previous` when it is exactly
 * `previous` followed by them (the same item objects, in order), else undefined. Reducers return
 * new lists that reuse the old items (messages, a user's concat), so an identity check over the old
 * list finds it; it costs the list's length per step, which `append` keys are spared.
 */
function appendedItems(previous: unknown, next: unknown): unknown[] | undefined {
  if (!Array.isArray(previous) || !Array.isArray(next)) return undefined;
  const before = previous as readonly unknown[];
  const after = next as readonly unknown[];
  if (after.length <= before.length) return undefined;
  for (let index = 0; index < before.length; index += 1) {
    if (after[index] !== before[index]) return undefined;
  }
  return after.slice(before.length);
}

/** Without a checkpointer the state simply moves on. */
export function advanceState(from: RunState, step: StepToCommit): RunState {
  return {
    values: step.values,
    versions: from.versions,
    barriers: step.barriers,
    step: step.step,
    checkpoint: from.checkpoint,
    next: step.next,
  };
}

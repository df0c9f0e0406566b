import type { GraphSpec } from "../graph/spec.js";
import type {
  ChannelWrite,
  CheckpointRecord,
  CheckpointSource,
  Checkpointer,
  PlannedTask,
} from "../checkpoint/types.js";
import { newCheckpointId } from "./ids.js";
import type { RunState } from "./run-state.js";

/** A reducer channel stores a full value after this many deltas, bounding the replay on read. */
export const SNAPSHOT_EVERY = 64;

export interface StepToCommit {
  readonly source: CheckpointSource;
  readonly step: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly updates: ReadonlyMap<string, unknown[]>;
  readonly next: readonly PlannedTask[];
  readonly barriers: Readonly<Record<string, readonly string[]>>;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Writes one checkpoint: only the channels this step changed get a new version. Reducer channels
 * store the step's updates on top of their previous version, and a full value every SNAPSHOT_EVERY
 * versions, so storage grows with what was written rather than with steps × state size.
 */
export async function commitStep(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  threadId: string,
  from: RunState,
  step: StepToCommit,
): Promise<RunState> {
  const id = newCheckpointId();
  const versions: Record<string, string> = { ...from.versions };
  const depths: Record<string, number> = { ...from.depths };
  const channelWrites: ChannelWrite[] = [];
  for (const [channel, updates] of step.updates) {
    const reduce = spec.channels.get(channel)?.reduce;
    const previous = from.versions[channel];
    const depth = depths[channel] ?? 0;
    if (reduce && depth < SNAPSHOT_EVERY) {
      channelWrites.push({ channel, version: id, kind: "delta", previous, updates });
      depths[channel] = depth + 1;
    } else {
      channelWrites.push({ channel, version: id, kind: "value", value: step.values[channel] });
      depths[channel] = 0;
    }
    versions[channel] = id;
  }
  const checkpoint: CheckpointRecord = {
    id,
    parentId: from.checkpoint?.id,
    step: step.step,
    source: step.source,
    createdAt: new Date().toISOString(),
    metadata: { ...step.metadata, source: step.source, step: step.step },
    versions,
    next: step.next,
    barriers: step.barriers,
  };
  await checkpointer.commit(threadId, checkpoint, channelWrites);
  return {
    values: step.values,
    versions,
    depths,
    barriers: step.barriers,
    step: step.step,
    checkpoint,
    next: step.next,
  };
}

/** Without a checkpointer the state simply moves on. */
export function advanceState(from: RunState, step: StepToCommit): RunState {
  return {
    ...from,
    values: step.values,
    barriers: step.barriers,
    step: step.step,
    next: step.next,
  };
}

import type { GraphSpec } from "../graph/spec.js";
import type {
  ChannelWrite,
  CheckpointRecord,
  CheckpointSource,
  Checkpointer,
  PlannedTask,
  WriteOptions,
} from "../checkpoint/types.js";
import { newCheckpointId } from "./ids.js";
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

/**
 * Writes one checkpoint: only the channels this step changed get a new version. Reducer channels
 * are handed over as the step's updates on top of their previous version (with the folded value,
 * which the checkpointer may store instead), so storage grows with what was written rather than
 * with steps × state size. The commit binds a thread that has no graph yet to this one, in the same
 * transaction, so no thread has checkpoints without the graph they came from.
 */
export async function commitStep(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  threadId: string,
  from: RunState,
  step: StepToCommit,
  options: Pick<WriteOptions, "lease" | "audit">,
): Promise<RunState> {
  const id = step.id ?? newCheckpointId();
  const versions: Record<string, string> = step.replace ? {} : { ...from.versions };
  const channelWrites: ChannelWrite[] = [];
  const written = step.replace
    ? new Map(Object.keys(step.values).map((channel): [string, unknown[]] => [channel, []]))
    : step.updates;
  for (const [channel, updates] of written) {
    const value = step.values[channel];
    if (!step.replace && spec.channels.get(channel)?.reduce) {
      const previous = from.versions[channel];
      channelWrites.push({ channel, version: id, kind: "delta", previous, updates, value });
    } else {
      channelWrites.push({ channel, version: id, kind: "value", value });
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
  await checkpointer.commit(threadId, checkpoint, channelWrites, {
    ...options,
    graph: { name: spec.name, version: spec.version },
  });
  return {
    values: step.values,
    versions,
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

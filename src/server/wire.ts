// The one place where Switchyard's types become LangGraph Agent Server wire shapes (snake_case
// JSON as @langchain/langgraph-sdk 1.x decodes it), and errors become HTTP statuses.
import type {
  Configurable,
  PendingInterrupt,
  RunRecord,
  StateSnapshot,
  StateTask,
  ThreadRecord,
  ThreadUsage,
} from "../index.js";
import { SwitchyardError } from "../index.js";
import { servedValue } from "./approvals.js";

export type ThreadStatus = "idle" | "busy" | "interrupted" | "error";

export interface WireInterrupt {
  readonly id: string;
  readonly value: unknown;
}

export interface WireCheckpoint {
  readonly thread_id: string;
  readonly checkpoint_ns: string;
  readonly checkpoint_id: string;
  readonly checkpoint_map: Readonly<Record<string, string>> | null;
}

/** An interrupt as served: approvals in the shape Agent Chat UI renders as a review card. */
export function wireInterrupt(interrupt: PendingInterrupt): WireInterrupt {
  return { id: interrupt.id, value: plain(servedValue(interrupt)) };
}

/**
 * The `__interrupt__` list of a stream event (ids and raw values) served like `wireInterrupt`,
 * given the thread's waiting interrupts (which know whether each is an approval).
 */
export function wireInterruptList(
  list: ReadonlyArray<{ id: string; value: unknown }>,
  waiting: readonly PendingInterrupt[],
): WireInterrupt[] {
  const byId = new Map(waiting.map((interrupt) => [interrupt.id, interrupt]));
  return list.map((item) => {
    const known = byId.get(item.id);
    return known ? wireInterrupt(known) : { id: item.id, value: plain(item.value) };
  });
}

/**
 * A value as LangGraph's server sends it: `@langchain/core` messages (anything with `toDict()`)
 * become plain dicts `{ type, content, id, … }` — what useStream and Agent Chat UI read — instead
 * of their `{ lc, type: "constructor", … }` serialization. Everything else is unchanged.
 */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const toDict = (value as { toDict?: unknown }).toDict;
  if (typeof toDict === "function") {
    const { type, data } = (toDict as () => { type: string; data: Record<string, unknown> }).call(
      value,
    );
    const name = value.constructor.name;
    return { ...data, type: name.endsWith("MessageChunk") ? name : type };
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
}

/** The interrupts a snapshot waits on, as LangGraph lists them: task id → interrupts. */
export function interruptsByTask(
  snapshot: StateSnapshot<unknown>,
): Record<string, WireInterrupt[]> {
  const byTask: Record<string, WireInterrupt[]> = {};
  for (const task of snapshot.tasks) {
    if (task.interrupts.length > 0) byTask[task.id] = task.interrupts.map(wireInterrupt);
  }
  return byTask;
}

export function waitingInterrupts(snapshot: StateSnapshot<unknown>): WireInterrupt[] {
  return snapshot.tasks.flatMap((task) => task.interrupts.map(wireInterrupt));
}

export interface WireTask {
  readonly id: string;
  readonly name: string;
  readonly error: string | null;
  readonly interrupts: WireInterrupt[];
  readonly path: string[];
  readonly checkpoint: WireState["checkpoint"] | null;
  readonly state: WireState | null;
  readonly result: unknown;
}

export interface WireState {
  readonly values: unknown;
  readonly next: string[];
  readonly tasks: WireTask[];
  readonly metadata: Record<string, unknown>;
  readonly created_at: string | null;
  readonly checkpoint: Omit<WireCheckpoint, "checkpoint_id"> & { checkpoint_id: string | null };
  readonly parent_checkpoint: WireCheckpoint | null;
}

/** Checkpoint ids by namespace (`""` for the thread's own), for a subgraph's checkpoint. */
type CheckpointMap = Readonly<Record<string, string>>;

function wireCheckpoint(
  config: { configurable: Configurable } | undefined,
  map: CheckpointMap | null,
): WireCheckpoint | null {
  const id = config?.configurable.checkpoint_id;
  if (config === undefined || id === undefined) return null;
  return {
    thread_id: config.configurable.thread_id ?? "",
    checkpoint_ns: config.configurable.checkpoint_ns ?? "",
    checkpoint_id: id,
    checkpoint_map: map,
  };
}

function wireTask(task: StateTask, map: CheckpointMap | null): WireTask {
  const state = task.state ? wireState(task.state, map) : null;
  return {
    id: task.id,
    name: task.name,
    error: task.error ? `${task.error.code ?? task.error.name}: ${task.error.message}` : null,
    interrupts: task.interrupts.map(wireInterrupt),
    path: ["__pregel_pull", task.name],
    checkpoint: state?.checkpoint ?? null,
    state,
    result: plain(task.result ?? null),
  };
}

/**
 * A checkpoint as LangGraph's ThreadState; with `getState(…, { subgraphs: true })`, a waiting
 * subgraph task nests its child's state, whose checkpoint carries its namespace and a
 * `checkpoint_map` (the checkpoint ids of it and of every graph above it). `parents` is the map
 * of the graphs above.
 */
export function wireState(
  snapshot: StateSnapshot<unknown>,
  parents: CheckpointMap | null = null,
): WireState {
  const { configurable } = snapshot.config;
  const namespace = configurable.checkpoint_ns ?? "";
  const id = configurable.checkpoint_id;
  const map = namespace === "" || id === undefined ? null : { ...(parents ?? {}), [namespace]: id };
  const own = id === undefined ? parents : (map ?? { "": id });
  const checkpoint = wireCheckpoint(snapshot.config, map);
  return {
    values: plain(snapshot.values ?? {}),
    next: [...snapshot.next],
    tasks: snapshot.tasks.map((task) => wireTask(task, own)),
    metadata: snapshot.metadata ? { ...snapshot.metadata, parents: parents ?? {} } : {},
    created_at: snapshot.createdAt ?? null,
    checkpoint: checkpoint ?? {
      thread_id: configurable.thread_id ?? "",
      checkpoint_ns: namespace,
      checkpoint_id: null,
      checkpoint_map: null,
    },
    parent_checkpoint: wireCheckpoint(snapshot.parentConfig, map),
  };
}

/**
 * A thread's token usage and budget, as the `usage` key Switchyard adds to a thread and to its
 * latest state (LangGraph's SDK passes unknown keys through): `{ total, nodes, budget? }`.
 */
export function wireUsage(usage: ThreadUsage) {
  return {
    total: usage.total,
    nodes: usage.nodes,
    ...(usage.budget ? { budget: usage.budget } : {}),
  };
}

export function wireThread(
  record: ThreadRecord,
  status: ThreadStatus,
  snapshot: StateSnapshot<unknown> | undefined,
) {
  return {
    thread_id: record.threadId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    metadata: record.metadata,
    status,
    values: plain(snapshot?.values ?? {}),
    interrupts: snapshot ? interruptsByTask(snapshot) : {},
    config: {},
    error: null,
  };
}

export function wireRun(run: RunRecord) {
  return {
    run_id: run.runId,
    thread_id: run.threadId,
    assistant_id: run.assistantId,
    status: run.status,
    metadata: run.metadata,
    multitask_strategy: run.multitaskStrategy,
    kwargs: run.kwargs,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
  };
}

export function wireAssistant(graphId: string, description: string | undefined, since: string) {
  return {
    assistant_id: graphId,
    graph_id: graphId,
    name: graphId,
    description: description ?? null,
    config: {},
    context: {},
    metadata: { created_by: "system" },
    version: 1,
    created_at: since,
    updated_at: since,
  };
}

/** `Content-Location` of a run: the SDK reads the run id (and thread id) from it. */
export function runLocation(threadId: string, runId: string): string {
  return `/threads/${encodeURIComponent(threadId)}/runs/${encodeURIComponent(runId)}`;
}

/** What an error becomes on the wire: `{ error: CODE, message }` and a status. */
export function wireError(error: unknown): {
  status: 400 | 401 | 404 | 409 | 413 | 422 | 429 | 500;
  body: { error: string; message: string };
} {
  if (error instanceof SwitchyardError) {
    return { status: statusOf(error.code), body: { error: error.code, message: error.message } };
  }
  return {
    status: 500,
    body: { error: "INTERNAL", message: "The server failed on this request; see its log." },
  };
}

const STATUS: Readonly<Record<string, 400 | 401 | 404 | 409 | 413 | 422 | 429>> = {
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  ENDPOINT_NOT_FOUND: 404,
  ASSISTANT_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  THREAD_NOT_FOUND: 404,
  CHECKPOINT_NOT_FOUND: 404,
  THREAD_BUSY: 409,
  THREAD_EXISTS: 409,
  RUN_IN_PROGRESS: 422,
  GRAPH_VERSION_MISMATCH: 409,
  LEASE_LOST: 409,
};

/** Unknown codes are things the caller sent that the engine refused: a bad request. */
function statusOf(code: string): 400 | 401 | 404 | 409 | 413 | 422 | 429 {
  return STATUS[code] ?? 400;
}

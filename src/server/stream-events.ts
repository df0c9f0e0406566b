// What the engine streams becomes the events LangGraph's server sends: one SSE event per requested
// mode, `mode|namespace` for a subgraph's events (namespace segments `node:taskId`, joined by `|`),
// `tasks` and `checkpoints` derived from the engine's debug events, `messages` for the
// `messages-tuple` mode.
import { rootThreadOf, type StreamMode } from "../index.js";

/** One item of the engine's stream, with its namespace (empty for the run's own graph). */
export interface EngineEvent {
  readonly namespace: readonly string[];
  readonly mode: StreamMode;
  readonly payload: unknown;
}

/** The engine modes to ask for: `values` always (for `runs.wait`), and what the wire modes need. */
export function engineModes(requested: ReadonlySet<string>): StreamMode[] {
  const modes = new Set<StreamMode>(["values"]);
  for (const mode of requested) {
    if (mode === "updates" || mode === "custom" || mode === "debug") modes.add(mode);
    if (mode === "messages-tuple") modes.add("messages");
    if (mode === "tasks" || mode === "checkpoints") modes.add("debug");
  }
  return [...modes];
}

/** An item of `graph.stream(…, { streamMode: [...], subgraphs })`. */
export function engineEvent(item: unknown, subgraphs: boolean): EngineEvent {
  if (subgraphs) {
    const [namespace, mode, payload] = item as [string[], StreamMode, unknown];
    return { namespace, mode, payload };
  }
  const [mode, payload] = item as [StreamMode, unknown];
  return { namespace: [], mode, payload };
}

/** The SSE events (name and data) one engine event becomes; none when no requested mode wants it. */
export function wireEvents(
  item: EngineEvent,
  requested: ReadonlySet<string>,
): Array<{ event: string; data: unknown }> {
  const named = (mode: string) =>
    item.namespace.length > 0 ? `${mode}|${item.namespace.join("|")}` : mode;
  const { mode, payload } = item;
  if (mode === "messages") {
    return requested.has("messages-tuple") ? [{ event: named("messages"), data: payload }] : [];
  }
  if (mode !== "debug") return requested.has(mode) ? [{ event: named(mode), data: payload }] : [];
  const debug = payload as { type: string; payload: Record<string, unknown> };
  const events: Array<{ event: string; data: unknown }> = [];
  const inner = debug.type === "checkpoint" ? wireCheckpointPayload(debug.payload) : debug.payload;
  if (requested.has("debug"))
    events.push({ event: named("debug"), data: { ...debug, payload: inner } });
  if (requested.has("tasks") && (debug.type === "task" || debug.type === "task_result")) {
    events.push({ event: named("tasks"), data: inner });
  }
  if (requested.has("checkpoints") && debug.type === "checkpoint") {
    const { config, parent_config, values, metadata, next } = inner;
    events.push({
      event: named("checkpoints"),
      data: { config, parent_config, values, metadata, next },
    });
  }
  return events;
}

type Config = { configurable: Record<string, unknown> } | undefined;

/**
 * A debug checkpoint with `config` and `parent_config` as LangGraph shows them: the thread's own
 * id and the subgraph's namespace in `checkpoint_ns` (the engine's configs carry its storage key).
 */
function wireCheckpointPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const { config, parentConfig, ...rest } = payload;
  return {
    ...rest,
    config: wireConfig(config as Config),
    parent_config: wireConfig(parentConfig as Config),
  };
}

function wireConfig(config: Config): Config {
  if (!config) return undefined;
  const key =
    typeof config.configurable.thread_id === "string" ? config.configurable.thread_id : "";
  const threadId = rootThreadOf(key);
  const namespace =
    key === threadId ? config.configurable.checkpoint_ns : key.slice(threadId.length + 1);
  return {
    configurable: { ...config.configurable, thread_id: threadId, checkpoint_ns: namespace ?? "" },
  };
}

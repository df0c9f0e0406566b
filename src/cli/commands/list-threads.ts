import type { CompiledGraph, ThreadInfo } from "../../index.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { age, table } from "../format.js";
import { statusOf } from "../progress.js";

const STATUSES = ["waiting", "paused", "failed", "done", "unknown"] as const;

export interface ThreadsOptions {
  status?: string;
  limit?: string;
}

interface ThreadRow {
  threadId: string;
  graph: string | null;
  status: (typeof STATUSES)[number];
  updatedAt: string;
  waiting: number;
}

/**
 * `switchyard threads`: the threads in the database, most recently updated first, with status,
 * graph, last update and how many interrupts wait; the global --graph NAME keeps one graph's. A
 * thread whose graph file cannot be loaded shows status "unknown".
 */
export async function listThreads(ctx: CliContext, options: ThreadsOptions): Promise<number> {
  if (options.status !== undefined && !STATUSES.includes(options.status as ThreadRow["status"])) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `--status must be one of ${STATUSES.join(", ")}; got ${options.status}.`,
      2,
    );
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `--limit must be a whole number of at least 1, got ${options.limit}.`,
      2,
    );
  }
  const graphs = new Map<string, Promise<CompiledGraph<never> | undefined>>();
  const graphNamed = (name: string): Promise<CompiledGraph<never> | undefined> => {
    let found = graphs.get(name);
    if (!found) {
      found = ctx.graph(name).then(
        ({ compiled }) => compiled,
        () => undefined,
      );
      graphs.set(name, found);
    }
    return found;
  };
  const rows: ThreadRow[] = [];
  for await (const info of ctx.checkpointer().listThreads()) {
    if (ctx.graphOption !== undefined && info.graph?.name !== ctx.graphOption) continue;
    const row = await rowOf(info, graphNamed);
    if (options.status !== undefined && row.status !== options.status) continue;
    rows.push(row);
    if (rows.length >= limit) break;
  }
  ctx.print(rows, () =>
    rows.length === 0
      ? "No threads."
      : table(
          ["thread", "graph", "status", "updated", "waiting"],
          rows.map((row) => [
            row.threadId,
            row.graph ?? "?",
            row.status,
            age(row.updatedAt),
            String(row.waiting),
          ]),
        ),
  );
  return 0;
}

async function rowOf(
  info: ThreadInfo,
  graphNamed: (name: string) => Promise<CompiledGraph<never> | undefined>,
): Promise<ThreadRow> {
  const base = {
    threadId: info.threadId,
    graph: info.graph?.name ?? null,
    updatedAt: info.updatedAt,
  };
  const graph = info.graph ? await graphNamed(info.graph.name) : undefined;
  if (!graph) return { ...base, status: "unknown", waiting: 0 };
  const state = await graph
    .getState({ configurable: { thread_id: info.threadId } })
    .catch(() => undefined);
  if (!state) return { ...base, status: "unknown", waiting: 0 };
  const waiting = state.tasks.reduce((count, task) => count + task.interrupts.length, 0);
  return { ...base, status: statusOf(state), waiting };
}

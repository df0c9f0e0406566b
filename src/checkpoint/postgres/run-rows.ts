import type { MultitaskStrategy, RunRecord, RunStatus, ThreadRecord } from "../runs.js";

/** A row of `server_runs`, as node-postgres returns it. */
export interface RunRow {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  status: string;
  metadata: string;
  multitask_strategy: string;
  kwargs: string;
  created_at: string;
  updated_at: string;
  worker_id: string | null;
  attempt: number;
  cancel_requested: boolean;
  output: string | null;
}

export interface ThreadRow {
  thread_id: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

export function threadOf(row: ThreadRow): ThreadRecord {
  return {
    threadId: row.thread_id,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function runOf(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    threadId: row.thread_id,
    assistantId: row.assistant_id,
    status: row.status as RunStatus,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    multitaskStrategy: row.multitask_strategy as MultitaskStrategy,
    kwargs: JSON.parse(row.kwargs) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

import type { MultitaskStrategy, RunRecord, RunStatus, ThreadRecord } from "./runs.js";

/**
 * A row of the run table as both run stores read it (SQLite's `runs`, Postgres' `server_runs`):
 * ids and timestamps as text, metadata and kwargs as JSON text.
 */
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
}

/** A row of the thread table, in both run stores. */
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

/**
 * The record as the values of a run row's columns, in `RunRow`'s order (run_id, thread_id,
 * assistant_id, status, metadata, multitask_strategy, kwargs, created_at, updated_at).
 */
export function runValues(record: RunRecord): string[] {
  return [
    record.runId,
    record.threadId,
    record.assistantId,
    record.status,
    JSON.stringify(record.metadata),
    record.multitaskStrategy,
    JSON.stringify(record.kwargs),
    record.createdAt,
    record.updatedAt,
  ];
}

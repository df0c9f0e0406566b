import type Database from "better-sqlite3";
import { deserialize } from "./serializer.js";
import {
  storedCounts,
  totalsOf,
  usageRows,
  type UsageOptions,
  type UsageRow,
  type UsageTotals,
} from "./usage.js";

/** Schema 4: the usage sums, one row per thread, run and node. */
export const CREATE_USAGE_TABLE = `CREATE TABLE usage_totals (
     thread_id     TEXT NOT NULL,
     run_id        TEXT NOT NULL,
     node          TEXT NOT NULL,
     input_tokens  REAL NOT NULL,
     output_tokens REAL NOT NULL,
     total_tokens  REAL NOT NULL,
     cost          REAL,
     PRIMARY KEY (thread_id, run_id, node)
   ) WITHOUT ROWID;`;

interface TotalsRow {
  node: string;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost: number | null;
}

/** The SQLite checkpointer's usage sums: added to in `commit`'s transaction, read in one query. */
export class SqliteUsage {
  private readonly add: Database.Statement;
  private readonly ofThread: Database.Statement;
  private readonly ofRun: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(db: Database.Database) {
    this.add = db.prepare(ADD_SQL);
    const select = `SELECT node, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(total_tokens) AS total_tokens, sum(cost) AS cost FROM usage_totals WHERE thread_id = ?`;
    this.ofThread = db.prepare(`${select} GROUP BY node`);
    this.ofRun = db.prepare(`${select} AND run_id = ? GROUP BY node`);
    this.remove = db.prepare("DELETE FROM usage_totals WHERE thread_id = ?");
  }

  /** Inside the commit's transaction: adds what the checkpoint's metadata records. */
  record(key: string, metadata: Readonly<Record<string, unknown>>): void {
    for (const row of usageRows(key, metadata)) this.add.run(...paramsOf(row));
  }

  read(threadId: string, options: UsageOptions): UsageTotals {
    const rows = (
      options.runId === undefined
        ? this.ofThread.all(threadId)
        : this.ofRun.all(threadId, options.runId)
    ) as TotalsRow[];
    return totalsOf(rows.map((row) => ({ node: row.node, counts: storedCounts(row) })));
  }

  /** Inside deleteThread's transaction. */
  deleteThread(threadId: string): void {
    this.remove.run(threadId);
  }
}

const ADD_SQL = `INSERT INTO usage_totals
    (thread_id, run_id, node, input_tokens, output_tokens, total_tokens, cost)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (thread_id, run_id, node) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    total_tokens = total_tokens + excluded.total_tokens,
    cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL
                ELSE coalesce(cost, 0) + coalesce(excluded.cost, 0) END`;

function paramsOf(row: UsageRow): unknown[] {
  const { counts } = row;
  return [
    row.threadId,
    row.runId,
    row.node,
    counts.input_tokens,
    counts.output_tokens,
    counts.total_tokens,
    counts.cost ?? null,
  ];
}

/**
 * Migration 3 -> 4: creates the sums and fills them from the checkpoints already in the file (a
 * body's metadata is `m` since schema 3, `metadata` in a body stored whole by schema 2).
 */
export function migrateUsage(db: Database.Database): void {
  db.exec(CREATE_USAGE_TABLE);
  const add = db.prepare(ADD_SQL);
  // Only bodies that mention usage; read whole before writing (one statement at a time).
  const rows = db
    .prepare(
      `SELECT thread_id, coalesce(json_extract(body, '$.m'), json_extract(body, '$.metadata')) AS metadata
         FROM checkpoints WHERE instr(body, '"usage"') > 0`,
    )
    .all() as Array<{ thread_id: string; metadata: string | null }>;
  for (const { thread_id: key, metadata: text } of rows) {
    if (text === null) continue;
    const metadata = deserialize(text) as Record<string, unknown>;
    for (const row of usageRows(key, metadata)) add.run(...paramsOf(row));
  }
}

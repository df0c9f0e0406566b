import { deserialize } from "../serializer.js";
import { addCounts, usageRows, type UsageRow } from "../usage.js";
import type { Queryable } from "./connection.js";

/**
 * Migration 2 -> 3: the usage sums, one row per thread, run and node (added to by `commit`), filled
 * from the `metadata.usage` of the checkpoints already stored.
 */
export async function migrateUsage(client: Queryable, quoted: string): Promise<void> {
  await client.query(
    `CREATE TABLE ${quoted}.usage_totals (
       thread_id     text COLLATE "C" NOT NULL,
       run_id        text COLLATE "C" NOT NULL,
       node          text COLLATE "C" NOT NULL,
       input_tokens  double precision NOT NULL,
       output_tokens double precision NOT NULL,
       total_tokens  double precision NOT NULL,
       cost          double precision,
       PRIMARY KEY (thread_id, run_id, node)
     )`,
  );
  const { rows } = await client.query<{ thread_id: string; body: string }>(
    `SELECT thread_id, body FROM ${quoted}.checkpoints WHERE strpos(body, '"usage"') > 0`,
  );
  const sums = new Map<string, UsageRow>();
  for (const { thread_id: key, body } of rows) {
    const { metadata } = deserialize(body) as { metadata?: Record<string, unknown> };
    for (const row of usageRows(key, metadata ?? {})) {
      const id = JSON.stringify([row.threadId, row.runId, row.node]);
      const earlier = sums.get(id);
      sums.set(id, earlier ? { ...row, counts: addCounts(earlier.counts, row.counts) } : row);
    }
  }
  const all = [...sums.values()];
  if (all.length === 0) return;
  await client.query(
    `INSERT INTO ${quoted}.usage_totals
       (thread_id, run_id, node, input_tokens, output_tokens, total_tokens, cost)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])`,
    [
      all.map((row) => row.threadId),
      all.map((row) => row.runId),
      all.map((row) => row.node),
      all.map((row) => row.counts.input_tokens),
      all.map((row) => row.counts.output_tokens),
      all.map((row) => row.counts.total_tokens),
      all.map((row) => row.counts.cost ?? null),
    ],
  );
}

// An administrator's connection for the Postgres tests: holds locks, ends sessions, edits rows
// behind the checkpointer's back, the way a DBA or another process would.
import pg from "pg";
import type { AuditEntry } from "../../../src/index.js";
import { sleep } from "../../support.js";

export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Waits until another session of this database (not one of `except`) waits for a lock, and
 * returns its process id. `monitor` must not be inside a transaction: there pg_stat_activity is a
 * snapshot taken at its first read. Fails after `timeoutMs` (a generous bound for a loaded machine, not a
 * speed assertion).
 */
export async function lockWaiter(
  monitor: pg.Client,
  except: readonly number[] = [],
  timeoutMs = 30_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await monitor.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
         AND NOT (pid = ANY($1::int[]))`,
      [except],
    );
    if (rows[0]) return rows[0].pid;
    if (Date.now() > until) throw new Error(`no session waited for a lock within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Dana's answer to interrupt i-1, as an approval's commit carries it into the audit log. */
export const danasAnswer: AuditEntry = {
  at: new Date(0).toISOString(),
  actor: "dana",
  interruptId: "i-1",
  node: "approve",
  kind: "resume",
  value: true,
};

import type Database from "better-sqlite3";

/** Every statement the SQLite checkpointer runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  const prepare = (sql: string) => db.prepare(sql);
  return {
    thread: prepare(
      `SELECT thread_id, graph_name, graph_version, created_at, updated_at FROM threads WHERE thread_id = ?`,
    ),
    listThreads: prepare(
      `SELECT thread_id, graph_name, graph_version, created_at, updated_at FROM threads
       WHERE instr(thread_id, char(31)) = 0 ORDER BY updated_at DESC LIMIT ?`,
    ),
    touchThread: prepare(
      `INSERT INTO threads (thread_id, created_at, updated_at) VALUES (@thread, @now, @now)
       ON CONFLICT (thread_id) DO UPDATE SET updated_at = excluded.updated_at`,
    ),
    setThreadGraph: prepare(
      `INSERT INTO threads (thread_id, graph_name, graph_version, created_at, updated_at)
       VALUES (@thread, @name, @version, @now, @now)
       ON CONFLICT (thread_id) DO UPDATE SET graph_name = excluded.graph_name,
         graph_version = excluded.graph_version`,
    ),
    bindThreadGraph: prepare(
      `UPDATE threads SET graph_name = @name, graph_version = @version
       WHERE thread_id = @thread AND graph_name IS NULL`,
    ),
    threadsOlderThan: prepare(
      `SELECT thread_id FROM threads WHERE updated_at < ? AND instr(thread_id, char(31)) = 0`,
    ),
    namespacesOf: prepare(`SELECT thread_id FROM threads WHERE substr(thread_id, 1, ?) = ?`),

    appendAudit: prepare(
      `INSERT INTO audit (thread_id, at, actor, interrupt_id, node, kind, value)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    auditLog: prepare(
      `SELECT at, actor, interrupt_id, node, kind, value FROM audit WHERE thread_id = ? ORDER BY seq`,
    ),

    lease: prepare(`SELECT owner, expires_at FROM leases WHERE thread_id = ?`),
    putLease: prepare(
      `INSERT OR REPLACE INTO leases (thread_id, owner, expires_at) VALUES (?, ?, ?)`,
    ),
    renewLease: prepare(`UPDATE leases SET expires_at = ? WHERE thread_id = ? AND owner = ?`),
    releaseLease: prepare(`DELETE FROM leases WHERE thread_id = ? AND owner = ?`),

    insertCheckpoint: prepare(
      `INSERT INTO checkpoints (thread_id, checkpoint_id, parent_id, step, source, created_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    latestCheckpoint: prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = ? ORDER BY checkpoint_id DESC LIMIT 1`,
    ),
    checkpoint: prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = ? AND checkpoint_id = ?`,
    ),
    // History pages, newest first: the limit is applied by the index walk, not after it.
    newestCheckpoints: prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = @thread ORDER BY checkpoint_id DESC LIMIT @limit`,
    ),
    checkpointsBefore: prepare(
      `SELECT checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = @thread AND checkpoint_id < @before ORDER BY checkpoint_id DESC LIMIT @limit`,
    ),
    checkpointIds: prepare(
      `SELECT checkpoint_id, parent_id FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_id DESC`,
    ),
    deleteCheckpoint: prepare(`DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id = ?`),

    insertVersion: prepare(
      `INSERT INTO channel_versions (thread_id, channel, version, kind, previous, data)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (thread_id, channel, version) DO UPDATE
         SET kind = excluded.kind, previous = excluded.previous, data = excluded.data
       RETURNING id`,
    ),
    versionHeads: prepare(
      `SELECT v.channel, v.version, v.kind, p.version AS previous
       FROM channel_versions v LEFT JOIN channel_versions p ON p.id = v.previous
       WHERE v.thread_id = ?`,
    ),
    versionRow: prepare(
      `SELECT v.id, v.kind, v.previous AS previous_id, p.version AS previous, v.data
       FROM channel_versions v LEFT JOIN channel_versions p ON p.id = v.previous
       WHERE v.thread_id = ? AND v.channel = ? AND v.version = ?`,
    ),
    deleteVersion: prepare(
      `DELETE FROM channel_versions WHERE thread_id = ? AND channel = ? AND version = ?`,
    ),
    // A version and the rows it extends, newest first, back to (and including) a full value.
    // A version's own row: a full value needs no walk (the common case for a read).
    chainHead: prepare(
      `SELECT id, version, kind, previous, data FROM channel_versions
       WHERE thread_id = @thread AND channel = @channel AND version = @version`,
    ),
    chain: prepare(
      `WITH RECURSIVE chain (id, version, kind, previous, data, depth) AS (
         SELECT id, version, kind, previous, data, 0 FROM channel_versions
         WHERE thread_id = @thread AND channel = @channel AND version = @version
         UNION ALL
         SELECT v.id, v.version, v.kind, v.previous, v.data, chain.depth + 1
         FROM chain JOIN channel_versions v ON v.id = chain.previous
         WHERE chain.kind <> 'value'
       )
       SELECT id, version, kind, previous, data FROM chain ORDER BY depth`,
    ),
    // The same walk with sizes only: what deciding the next write's layout needs.
    chainSizes: prepare(
      `WITH RECURSIVE chain (id, kind, previous, bytes, depth) AS (
         SELECT id, kind, previous, length(data), 0 FROM channel_versions
         WHERE thread_id = @thread AND channel = @channel AND version = @version
         UNION ALL
         SELECT v.id, v.kind, v.previous, length(v.data), chain.depth + 1
         FROM chain JOIN channel_versions v ON v.id = chain.previous
         WHERE chain.kind <> 'value'
       )
       SELECT id, kind, bytes FROM chain ORDER BY depth`,
    ),

    insertWrite: prepare(
      `INSERT INTO pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deleteTaskWrites: prepare(
      `DELETE FROM pending_writes WHERE thread_id = ? AND checkpoint_id = ? AND task_id = ?`,
    ),
    deleteCheckpointWrites: prepare(
      `DELETE FROM pending_writes WHERE thread_id = ? AND checkpoint_id = ?`,
    ),
    latestWritesOnChannel: prepare(
      `SELECT p.thread_id, p.task_id, p.data FROM pending_writes p
       WHERE p.channel = ? AND instr(p.thread_id, char(31)) = 0 AND p.checkpoint_id =
         (SELECT max(c.checkpoint_id) FROM checkpoints c WHERE c.thread_id = p.thread_id)
       ORDER BY p.thread_id, p.task_id, p.idx`,
    ),
    // A page of them in the order pendingSortKey describes (pending-order.ts).
    pageWritesOnChannel: prepare(
      `SELECT thread_id, task_id, data, sort_key FROM (
         SELECT p.thread_id, p.task_id, p.data,
           CASE WHEN json_extract(p.data, '$.' || :first) IS NULL THEN '1'
             ELSE '0' || json_extract(p.data, '$.' || :first) END
           || char(1) || ifnull(json_extract(p.data, '$.' || :then), '')
           || char(1) || p.thread_id || char(1) || p.task_id AS sort_key
         FROM pending_writes p
         WHERE p.channel = :channel AND instr(p.thread_id, char(31)) = 0 AND p.checkpoint_id =
           (SELECT max(c.checkpoint_id) FROM checkpoints c WHERE c.thread_id = p.thread_id))
       WHERE :after IS NULL OR sort_key > :after
       ORDER BY sort_key LIMIT :limit`,
    ),
    countWritesOnChannel: prepare(
      `SELECT count(*) AS total FROM pending_writes p
       WHERE p.channel = ? AND instr(p.thread_id, char(31)) = 0 AND p.checkpoint_id =
         (SELECT max(c.checkpoint_id) FROM checkpoints c WHERE c.thread_id = p.thread_id)`,
    ),
    writesOf: prepare(
      `SELECT task_id, channel, data FROM pending_writes
       WHERE thread_id = ? AND checkpoint_id = ? ORDER BY task_id, idx`,
    ),

    // Subgraph namespaces: which ones a thread's checkpoints still need, and copying them.
    writesOnChannel: prepare(
      `SELECT checkpoint_id, data FROM pending_writes WHERE thread_id = ? AND channel = ?`,
    ),
    countCheckpoints: prepare(`SELECT count(*) AS n FROM checkpoints WHERE thread_id = ?`),
    copyCheckpointWrites: prepare(
      `INSERT INTO pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       SELECT @to, checkpoint_id, task_id, idx, channel, data FROM pending_writes
       WHERE thread_id = @from AND checkpoint_id = @checkpoint`,
    ),
    copyThreadRow: prepare(
      `INSERT INTO threads (thread_id, graph_name, graph_version, created_at, updated_at)
       SELECT @to, graph_name, graph_version, @now, @now FROM threads WHERE thread_id = @from`,
    ),
    copyThreadCheckpoints: prepare(
      `INSERT INTO checkpoints (thread_id, checkpoint_id, parent_id, step, source, created_at, body)
       SELECT @to, checkpoint_id, parent_id, step, source, created_at, body FROM checkpoints
       WHERE thread_id = @from`,
    ),
    copyThreadVersions: prepare(
      `INSERT INTO channel_versions (thread_id, channel, version, kind, previous, data)
       SELECT @to, channel, version, kind, previous, data FROM channel_versions
       WHERE thread_id = @from`,
    ),
    copyThreadWrites: prepare(
      `INSERT INTO pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       SELECT @to, checkpoint_id, task_id, idx, channel, data FROM pending_writes
       WHERE thread_id = @from`,
    ),

    deleteThreadCheckpoints: prepare(`DELETE FROM checkpoints WHERE thread_id = ?`),
    deleteThreadVersions: prepare(`DELETE FROM channel_versions WHERE thread_id = ?`),
    deleteThreadWrites: prepare(`DELETE FROM pending_writes WHERE thread_id = ?`),
    deleteThreadLease: prepare(`DELETE FROM leases WHERE thread_id = ?`),
    deleteThreadRow: prepare(`DELETE FROM threads WHERE thread_id = ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

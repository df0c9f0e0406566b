/**
 * Every statement the Postgres checkpointer runs, as named prepared statements (each connection
 * parses one once) over the schema `quoted`. Namespaces of a thread (its key, the separator \x1f,
 * the namespace) sort bytewise between `key || chr(31)` and `key || chr(32)`.
 */
export function buildStatements(schema: string, quoted: string) {
  const s = quoted;
  const named = <Key extends string>(key: Key, text: string) => ({
    name: `switchyard.${schema}.${key}`,
    text,
  });
  const checkpointColumns = "checkpoint_id, parent_id, step, source, created_at, body";
  const threadColumns = "thread_id, graph_name, graph_version, created_at, updated_at";
  /** One row when lease owner `owner` (a text parameter, null: no lease asked) holds `thread`. */
  const leaseCheck = (owner: string, thread: string) =>
    `held AS (
       SELECT 1 FROM ${s}.leases
       WHERE ${owner}::text IS NOT NULL AND thread_id = ${thread}::text AND owner = ${owner}::text
       FOR SHARE
     ), allowed AS (
       SELECT 1 AS one FROM held UNION ALL SELECT 1 WHERE ${owner}::text IS NULL
     )`;
  /** Adds rows (thread, run, node, input, output, total, cost) to the usage sums. */
  const addUsage = (columns: string, from: string) =>
    `INSERT INTO ${s}.usage_totals
       (thread_id, run_id, node, input_tokens, output_tokens, total_tokens, cost)
     SELECT ${columns} FROM ${from}
     ON CONFLICT (thread_id, run_id, node) DO UPDATE SET
       input_tokens = ${s}.usage_totals.input_tokens + excluded.input_tokens,
       output_tokens = ${s}.usage_totals.output_tokens + excluded.output_tokens,
       total_tokens = ${s}.usage_totals.total_tokens + excluded.total_tokens,
       cost = CASE WHEN ${s}.usage_totals.cost IS NULL AND excluded.cost IS NULL THEN NULL
                   ELSE coalesce(${s}.usage_totals.cost, 0) + coalesce(excluded.cost, 0) END`;
  const ofThreadAndNamespaces =
    "(thread_id = $1 OR (thread_id >= $1 || chr(31) AND thread_id < $1 || chr(32)))";
  return {
    thread: named("thread", `SELECT ${threadColumns} FROM ${s}.threads WHERE thread_id = $1`),
    lockThread: named(
      "lockThread",
      `SELECT ${threadColumns} FROM ${s}.threads WHERE thread_id = $1 FOR UPDATE`,
    ),
    listThreads: named(
      "listThreads",
      `SELECT ${threadColumns} FROM ${s}.threads WHERE strpos(thread_id, chr(31)) = 0
       ORDER BY updated_at DESC LIMIT $1`,
    ),
    threadsOlderThan: named(
      "threadsOlderThan",
      `SELECT thread_id FROM ${s}.threads WHERE updated_at < $1 AND strpos(thread_id, chr(31)) = 0`,
    ),
    setThreadGraph: named(
      "setThreadGraph",
      `INSERT INTO ${s}.threads (${threadColumns}) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (thread_id) DO UPDATE SET graph_name = excluded.graph_name,
         graph_version = excluded.graph_version`,
    ),

    auditLog: named(
      "auditLog",
      `SELECT at, actor, interrupt_id, node, kind, value FROM ${s}.audit WHERE thread_id = $1 ORDER BY seq`,
    ),

    // Leases: expiry is the server's clock, the one every machine of a fleet shares.
    leaseShared: named(
      "leaseShared",
      `SELECT owner FROM ${s}.leases WHERE thread_id = $1 FOR SHARE`,
    ),
    leaseLocked: named(
      "leaseLocked",
      `SELECT expires_at, expires_at > clock_timestamp() AS live FROM ${s}.leases
       WHERE thread_id = $1 FOR UPDATE`,
    ),
    acquireLease: named(
      "acquireLease",
      `INSERT INTO ${s}.leases AS l (thread_id, owner, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE l.owner = excluded.owner OR l.expires_at <= clock_timestamp()
       RETURNING owner`,
    ),
    acquireNewThreadLease: named(
      "acquireNewThreadLease",
      `INSERT INTO ${s}.leases AS l (thread_id, owner, expires_at)
       SELECT $1, $2, clock_timestamp() + $3 * interval '1 millisecond'
       WHERE NOT EXISTS (SELECT 1 FROM ${s}.threads WHERE thread_id = $1)
       ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE l.owner = excluded.owner OR l.expires_at <= clock_timestamp()
       RETURNING owner`,
    ),
    leaseExpiry: named("leaseExpiry", `SELECT expires_at FROM ${s}.leases WHERE thread_id = $1`),
    renewLease: named(
      "renewLease",
      `UPDATE ${s}.leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
       WHERE thread_id = $1 AND owner = $2
       RETURNING owner`,
    ),
    releaseLease: named(
      "releaseLease",
      `DELETE FROM ${s}.leases WHERE thread_id = $1 AND owner = $2`,
    ),

    latestCheckpoint: named(
      "latestCheckpoint",
      `SELECT ${checkpointColumns} FROM ${s}.checkpoints WHERE thread_id = $1
       ORDER BY checkpoint_id DESC LIMIT 1`,
    ),
    checkpoint: named(
      "checkpoint",
      `SELECT ${checkpointColumns} FROM ${s}.checkpoints WHERE thread_id = $1 AND checkpoint_id = $2`,
    ),
    listCheckpoints: named(
      "listCheckpoints",
      `SELECT ${checkpointColumns} FROM ${s}.checkpoints
       WHERE thread_id = $1 AND ($2::text IS NULL OR checkpoint_id < $2::text)
       ORDER BY checkpoint_id DESC LIMIT $3`,
    ),
    checkpointParents: named(
      "checkpointParents",
      `SELECT checkpoint_id, parent_id FROM ${s}.checkpoints WHERE thread_id = $1`,
    ),
    checkpointBodies: named(
      "checkpointBodies",
      `SELECT ${checkpointColumns} FROM ${s}.checkpoints
       WHERE thread_id = $1 AND checkpoint_id = ANY($2::text[])`,
    ),
    lineage: named(
      "lineage",
      `WITH RECURSIVE lineage AS (
         SELECT ${checkpointColumns} FROM ${s}.checkpoints WHERE thread_id = $1 AND checkpoint_id = $2
         UNION ALL
         SELECT c.checkpoint_id, c.parent_id, c.step, c.source, c.created_at, c.body
         FROM lineage l JOIN ${s}.checkpoints c ON c.thread_id = $1 AND c.checkpoint_id = l.parent_id
       )
       SELECT ${checkpointColumns} FROM lineage`,
    ),

    /** Each channel's chain, newest first, down to (and including) the nearest full value. */
    chains: named(
      "chains",
      `WITH RECURSIVE chain AS (
         SELECT v.channel, v.kind, v.previous, v.data, 0 AS depth
         FROM unnest($2::text[], $3::text[]) AS head (channel, version)
         JOIN ${s}.channel_versions v
           ON v.thread_id = $1 AND v.channel = head.channel AND v.version = head.version
         UNION ALL
         SELECT v.channel, v.kind, v.previous, v.data, chain.depth + 1
         FROM chain JOIN ${s}.channel_versions v
           ON v.thread_id = $1 AND v.channel = chain.channel AND v.version = chain.previous
         WHERE chain.kind = 'delta'
       )
       SELECT channel, kind, data FROM chain ORDER BY channel, depth`,
    ),
    versionHeads: named(
      "versionHeads",
      `SELECT channel, version, kind, previous FROM ${s}.channel_versions WHERE thread_id = $1`,
    ),
    deleteVersions: named(
      "deleteVersions",
      `DELETE FROM ${s}.channel_versions
       WHERE thread_id = $1 AND (channel, version) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    ),

    writesOf: named(
      "writesOf",
      `SELECT task_id, channel, data FROM ${s}.pending_writes
       WHERE thread_id = $1 AND checkpoint_id = $2 ORDER BY task_id, idx`,
    ),
    latestWritesOnChannel: named(
      "latestWritesOnChannel",
      `SELECT p.thread_id, p.task_id, p.data FROM ${s}.pending_writes p
       WHERE p.channel = $1 AND strpos(p.thread_id, chr(31)) = 0 AND p.checkpoint_id =
         (SELECT max(c.checkpoint_id) FROM ${s}.checkpoints c WHERE c.thread_id = p.thread_id)
       ORDER BY p.thread_id, p.task_id, p.idx`,
    ),
    // A page of them in the order pendingSortKey describes (pending-order.ts); "C": byte order.
    pageWritesOnChannel: named(
      "pageWritesOnChannel",
      `SELECT thread_id, task_id, data, sort_key FROM (
         SELECT p.thread_id, p.task_id, p.data,
           (CASE WHEN (p.data::json ->> $2) IS NULL THEN '1' ELSE '0' || (p.data::json ->> $2) END
             || chr(1) || coalesce(p.data::json ->> $3, '')
             || chr(1) || p.thread_id || chr(1) || p.task_id) COLLATE "C" AS sort_key
         FROM ${s}.pending_writes p
         WHERE p.channel = $1 AND strpos(p.thread_id, chr(31)) = 0 AND p.checkpoint_id =
           (SELECT max(c.checkpoint_id) FROM ${s}.checkpoints c WHERE c.thread_id = p.thread_id)
       ) page
       WHERE $4::text IS NULL OR sort_key > $4::text
       ORDER BY sort_key LIMIT $5`,
    ),
    countWritesOnChannel: named(
      "countWritesOnChannel",
      `SELECT count(*)::int AS total FROM ${s}.pending_writes p
       WHERE p.channel = $1 AND strpos(p.thread_id, chr(31)) = 0 AND p.checkpoint_id =
         (SELECT max(c.checkpoint_id) FROM ${s}.checkpoints c WHERE c.thread_id = p.thread_id)`,
    ),

    /**
     * A superstep's commit in one statement (so one round trip, atomic by itself): the thread row
     * (created, touched, bound to its graph if it has none), the checkpoint, its channel versions,
     * the removal of the superstep's pending writes ($15; null keeps them) and the audit entries it
     * carries (filed under thread $23: a subgraph's entries go to its thread's log), the usage it
     * records added to thread $23's sums (run $24, by node $25–$29) — all only if `allowed` has its row, i.e. no lease is asked for ($22 null) or owner
     * $22 holds the lease of thread $23. The lease row is locked FOR SHARE before anything is
     * written (every insert reads `allowed`) and stays locked until the statement commits, so a
     * takeover waits for this write or finds it refused. Returns `allowed` = 0 when refused.
     */
    commit: named(
      "commit",
      `WITH ${leaseCheck("$22", "$23")},
       thread AS (
         INSERT INTO ${s}.threads AS t (${threadColumns})
         SELECT $1, $2, $3, $4, $4 FROM allowed
         ON CONFLICT (thread_id) DO UPDATE SET updated_at = excluded.updated_at,
           graph_name = COALESCE(t.graph_name, excluded.graph_name),
           graph_version = CASE WHEN t.graph_name IS NULL THEN excluded.graph_version
                                ELSE t.graph_version END
       ), checkpoint AS (
         INSERT INTO ${s}.checkpoints (thread_id, ${checkpointColumns})
         SELECT $1, $5, $6, $7, $8, $4, $9 FROM allowed
       ), versions AS (
         INSERT INTO ${s}.channel_versions (thread_id, channel, version, kind, previous, data)
         SELECT $1::text, v.* FROM allowed,
           unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) AS v
         ON CONFLICT (thread_id, channel, version) DO UPDATE
           SET kind = excluded.kind, previous = excluded.previous, data = excluded.data
       ), obsolete AS (
         DELETE FROM ${s}.pending_writes
         WHERE thread_id = $1 AND checkpoint_id = $15::text AND EXISTS (SELECT 1 FROM allowed)
       ), audit AS (
         INSERT INTO ${s}.audit (thread_id, at, actor, interrupt_id, node, kind, value)
         SELECT $23::text, a.* FROM allowed,
           unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[]) AS a
       ), usage AS (
         ${addUsage("$23::text, $24::text, u.*", "allowed, unnest($25::text[], $26::float8[], $27::float8[], $28::float8[], $29::float8[]) AS u")}
       )
       SELECT count(*)::int AS allowed FROM allowed`,
    ),
    /**
     * Pending writes of some tasks in one statement, replacing what those tasks ($3) wrote before,
     * with the audit entries they carry (filed under thread $15); only if `allowed` (as for
     * `commit`, lease $14 of $15).
     */
    putWrites: named(
      "putWrites",
      `WITH ${leaseCheck("$14", "$15")},
       fresh AS (
         SELECT f.* FROM allowed,
           unnest($4::text[], $5::int[], $6::text[], $7::text[]) AS f (task_id, idx, channel, data)
       ), stale AS (
         DELETE FROM ${s}.pending_writes p
         WHERE p.thread_id = $1 AND p.checkpoint_id = $2 AND p.task_id = ANY($3::text[])
           AND EXISTS (SELECT 1 FROM allowed)
           AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.task_id = p.task_id AND f.idx = p.idx)
       ), audit AS (
         INSERT INTO ${s}.audit (thread_id, at, actor, interrupt_id, node, kind, value)
         SELECT $15::text, a.* FROM allowed,
           unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS a
       ), written AS (
         INSERT INTO ${s}.pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
         SELECT $1, $2, task_id, idx, channel, data FROM fresh
         ON CONFLICT (thread_id, checkpoint_id, task_id, idx) DO UPDATE
           SET channel = excluded.channel, data = excluded.data
       )
       SELECT count(*)::int AS allowed FROM allowed`,
    ),

    deleteCheckpoints: named(
      "deleteCheckpoints",
      `WITH writes AS (
         DELETE FROM ${s}.pending_writes WHERE thread_id = $1 AND checkpoint_id = ANY($2::text[])
       )
       DELETE FROM ${s}.checkpoints WHERE thread_id = $1 AND checkpoint_id = ANY($2::text[])`,
    ),
    /** A thread and its namespaces, everything but the audit log (which outlives the thread). */
    deleteThread: named(
      "deleteThread",
      `WITH c AS (DELETE FROM ${s}.checkpoints WHERE ${ofThreadAndNamespaces}),
            v AS (DELETE FROM ${s}.channel_versions WHERE ${ofThreadAndNamespaces}),
            w AS (DELETE FROM ${s}.pending_writes WHERE ${ofThreadAndNamespaces}),
            l AS (DELETE FROM ${s}.leases WHERE thread_id = $1),
            u AS (DELETE FROM ${s}.usage_totals WHERE thread_id = $1)
       DELETE FROM ${s}.threads WHERE ${ofThreadAndNamespaces}`,
    ),
    /** The usage sums of thread $1 by node; of its run $2 only when $2 is not null. */
    usage: named(
      "usage",
      `SELECT node, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
              sum(total_tokens) AS total_tokens, sum(cost) AS cost
       FROM ${s}.usage_totals WHERE thread_id = $1 AND ($2::text IS NULL OR run_id = $2::text)
       GROUP BY node`,
    ),

    /** Every namespace key of thread $1, at any depth. */
    namespacesOf: named(
      "namespacesOf",
      `SELECT thread_id FROM ${s}.threads
       WHERE thread_id >= $1 || chr(31) AND thread_id < $1 || chr(32)`,
    ),
    /** The values key $1 wrote on channel $2 as pending writes of checkpoints $3. */
    writesOnChannel: named(
      "writesOnChannel",
      `SELECT data FROM ${s}.pending_writes
       WHERE thread_id = $1 AND channel = $2 AND checkpoint_id = ANY($3::text[])`,
    ),
    countCheckpoints: named(
      "countCheckpoints",
      `SELECT count(*)::int AS n FROM ${s}.checkpoints WHERE thread_id = ANY($1::text[])`,
    ),
    /** Everything stored under keys $1 exactly (namespace keys: not the keys below them). */
    deleteKeys: named(
      "deleteKeys",
      `WITH c AS (DELETE FROM ${s}.checkpoints WHERE thread_id = ANY($1::text[])),
            v AS (DELETE FROM ${s}.channel_versions WHERE thread_id = ANY($1::text[])),
            w AS (DELETE FROM ${s}.pending_writes WHERE thread_id = ANY($1::text[])),
            l AS (DELETE FROM ${s}.leases WHERE thread_id = ANY($1::text[]))
       DELETE FROM ${s}.threads WHERE thread_id = ANY($1::text[])`,
    ),
    copyThreadRow: named(
      "copyThreadRow",
      `INSERT INTO ${s}.threads (${threadColumns})
       SELECT $2, graph_name, graph_version, $3, $3 FROM ${s}.threads WHERE thread_id = $1
       ON CONFLICT (thread_id) DO NOTHING
       RETURNING thread_id`,
    ),
    copyCheckpoints: named(
      "copyCheckpoints",
      `INSERT INTO ${s}.checkpoints (thread_id, ${checkpointColumns})
       SELECT $2, ${checkpointColumns} FROM ${s}.checkpoints
       WHERE thread_id = $1 AND checkpoint_id = ANY($3::text[])`,
    ),
    copyCheckpointWrites: named(
      "copyCheckpointWrites",
      `INSERT INTO ${s}.pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       SELECT $2, checkpoint_id, task_id, idx, channel, data FROM ${s}.pending_writes
       WHERE thread_id = $1 AND checkpoint_id = ANY($3::text[])`,
    ),
    /** Copies everything stored under each key $1[i] to key $2[i] ($3: the copies' time). */
    copyKeys: named(
      "copyKeys",
      `WITH pairs AS (SELECT * FROM unnest($1::text[], $2::text[]) AS p (from_key, to_key)),
       t AS (
         INSERT INTO ${s}.threads (${threadColumns})
         SELECT p.to_key, t.graph_name, t.graph_version, $3, $3
         FROM pairs p JOIN ${s}.threads t ON t.thread_id = p.from_key
       ), c AS (
         INSERT INTO ${s}.checkpoints (thread_id, ${checkpointColumns})
         SELECT p.to_key, c.checkpoint_id, c.parent_id, c.step, c.source, c.created_at, c.body
         FROM pairs p JOIN ${s}.checkpoints c ON c.thread_id = p.from_key
       ), v AS (
         INSERT INTO ${s}.channel_versions (thread_id, channel, version, kind, previous, data)
         SELECT p.to_key, v.channel, v.version, v.kind, v.previous, v.data
         FROM pairs p JOIN ${s}.channel_versions v ON v.thread_id = p.from_key
       )
       INSERT INTO ${s}.pending_writes (thread_id, checkpoint_id, task_id, idx, channel, data)
       SELECT p.to_key, w.checkpoint_id, w.task_id, w.idx, w.channel, w.data
       FROM pairs p JOIN ${s}.pending_writes w ON w.thread_id = p.from_key`,
    ),
    copyVersions: named(
      "copyVersions",
      `INSERT INTO ${s}.channel_versions (thread_id, channel, version, kind, previous, data)
       SELECT $2, channel, version, kind, previous, data FROM ${s}.channel_versions
       WHERE thread_id = $1 AND (channel, version) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
    ),
  };
}

export type Statements = ReturnType<typeof buildStatements>;
export type Statement = Statements[keyof Statements];

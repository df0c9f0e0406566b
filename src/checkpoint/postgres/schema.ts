import { DatabaseTooNewError, InvalidConfigError, SchemaNotFoundError } from "../../errors.js";
import type { PostgresConnection, Queryable } from "./connection.js";
import { errorCode } from "./failures.js";
import { migrateUsage } from "./usage.js";

/**
 * Forward migrations of the Switchyard schema; entry N upgrades a schema at version N to N + 1.
 * Append only: a released migration never changes. `{schema}` stands for the quoted schema name. Every
 * key column sorts bytewise (COLLATE "C"), as the ids are compared in code.
 */
const MIGRATIONS: ReadonlyArray<string | ((client: Queryable, quoted: string) => Promise<void>)> = [
  `CREATE TABLE {schema}.threads (
     thread_id     text COLLATE "C" PRIMARY KEY,
     graph_name    text,
     graph_version text,
     created_at    text COLLATE "C" NOT NULL,
     updated_at    text COLLATE "C" NOT NULL
   );
   CREATE INDEX threads_by_update ON {schema}.threads (updated_at);
   CREATE TABLE {schema}.checkpoints (
     thread_id     text COLLATE "C" NOT NULL,
     checkpoint_id text COLLATE "C" NOT NULL,
     parent_id     text COLLATE "C",
     step          integer NOT NULL,
     source        text NOT NULL,
     created_at    text NOT NULL,
     body          text NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id)
   );
   CREATE TABLE {schema}.channel_versions (
     thread_id text COLLATE "C" NOT NULL,
     channel   text COLLATE "C" NOT NULL,
     version   text COLLATE "C" NOT NULL,
     kind      text NOT NULL CHECK (kind IN ('value', 'delta')),
     previous  text COLLATE "C",
     data      text NOT NULL,
     PRIMARY KEY (thread_id, channel, version)
   );
   CREATE TABLE {schema}.pending_writes (
     thread_id     text COLLATE "C" NOT NULL,
     checkpoint_id text COLLATE "C" NOT NULL,
     task_id       text COLLATE "C" NOT NULL,
     idx           integer NOT NULL,
     channel       text COLLATE "C" NOT NULL,
     data          text NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id, task_id, idx)
   );
   CREATE INDEX pending_writes_by_channel ON {schema}.pending_writes (channel, thread_id);
   CREATE TABLE {schema}.leases (
     thread_id  text COLLATE "C" PRIMARY KEY,
     owner      text NOT NULL,
     expires_at timestamptz NOT NULL
   );
   CREATE TABLE {schema}.audit (
     seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     thread_id    text COLLATE "C" NOT NULL,
     at           text NOT NULL,
     actor        text NOT NULL,
     interrupt_id text NOT NULL,
     node         text NOT NULL,
     kind         text NOT NULL,
     value        text NOT NULL
   );
   CREATE INDEX audit_by_thread ON {schema}.audit (thread_id, seq);`,
  // 1 -> 2: the node cache (PostgresCache). Expiry is the server's clock, as for leases.
  `CREATE TABLE {schema}.node_cache (
     namespace  text COLLATE "C" NOT NULL,
     key        text COLLATE "C" NOT NULL,
     value      text NOT NULL,
     expires_at timestamptz,
     PRIMARY KEY (namespace, key)
   );`,
  // 2 -> 3 (issue 16): token usage summed per thread, run and node as checkpoints are committed,
  // filled from the checkpoints already stored.
  migrateUsage,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The schema name as an SQL identifier; only plain names are accepted. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidConfigError(
      `PostgresCheckpointer's schema "${schema}" is not a plain lower-case Postgres name ` +
        `(letters, digits and _, not starting with a digit, at most 63). Choose one such as "switchyard".`,
    );
  }
  return `"${schema}"`;
}

/**
 * Brings the schema to SCHEMA_VERSION before first use. A schema already current is only read; a
 * missing one is created (unless `create` is false: SCHEMA_NOT_FOUND); a newer one is refused with
 * DATABASE_TOO_NEW and left untouched. Processes starting together migrate one at a time: the
 * migration holds a transaction-scoped advisory lock named after the schema.
 */
export async function ensureSchema(
  connection: PostgresConnection,
  schema: string,
  create: boolean,
): Promise<void> {
  const quoted = quoteSchema(schema);
  const version = await readVersion(connection, quoted);
  if (version === SCHEMA_VERSION) return;
  if (version !== undefined && version > SCHEMA_VERSION) {
    throw new DatabaseTooNewError(connection.where, version, SCHEMA_VERSION);
  }
  if (version === undefined && !create) throw new SchemaNotFoundError(connection.where, schema);
  await connection.transaction(undefined, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`switchyard:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_version (
         only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
         version  integer NOT NULL
       )`,
    );
    const current = await lockedVersion(client, quoted);
    if (current > SCHEMA_VERSION) {
      throw new DatabaseTooNewError(connection.where, current, SCHEMA_VERSION);
    }
    for (let next = current; next < SCHEMA_VERSION; next += 1) {
      const migration = MIGRATIONS[next];
      if (typeof migration === "function") await migration(client, quoted);
      else await client.query((migration as string).replaceAll("{schema}.", `${quoted}.`));
    }
    await client.query(
      `INSERT INTO ${quoted}.schema_version (only_row, version) VALUES (true, $1)
       ON CONFLICT (only_row) DO UPDATE SET version = excluded.version`,
      [SCHEMA_VERSION],
    );
  });
}

/** The schema's version, or undefined when it has no Switchyard tables yet. */
async function readVersion(
  connection: PostgresConnection,
  quoted: string,
): Promise<number | undefined> {
  try {
    const rows = await connection.query<{ version: number }>(undefined, {
      text: `SELECT version FROM ${quoted}.schema_version`,
    });
    return rows[0]?.version ?? 0;
  } catch (error) {
    // 42P01: no such table; 3F000: no such schema.
    if (errorCode(error) === "42P01" || errorCode(error) === "3F000") return undefined;
    throw error;
  }
}

async function lockedVersion(client: Queryable, quoted: string): Promise<number> {
  const result = await client.query<{ version: number }>(
    `SELECT version FROM ${quoted}.schema_version FOR UPDATE`,
  );
  return result.rows[0]?.version ?? 0;
}

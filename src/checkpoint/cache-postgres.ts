import type pg from "pg";
import { namespaceText, type CacheEntry, type CacheKey, type NodeCache } from "./cache.js";
import { PostgresConnection, type ConnectionOptions } from "./postgres/connection.js";
import { ensureSchema, quoteSchema } from "./postgres/schema.js";
import { deserialize, serialize } from "./serializer.js";

export interface PostgresCacheOptions extends ConnectionOptions {
  /** The Postgres schema holding Switchyard's tables (default "switchyard"), as the checkpointer's. */
  readonly schema?: string;
  /**
   * Create (or migrate) the schema when it is missing or older (default true). With false, a
   * database without Switchyard's tables is refused with SCHEMA_NOT_FOUND.
   */
  readonly create?: boolean;
}

/**
 * The node cache in the Switchyard Postgres database, in a `node_cache` table of its own (made
 * by the schema migrations, beside the checkpoints), so every process of a fleet shares cached
 * node results. Expiry is the server's clock; an expired entry is deleted when it is next read.
 * Each method is one statement.
 *
 * @example
 * const checkpointer = new PostgresCheckpointer(process.env.DATABASE_URL!);
 * const cache = new PostgresCache(process.env.DATABASE_URL!);
 * const graph = builder.compile({ checkpointer, cache });
 * // …
 * await cache.close();
 */
export class PostgresCache implements NodeCache {
  readonly schema: string;
  /** The database, for messages: the connection string without its password, and the schema. */
  readonly where: string;
  private readonly connection: PostgresConnection;
  private readonly create: boolean;
  private readonly statements: ReturnType<typeof cacheStatements>;
  private ready: Promise<void> | undefined;

  /** `source`: a connection string (the cache makes and ends its pool) or a pg.Pool of yours. */
  constructor(source: string | pg.Pool, options: PostgresCacheOptions = {}) {
    this.schema = options.schema ?? "switchyard";
    this.statements = cacheStatements(this.schema, quoteSchema(this.schema));
    this.create = options.create ?? true;
    this.connection = new PostgresConnection(source, this.schema, options);
    this.where = this.connection.where;
  }

  async get(keys: readonly CacheKey[]): Promise<Array<CacheKey & { value: unknown }>> {
    if (keys.length === 0) return [];
    await this.ensureReady();
    const asked = new Map(keys.map((key) => [entryId(namespaceText(key.namespace), key.key), key]));
    const rows = await this.connection.query<{ namespace: string; key: string; value: string }>(
      undefined,
      this.statements.get,
      [keys.map((key) => namespaceText(key.namespace)), keys.map((key) => key.key)],
    );
    const found: Array<CacheKey & { value: unknown }> = [];
    for (const row of rows) {
      const key = asked.get(entryId(row.namespace, row.key));
      if (key)
        found.push({ namespace: key.namespace, key: key.key, value: deserialize(row.value) });
    }
    return found;
  }

  async set(entries: readonly CacheEntry[]): Promise<void> {
    // Serialized first: a value that cannot be stored aborts with nothing written. One row per
    // namespace and key (the last entry wins), as one upsert may not touch a row twice.
    const rows = new Map<string, [string, string, string, number | null]>();
    for (const { namespace, key, value, ttl } of entries) {
      const name = namespaceText(namespace);
      rows.set(entryId(name, key), [name, key, serialize(value, "cached value"), ttl ?? null]);
    }
    if (rows.size === 0) return;
    await this.ensureReady();
    const columns = [...rows.values()];
    await this.connection.write(undefined, this.statements.set, [
      columns.map((row) => row[0]),
      columns.map((row) => row[1]),
      columns.map((row) => row[2]),
      columns.map((row) => row[3]),
    ]);
  }

  async clear(namespaces: ReadonlyArray<readonly string[]> = []): Promise<void> {
    await this.ensureReady();
    await this.connection.write(undefined, this.statements.clear, [
      namespaces.length === 0 ? null : namespaces.map(namespaceText),
    ]);
  }

  /** Ends the connection pool if the cache created it (a pool passed in stays open). */
  async close(): Promise<void> {
    await this.connection.end();
  }

  /** Creates or migrates the schema once, before the first statement; a failure is tried again. */
  private ensureReady(): Promise<void> {
    this.ready ??= ensureSchema(this.connection, this.schema, this.create).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

function entryId(namespace: string, key: string): string {
  return `${namespace}\u0000${key}`;
}

function cacheStatements(schema: string, s: string) {
  const named = (key: string, text: string) => ({
    name: `switchyard.${schema}.cache.${key}`,
    text,
  });
  return {
    /** The live entries of the keys ($1[i], $2[i]); deletes the expired ones among them. */
    get: named(
      "get",
      `WITH asked AS (SELECT * FROM unnest($1::text[], $2::text[]) AS a (namespace, key)),
       expired AS (
         DELETE FROM ${s}.node_cache c USING asked a
         WHERE c.namespace = a.namespace AND c.key = a.key AND c.expires_at <= clock_timestamp()
       )
       SELECT c.namespace, c.key, c.value FROM ${s}.node_cache c
       JOIN asked a ON c.namespace = a.namespace AND c.key = a.key
       WHERE c.expires_at IS NULL OR c.expires_at > clock_timestamp()`,
    ),
    /** Upserts the entries; $4: seconds each lives (null: forever). */
    set: named(
      "set",
      `INSERT INTO ${s}.node_cache AS c (namespace, key, value, expires_at)
       SELECT e.namespace, e.key, e.value,
         clock_timestamp() + e.ttl * interval '1 second'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS e (namespace, key, value, ttl)
       ON CONFLICT (namespace, key) DO UPDATE
         SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    /** Every entry under namespaces $1; every entry when $1 is null. */
    clear: named(
      "clear",
      `DELETE FROM ${s}.node_cache WHERE $1::text[] IS NULL OR namespace = ANY($1::text[])`,
    ),
  };
}

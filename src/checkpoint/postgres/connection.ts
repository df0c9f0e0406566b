import pg from "pg";
import { connectFailure, isConflict, isConnectionFailure, storageFailure } from "./failures.js";

/** What a statement needs: a pooled client inside or outside a transaction. */
export type Queryable = Pick<pg.PoolClient, "query">;

/** A statement's text, and its name when it is prepared once per connection. */
export interface StatementText {
  readonly name?: string;
  readonly text: string;
}

/** Runs `statement` on `client` and returns its rows. */
export async function run<Row>(
  client: Queryable,
  statement: StatementText,
  values: readonly unknown[] = [],
): Promise<Row[]> {
  const result = await client.query({ ...statement, values: values as unknown[] });
  return result.rows as Row[];
}

export interface ConnectionOptions {
  /** Connections of a pool the checkpointer creates (default 10). */
  readonly max?: number;
  /** How long to wait for a connection, in ms (default 10 s), before DATABASE_UNREACHABLE. */
  readonly connectionTimeoutMs?: number;
  /** How often a transaction that hit a serialization failure or deadlock is tried again (default 5). */
  readonly conflictRetries?: number;
}

/** The longest pause between two tries of a conflicting transaction. */
const MAX_PAUSE_MS = 200;

/**
 * A pool of connections to one Postgres database and how the checkpointer uses it: transactions
 * that are tried again (with growing, jittered pauses) when the server reports a serialization
 * failure or a deadlock, and failures turned into named errors. A client whose connection broke is
 * destroyed, never returned to the pool.
 */
export class PostgresConnection {
  readonly pool: pg.Pool;
  /** The database for messages: the connection string without its password. */
  readonly where: string;
  private readonly ownsPool: boolean;
  private readonly conflictRetries: number;
  private ended = false;

  constructor(source: string | pg.Pool, schema: string, options: ConnectionOptions = {}) {
    this.ownsPool = typeof source === "string";
    this.pool =
      typeof source === "string"
        ? new pg.Pool({
            connectionString: source,
            max: options.max ?? 10,
            connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
          })
        : source;
    // An idle client whose server session ended (a restart, pg_terminate_backend) is reported on
    // the pool; the pool drops it, and the next use connects afresh. Without a listener the
    // 'error' event would end the process.
    this.pool.on("error", () => undefined);
    this.where = `${describe(source)} (schema "${schema}")`;
    this.conflictRetries = options.conflictRetries ?? 5;
  }

  /** One statement on its own (autocommit). */
  async query<Row>(
    threadId: string | undefined,
    statement: StatementText,
    values: readonly unknown[] = [],
  ): Promise<Row[]> {
    const client = await this.connect(threadId);
    try {
      const rows = await run<Row>(client, statement, values);
      client.release();
      return rows;
    } catch (error) {
      client.release(isConnectionFailure(error));
      throw storageFailure(error, this.where, threadId, { committing: false, attempts: 1 });
    }
  }

  /**
   * Runs `work` in one transaction and commits it. A serialization failure or deadlock rolls it
   * back and runs `work` again (up to `conflictRetries` more times), so `work` must only read and
   * write through `client`. Other failures roll back and are thrown as named errors.
   */
  async transaction<T>(
    threadId: string | undefined,
    work: (client: Queryable) => Promise<T>,
    options: { readonly isolation?: "repeatable read" } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.connect(threadId);
      let committing = false;
      try {
        await client.query(options.isolation ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
        const result = await work(client);
        committing = true;
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error) {
        const broken = isConnectionFailure(error) || !(await rollback(client));
        client.release(broken);
        if (isConflict(error) && attempt <= this.conflictRetries) {
          await pause(attempt);
          continue;
        }
        throw storageFailure(error, this.where, threadId, { committing, attempts: attempt });
      }
    }
  }

  /** Ends the pool if this checkpointer created it; a pool passed in stays open. */
  async end(): Promise<void> {
    if (!this.ownsPool || this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  private async connect(threadId: string | undefined): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw connectFailure(error, this.where, threadId);
    }
  }
}

/** Rolls back what is left of a failed transaction; false if the connection is unusable. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query("ROLLBACK");
    return true;
  } catch {
    return false;
  }
}

function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(MAX_PAUSE_MS, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
}

/** A connection string or pool as `postgres://user@host:port/database`, never with a password. */
function describe(source: string | pg.Pool): string {
  if (typeof source !== "string") {
    const { host, port, database, user } = source.options;
    return `postgres://${user ?? ""}@${host ?? "localhost"}:${port ?? 5432}/${database ?? ""}`;
  }
  try {
    const url = new URL(source);
    url.password = "";
    url.search = "";
    return url.toString();
  } catch {
    return "the configured Postgres database";
  }
}

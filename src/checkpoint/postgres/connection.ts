import type pg from "pg";
import { DatabaseUnavailableError } from "../../errors.js";
import {
  connectFailure,
  endedBeforeCommit,
  isConflict,
  isConnectionFailure,
  storageFailure,
} from "./failures.js";

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
  /** The database for messages: the connection string without its password. */
  readonly where: string;
  private readonly conflictRetries: number;
  /** The pool: the one passed in, or one made on first use (so loading pg costs nothing before). */
  private pool: Promise<pg.Pool> | undefined;
  private readonly ownsPool: boolean;
  private ended = false;

  constructor(
    private readonly source: string | pg.Pool,
    schema: string,
    private readonly options: ConnectionOptions = {},
  ) {
    this.ownsPool = typeof source === "string";
    if (typeof source !== "string") this.pool = Promise.resolve(watched(source));
    this.where = `${describe(source)} (schema "${schema}")`;
    this.conflictRetries = options.conflictRetries ?? 5;
  }

  /**
   * One statement on its own (autocommit). The checkpointer's single statements are idempotent
   * (a lease taken or renewed by its owner again, a release, a read), so a connection that broke
   * under one is replaced and the statement sent once more.
   */
  async query<Row>(
    threadId: string | undefined,
    statement: StatementText,
    values: readonly unknown[] = [],
  ): Promise<Row[]> {
    return this.attempt(threadId, (client) => run<Row>(client, statement, values), {});
  }

  /**
   * One statement that writes, on its own: atomic by itself, and its own commit. Conflicts are
   * retried (the server rolled it back), and so is a session the server ended before it
   * committed; a connection that just broke under it is reported, not retried, since the
   * statement may have committed (DATABASE_CONNECTION_LOST with duringCommit).
   */
  async write<Row>(
    threadId: string | undefined,
    statement: StatementText,
    values: readonly unknown[],
  ): Promise<Row[]> {
    return this.attempt(threadId, (client) => run<Row>(client, statement, values), {
      commitsAsSent: true,
    });
  }

  /**
   * Runs `work` in one transaction and commits it. A serialization failure or deadlock rolls it
   * back and runs `work` again (up to `conflictRetries` more times, after growing pauses), so
   * `work` must only read and write through `client`. A connection that breaks before COMMIT is
   * sent took its transaction with it: `work` runs once more on a fresh connection. Other
   * failures roll back and are thrown as named errors.
   */
  async transaction<T>(
    threadId: string | undefined,
    work: (client: Queryable) => Promise<T>,
    options: { readonly isolation?: "repeatable read" } = {},
  ): Promise<T> {
    const begin = options.isolation ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN";
    return this.attempt(threadId, work, { begin });
  }

  private async attempt<T>(
    threadId: string | undefined,
    work: (client: Queryable) => Promise<T>,
    mode: { readonly begin?: string; readonly commitsAsSent?: boolean },
  ): Promise<T> {
    const { begin } = mode;
    let conflicts = 0;
    let reconnected = false;
    for (;;) {
      const client = await this.connect(threadId);
      let committing = mode.commitsAsSent === true;
      try {
        if (begin) await client.query(begin);
        const result = await work(client);
        if (begin) {
          committing = true;
          await client.query("COMMIT");
        }
        client.release();
        return result;
      } catch (error) {
        const lost = isConnectionFailure(error);
        client.release(lost || (begin !== undefined && !(await rollback(client))));
        if (isConflict(error) && conflicts < this.conflictRetries) {
          conflicts += 1;
          await pause(conflicts);
          continue;
        }
        // A transaction (or statement) that certainly did not commit died with its session:
        // nothing was stored, so it is sent once more on a fresh connection.
        if (lost && (!committing || endedBeforeCommit(error)) && !reconnected) {
          reconnected = true;
          continue;
        }
        throw storageFailure(error, this.where, threadId, {
          committing,
          attempts: conflicts + 1,
        });
      }
    }
  }

  /**
   * Ends the pool if this checkpointer created it (later calls fail with DATABASE_UNAVAILABLE);
   * a pool passed in stays open, and stays usable through the checkpointer.
   */
  async end(): Promise<void> {
    if (!this.ownsPool || this.ended) return;
    this.ended = true;
    if (this.pool) await (await this.pool).end();
  }

  private async createPool(): Promise<pg.Pool> {
    const { default: pg } = await import("pg");
    return watched(
      new pg.Pool({
        connectionString: this.source as string,
        max: this.options.max ?? 10,
        connectionTimeoutMillis: this.options.connectionTimeoutMs ?? 10_000,
      }),
    );
  }

  private async connect(threadId: string | undefined): Promise<pg.PoolClient> {
    if (this.ended) {
      throw new DatabaseUnavailableError(
        this.where,
        "this PostgresCheckpointer was closed (close() ended its pool); create a new one to use the database again",
      );
    }
    this.pool ??= this.createPool();
    const pool = await this.pool;
    try {
      return await pool.connect();
    } catch (error) {
      throw connectFailure(error, this.where, threadId);
    }
  }
}

/**
 * An idle client whose server session ended (a restart, pg_terminate_backend) is reported on the
 * pool, which drops it; the next use connects afresh. Without a listener that 'error' event would
 * end the process.
 */
function watched(pool: pg.Pool): pg.Pool {
  pool.on("error", () => undefined);
  return pool;
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

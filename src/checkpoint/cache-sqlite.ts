import Database from "better-sqlite3";
import { DatabaseUnavailableError, NotASwitchyardDatabaseError } from "../errors.js";
import {
  expiryOf,
  namespaceText,
  type CacheEntry,
  type CacheKey,
  type NodeCache,
} from "./cache.js";
import { deserialize, serialize } from "./serializer.js";

const TABLE = `
  CREATE TABLE IF NOT EXISTS node_cache (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (namespace, key)
  );
`;

/**
 * The node cache in the Switchyard SQLite file, in a table of its own beside the checkpoints, so
 * cached node results survive the process. Open the file with `SqliteCheckpointer` first: this
 * cache only adds its table to a Switchyard database and refuses any other file.
 *
 * @example
 * const checkpointer = new SqliteCheckpointer("checkpoints/switchyard.db");
 * const graph = builder.compile({ checkpointer, cache: new SqliteCache(checkpointer.path) });
 */
export class SqliteCache implements NodeCache {
  private readonly db: Database.Database;
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly expire: Database.Statement;

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    try {
      this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000, fileMustExist: true });
    } catch (error) {
      throw new DatabaseUnavailableError(path, (error as Error).message);
    }
    if ((this.db.pragma("user_version", { simple: true }) as number) === 0) {
      this.db.close();
      throw new NotASwitchyardDatabaseError(path);
    }
    this.db.exec(TABLE);
    this.select = this.db.prepare(
      "SELECT value, expires_at FROM node_cache WHERE namespace = ? AND key = ?",
    );
    this.upsert = this.db.prepare(
      `INSERT INTO node_cache (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    this.expire = this.db.prepare("DELETE FROM node_cache WHERE namespace = ? AND key = ?");
  }

  async get(keys: readonly CacheKey[]): Promise<Array<CacheKey & { value: unknown }>> {
    const now = Date.now();
    const found: Array<CacheKey & { value: unknown }> = [];
    for (const { namespace, key } of keys) {
      const name = namespaceText(namespace);
      const row = this.select.get(name, key) as
        { value: string; expires_at: number | null } | undefined;
      if (!row) continue;
      if (row.expires_at !== null && row.expires_at <= now) {
        this.expire.run(name, key);
        continue;
      }
      found.push({ namespace, key, value: deserialize(row.value) });
    }
    return found;
  }

  async set(entries: readonly CacheEntry[]): Promise<void> {
    const now = Date.now();
    const rows = entries.map(({ namespace, key, value, ttl }) => [
      namespaceText(namespace),
      key,
      serialize(value, "cached value"),
      expiryOf(ttl, now),
    ]);
    this.db.transaction(() => {
      for (const row of rows) this.upsert.run(...row);
    })();
  }

  async clear(namespaces: ReadonlyArray<readonly string[]> = []): Promise<void> {
    if (namespaces.length === 0) {
      this.db.exec("DELETE FROM node_cache");
      return;
    }
    const drop = this.db.prepare("DELETE FROM node_cache WHERE namespace = ?");
    this.db.transaction(() => {
      for (const namespace of namespaces) drop.run(namespaceText(namespace));
    })();
  }

  close(): void {
    this.db.close();
  }
}

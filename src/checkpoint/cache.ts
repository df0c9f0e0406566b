import { deserialize, serialize } from "./serializer.js";

/** Where one cached node result lives: the node's namespace and the key of its input. */
export interface CacheKey {
  readonly namespace: readonly string[];
  readonly key: string;
}

export interface CacheEntry extends CacheKey {
  readonly value: unknown;
  /** Seconds the entry lives; forever when undefined. */
  readonly ttl?: number;
}

/**
 * The node cache contract (`compile({ cache })`): what a node's `cachePolicy` reads before the
 * node runs and writes after it finished. Values are what the runtime hands to `set` (plain data
 * the serializer stores); an implementation returns copies, never the objects it was given.
 * `MemoryCache`, `SqliteCache` and `PostgresCache` implement it; another store implements the
 * same three methods.
 */
export interface NodeCache {
  /** The entries of `keys` that exist and have not expired, in any order. */
  get(keys: readonly CacheKey[]): Promise<Array<CacheKey & { readonly value: unknown }>>;
  /** Stores the entries, replacing any with the same namespace and key. */
  set(entries: readonly CacheEntry[]): Promise<void>;
  /** Drops every entry under these namespaces; every entry when none are given. */
  clear(namespaces?: ReadonlyArray<readonly string[]>): Promise<void>;
}

/** A namespace as one string: its parts joined by a separator node names cannot contain. */
export function namespaceText(namespace: readonly string[]): string {
  return namespace.join("\u001f");
}

/** The moment an entry set now with `ttl` seconds expires (ms since the epoch), or null. */
export function expiryOf(ttl: number | undefined, now = Date.now()): number | null {
  return ttl === undefined ? null : now + ttl * 1000;
}

/**
 * A node cache in this process's memory, as LangGraph's `InMemoryCache`: entries are stored
 * serialized, so a node's later changes to an object it returned do not reach the cache.
 *
 * @example
 * const graph = builder.compile({ cache: new MemoryCache() });
 */
export class MemoryCache implements NodeCache {
  private readonly entries = new Map<
    string,
    Map<string, { text: string; expires: number | null }>
  >();

  async get(keys: readonly CacheKey[]): Promise<Array<CacheKey & { value: unknown }>> {
    const now = Date.now();
    const found: Array<CacheKey & { value: unknown }> = [];
    for (const { namespace, key } of keys) {
      const space = this.entries.get(namespaceText(namespace));
      const entry = space?.get(key);
      if (!entry) continue;
      if (entry.expires !== null && entry.expires <= now) {
        space?.delete(key);
        continue;
      }
      found.push({ namespace, key, value: deserialize(entry.text) });
    }
    return found;
  }

  async set(entries: readonly CacheEntry[]): Promise<void> {
    const now = Date.now();
    for (const { namespace, key, value, ttl } of entries) {
      const name = namespaceText(namespace);
      let space = this.entries.get(name);
      if (!space) {
        space = new Map();
        this.entries.set(name, space);
      }
      space.set(key, { text: serialize(value, "cached value"), expires: expiryOf(ttl, now) });
    }
  }

  async clear(namespaces: ReadonlyArray<readonly string[]> = []): Promise<void> {
    if (namespaces.length === 0) this.entries.clear();
    for (const namespace of namespaces) this.entries.delete(namespaceText(namespace));
  }
}

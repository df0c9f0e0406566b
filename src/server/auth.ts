import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { InvalidConfigError, UnauthorizedError } from "../index.js";

/** Hono variables the routes read: who is calling (the key's holder), when keys are in use. */
export interface ServerEnv {
  Variables: { actor: string | undefined };
}

/**
 * Parses `SWITCHYARD_API_KEYS` ("dana=key1,ops=key2") into keys by holder name. The message of a
 * malformed list names the entry by position, never the key.
 */
export function parseApiKeys(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const keys: Record<string, string> = {};
  text.split(",").forEach((entry, index) => {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at).trim();
    const key = entry.slice(at + 1).trim();
    if (at <= 0 || name === "" || key === "") {
      throw new InvalidConfigError(
        `SWITCHYARD_API_KEYS entry ${index + 1} is not "name=key". Write it as "dana=key1,ops=key2".`,
      );
    }
    keys[name] = key;
  });
  return keys;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Requires `x-api-key` to be one of `keys` and records its holder as the actor. Every key is
 * compared (in constant time, over equal-length digests), so timing tells nothing about which
 * key or how much of it matched.
 */
export function requireApiKey(
  keys: Readonly<Record<string, string>>,
): MiddlewareHandler<ServerEnv> {
  const holders = Object.entries(keys).map(([name, key]) => ({ name, digest: digest(key) }));
  return async (c, next) => {
    const sent = c.req.header("x-api-key");
    let actor: string | undefined;
    if (sent !== undefined) {
      const sentDigest = digest(sent);
      for (const holder of holders) {
        if (timingSafeEqual(holder.digest, sentDigest)) actor = holder.name;
      }
    }
    if (actor === undefined) throw new UnauthorizedError();
    c.set("actor", actor);
    await next();
  };
}

/**
 * CORS for browser clients (only offered with API keys: a keyless server is for this machine):
 * any origin, or only `origins` (exact `scheme://host:port` strings) when given.
 */
export function browserAccess(origins?: readonly string[]): MiddlewareHandler<ServerEnv> {
  return cors({
    origin: origins && origins.length > 0 ? [...origins] : "*",
    allowHeaders: ["x-api-key", "content-type", "last-event-id"],
    exposeHeaders: ["content-location", "x-pagination-total"],
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
  });
}

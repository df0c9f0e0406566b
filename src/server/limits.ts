import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLargeError, RateLimitedError } from "../index.js";
import type { ServerEnv } from "./auth.js";

/** At most `requests` per minute per API key: a token bucket refilled continuously. */
export interface RateLimit {
  readonly requestsPerMinute: number;
}

/**
 * Refuses a key's request with RATE_LIMITED (429, `Retry-After`) once its bucket is empty. Runs
 * after the key check, so the bucket is the key holder's; without keys there is no limit.
 */
export function rateLimit(limit: RateLimit): MiddlewareHandler<ServerEnv> {
  const capacity = limit.requestsPerMinute;
  const perMs = capacity / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const actor = c.get("actor");
    if (actor === undefined) return next();
    const now = Date.now();
    const bucket = buckets.get(actor) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    buckets.set(actor, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new RateLimitedError(actor, retryAfter);
    }
    bucket.tokens -= 1;
    await next();
  };
}

/** Refuses bodies over `maxBytes` with PAYLOAD_TOO_LARGE (413). */
export function limitBody(maxBytes: number): MiddlewareHandler<ServerEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}

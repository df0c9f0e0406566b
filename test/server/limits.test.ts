// Per-key rate limit (429 with Retry-After) and the request body size limit (413).
import { expect, test } from "vitest";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ apiKeys: "dana=k-dana,ops=k-ops", args: ["--rate-limit", "5"] });

test("a key over its rate limit gets 429 with Retry-After; another key is unaffected", async () => {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  let body: unknown;
  for (let i = 0; i < 7; i += 1) {
    const response = await fetch(`${server().url}/ok`, { headers: { "x-api-key": "k-dana" } });
    statuses.push(response.status);
    if (response.status === 429) {
      retryAfter = response.headers.get("retry-after");
      body = await response.json();
    }
  }
  expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
  expect(statuses.slice(5)).toEqual([429, 429]);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(body).toMatchObject({ error: "RATE_LIMITED" });
  const other = await fetch(`${server().url}/ok`, { headers: { "x-api-key": "k-ops" } });
  expect(other.status).toBe(200);
});

test("a request body over 1 MiB is refused with 413", async () => {
  const response = await fetch(`${server().url}/threads`, {
    method: "POST",
    headers: { "x-api-key": "k-ops", "content-type": "application/json" },
    body: JSON.stringify({ metadata: { blob: "x".repeat(1024 * 1024 + 10) } }),
  });
  expect(response.status).toBe(413);
  expect(await response.json()).toMatchObject({ error: "PAYLOAD_TOO_LARGE" });
});

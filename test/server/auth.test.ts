// API keys: required when set, the key's holder is the actor, CORS for browsers; without keys the
// server stays on loopback.
import { expect, test } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { serverForFile, SERVER_GRAPHS, startServer } from "../support/server.js";

const server = serverForFile({ apiKeys: "dana=key-of-dana-123, ops=key-of-ops-456" });

const claim = {
  id: "c-7",
  employee: "bo",
  amount: 700,
  currency: "EUR",
  category: "equipment",
  description: "monitor",
};

test("a request without a key, or with a wrong one, is refused with 401 and the key is never echoed", async () => {
  for (const apiKey of [undefined, "key-of-dana-12", "nope"]) {
    const response = await fetch(`${server().url}/threads`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(apiKey ? { "x-api-key": apiKey } : {}) },
      body: "{}",
    });
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: "UNAUTHORIZED" });
    expect(body).not.toContain("key-of");
  }
  expect(server().output()).not.toContain("key-of");
});

test("the key's holder is the actor of a resume, whatever the request claims", async () => {
  const client = server().client("key-of-dana-123");
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "expense-approval", { input: { claim } });
  const final = await client.runs.wait(threadId, "expense-approval", {
    command: { resume: { approved: true } },
    config: { configurable: { actor: "ops" } },
  });
  expect((final as { log: string[] }).log).toContain("manager: approved by dana");
});

test("a browser preflight is answered without a key and exposes the run location", async () => {
  const response = await fetch(`${server().url}/threads/abc/runs/stream`, {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "x-api-key, content-type",
    },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
  expect(response.headers.get("access-control-allow-headers")).toContain("x-api-key");
  const ok = await fetch(`${server().url}/ok`, {
    headers: { origin: "https://app.example", "x-api-key": "key-of-ops-456" },
  });
  expect(ok.headers.get("access-control-expose-headers")).toContain("content-location");
});

test("without keys, listening beyond loopback is refused", async () => {
  const result = await runCli(
    ["--db", ":memory:", "--graphs", SERVER_GRAPHS, "serve", "--host", "0.0.0.0"],
    {
      SWITCHYARD_API_KEYS: undefined,
    },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("error UNSAFE_BIND");
});

test("--cors-origins narrows CORS to the origins given; it is refused without keys", async () => {
  const narrow = await startServer({
    apiKeys: "dana=key-of-dana-123",
    args: ["--cors-origins", "https://chat.example, http://localhost:3000"],
  });
  try {
    const preflight = (origin: string) =>
      fetch(`${narrow.url}/threads`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight("http://localhost:3000");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(narrow.output()).toContain("CORS open to https://chat.example, http://localhost:3000");
  } finally {
    await narrow.stop();
    narrow.remove();
  }

  const keyless = await runCli(
    ["--db", ":memory:", "--graphs", SERVER_GRAPHS, "serve", "--cors-origins", "https://a.example"],
    { SWITCHYARD_API_KEYS: undefined },
  );
  expect(keyless.code).toBe(2);
  expect(keyless.stderr).toContain("error CORS_WITHOUT_KEYS");
}, 60_000);

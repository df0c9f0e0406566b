// First paint of the inbox with 1,000 waiting approvals, in a real Chromium against a real
// `switchyard serve`. It asserts that every item renders; the time is printed (and recorded in
// docs/console.md), never asserted: this machine is shared and noisy.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

declare const document: { querySelectorAll(selector: string): { length: number } };
import { buildGraph } from "../../graphs/expense-approval.js";
import { SqliteCheckpointer } from "../../src/index.js";
import { launchBrowser } from "../support/browser.js";
import { startServer } from "../support/server.js";

const ITEMS = 1000;

test(`the inbox renders ${ITEMS} waiting items`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-inbox-"));
  const db = join(dir, "inbox.db");
  const store = new SqliteCheckpointer(db);
  const graph = buildGraph().compile({ checkpointer: store, name: "expense-approval" });
  for (let index = 0; index < ITEMS; index += 1) {
    const claim = {
      id: `L-${index}`,
      employee: `employee ${index % 37}`,
      amount: 501 + index,
      currency: "EUR" as const,
      category: "travel" as const,
      description: `Trip number ${index}`,
    };
    await graph.invoke({ claim }, { configurable: { thread_id: `load-${index}` } });
  }
  store.close();

  const server = await startServer({ db });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const started = Date.now();
    await page.goto(server.url);
    await page.waitForFunction(
      (count) => document.querySelectorAll("[data-interrupt-id]").length === count,
      ITEMS,
      { timeout: 60_000, polling: 20 },
    );
    const elapsed = Date.now() - started;
    await expect(page.locator("#inbox-count").textContent()).resolves.toBe(String(ITEMS));
    await expect(page.locator("[data-interrupt-id] .question").last().textContent()).resolves.toBe(
      `Approve ${500 + ITEMS} EUR for employee ${(ITEMS - 1) % 37}?`,
    );
    console.log(
      `inbox first paint with ${ITEMS} waiting items: ${elapsed} ms (navigation to all rendered)`,
    );
  } finally {
    await browser.close();
    await server.stop();
    server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

// The inbox with 1,000 waiting approvals, in a real Chromium against a real `switchyard serve`:
// the first page (most urgent first) shows at once, the rest load as the list scrolls or with
// the keyboard, and answered items still leave live. It asserts correctness only; the times
// (navigation → first contentful paint, → first item in the DOM) are printed and recorded in
// docs/console.md, never asserted: this machine is shared and noisy.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { buildGraph } from "../../graphs/expense-approval.js";
import { SqliteCheckpointer } from "../../src/index.js";
import { launchBrowser } from "../support/browser.js";
import { startServer } from "../support/server.js";

declare const document: {
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): { length: number };
  activeElement: { id?: string } | null;
};
declare const performance: {
  now(): number;
  getEntriesByName(name: string): Array<{ startTime: number }>;
};

const ITEMS = 1000;
const PAGE = 50;

test(`the inbox with ${ITEMS} waiting items: first page at once, the rest on scroll`, async () => {
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
    await page.goto(server.url);
    const firstItem = await page.waitForFunction(
      () => (document.querySelector("[data-interrupt-id]") ? performance.now() : false),
      undefined,
      { timeout: 60_000, polling: "raf" },
    );
    const itemMs = Math.round((await firstItem.jsonValue()) as number);
    const paintMs = Math.round(
      await page.evaluate(
        () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1,
      ),
    );
    const items = page.locator("[data-interrupt-id]");
    await expect(items.count()).resolves.toBe(PAGE);
    await expect(page.locator("#inbox-count").textContent()).resolves.toBe(String(ITEMS));
    // Each claim's approval is due a few days after it was made: the first claim's is the most urgent.
    await expect(items.first().locator(".question").textContent()).resolves.toBe(
      "Approve 501 EUR for employee 0?",
    );
    await page.screenshot({ path: "docs/console/inbox-1000.png" });
    const more = page.locator("button.more");
    await expect(more.textContent()).resolves.toContain(`${PAGE} of ${ITEMS} shown`);
    console.log(
      `inbox with ${ITEMS} waiting items: first contentful paint ${paintMs} ms, first item in the DOM ${itemMs} ms (from navigation start)`,
    );

    // Scrolling to the end of the list loads the next page.
    await more.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (count) => document.querySelectorAll("[data-interrupt-id]").length === count,
      2 * PAGE,
    );
    await expect(items.nth(PAGE).locator(".question").textContent()).resolves.toBe(
      `Approve ${501 + PAGE} EUR for employee ${PAGE % 37}?`,
    );

    // From the keyboard: focus "Show more", press Enter; the first new item takes the focus.
    const next = page.locator("button.more");
    await next.focus();
    await page.keyboard.press("Enter");
    const third = items.nth(2 * PAGE);
    await third.waitFor();
    const thirdId = await third.getAttribute("id");
    await page.waitForFunction((id) => document.activeElement?.id === id, thirdId);
    await expect(page.locator("[data-interrupt-id]").count()).resolves.toBe(3 * PAGE);

    // An item answered elsewhere leaves the list live, wherever it is on the list.
    const answered = items.nth(PAGE + 3);
    const threadId = (await answered.locator("a[href^='/console/threads/']").textContent())
      ?.replace("thread ", "")
      .trim() as string;
    const interruptId = (await answered.getAttribute("data-interrupt-id")) as string;
    await server.client().runs.wait(threadId, "expense-approval", {
      command: { resume: { [interruptId]: { approved: true } } },
    });
    await page
      .locator(`[data-interrupt-id="${interruptId}"]`)
      .waitFor({ state: "detached", timeout: 30_000 });
    await expect(page.locator("#inbox-count").textContent()).resolves.toBe(String(ITEMS - 1));
    // Nothing was reloaded: the pages already loaded stay.
    await expect(page.locator("[data-interrupt-id]").count()).resolves.toBe(3 * PAGE - 1);
  } finally {
    await browser.close();
    await server.stop();
    server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

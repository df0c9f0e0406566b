// Deadlines in the inbox (sweeps off, so a passed deadline stays visible), answered with the
// keyboard only.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

declare const document: { activeElement: unknown };
import { launchBrowser } from "../support/browser.js";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ args: ["--sweep-every", "0"] });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function question(seconds: number): Promise<string> {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "deadline", { input: { seconds } });
  return threadId;
}

test("a passed deadline is marked overdue, a future one shows the time left; answered by keyboard", async () => {
  // Most urgent first: by deadline (the overdue one on top), then those without one, oldest first.
  const client = server().client();
  const { thread_id: noDeadline } = await client.threads.create();
  await client.runs.wait(noDeadline, "transfer", { input: { to: "Ada", amount: 5 } });
  const later = await question(3600);
  const overdue = await question(-120);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    await page.goto(server().url);
    const item = (threadId: string) =>
      page.locator(`article:has(a[href="/console/threads/${threadId}"])`);
    await item(overdue).waitFor();
    const order = await page
      .locator("[data-interrupt-id] a[href^='/console/threads/']")
      .evaluateAll((links) => links.map((link) => link.getAttribute("href")));
    expect(order.indexOf(`/console/threads/${overdue}`)).toBe(0);
    expect(order.indexOf(`/console/threads/${later}`)).toBe(1);
    expect(order.indexOf(`/console/threads/${noDeadline}`)).toBe(2);
    await expect(item(overdue).locator(".overdue").textContent()).resolves.toMatch(
      /^overdue by 2 min/,
    );
    await expect(item(later).textContent()).resolves.toMatch(
      /59 min left, then answered automatically/,
    );
    await expect(item(later).locator(".overdue").count()).resolves.toBe(0);

    // The resume schema is z.string(): one text field. Keyboard only: focus it, type, Enter.
    const field = item(later).getByLabel("value");
    await field.focus();
    await page.keyboard.type("here I am");
    await page.keyboard.press("Tab");
    await expect(
      page.evaluate(() => (document.activeElement as { textContent: string } | null)?.textContent),
    ).resolves.toBe("Send answer");
    await page.keyboard.press("Enter");
    await page.locator(".ok", { hasText: "Answered" }).waitFor();
    const state = await server().client().threads.getState(later);
    expect(state.values).toMatchObject({ answer: "here I am" });
    await item(overdue).waitFor();
  } finally {
    await page.close();
  }
}, 120_000);

// The console on a server with two API keys: sign-in keeps the key in the tab (never the URL), a
// wrong key is refused in words, and the audit trail names the holder of the key that answered.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";

declare const sessionStorage: { getItem(key: string): string | null };
import { launchBrowser } from "../support/browser.js";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ apiKeys: "dana=key-of-dana,ops=key-of-ops" });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function waitingClaim(id: string): Promise<string> {
  const client = server().client("key-of-dana");
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "expense-approval", {
    input: {
      claim: {
        id,
        employee: "Ada Lovelace",
        amount: 900,
        currency: "EUR",
        category: "equipment",
        description: "A laptop",
      },
    },
  });
  return threadId;
}

async function signedIn(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server().url);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#inbox-list").waitFor();
  return page;
}

test("sign-in: no key shows the sign-in form, a wrong key is refused, the key stays out of URLs", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  try {
    const page = await context.newPage();
    await page.goto(server().url);
    await page.getByLabel("API key").waitFor();
    await page.screenshot({ path: "docs/console/sign-in.png" });
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".error", { hasText: "UNAUTHORIZED" }).waitFor();

    await page.getByLabel("API key").fill("key-of-dana");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#inbox-list").waitFor();
    expect(page.url()).not.toContain("key-of-dana");
    await expect(page.evaluate(() => sessionStorage.getItem("switchyard.apiKey"))).resolves.toBe(
      "key-of-dana",
    );
    // Data needs the key even though the page frame does not.
    const bare = await fetch(new URL("/console/threads", server().url), {
      headers: { "HX-Request": "true" },
    });
    expect(bare.status).toBe(401);
  } finally {
    await context.close();
  }
}, 120_000);

test("two keys: each answer is audited under the holder of the key that sent it", async () => {
  const approvedByDana = await waitingClaim("K-1");
  const rejectedByOps = await waitingClaim("K-2");
  const danaContext = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const opsContext = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const dana = await signedIn(danaContext, "key-of-dana");
    const ops = await signedIn(opsContext, "key-of-ops");
    const itemFor = (page: Page, threadId: string) =>
      page.locator(`article:has(a[href="/console/threads/${threadId}"])`);

    await itemFor(dana, approvedByDana).getByRole("button", { name: "Approve" }).click();
    await dana.locator(".ok", { hasText: "Answered" }).waitFor();
    // ops, signed in elsewhere, sees it leave live.
    await itemFor(ops, approvedByDana).waitFor({ state: "detached", timeout: 30_000 });

    const opsItem = itemFor(ops, rejectedByOps);
    await opsItem.getByLabel("Comment").fill("Laptops go through IT");
    await opsItem.getByRole("button", { name: "Reject" }).click();
    await ops.locator(".ok", { hasText: "Answered" }).waitFor();

    await dana.goto(new URL(`/console/threads/${approvedByDana}`, server().url).href);
    await dana.locator("#thread-status", { hasText: "done" }).waitFor({ timeout: 30_000 });
    const danaRow = dana.locator("table.audit tbody tr");
    await expect(danaRow.getAttribute("data-actor")).resolves.toBe("dana");
    await dana.screenshot({ path: "docs/console/thread-audit.png", fullPage: true });

    await ops.goto(new URL(`/console/threads/${rejectedByOps}`, server().url).href);
    await ops.locator("#thread-status", { hasText: "done" }).waitFor({ timeout: 30_000 });
    const opsRow = ops.locator("table.audit tbody tr");
    await expect(opsRow.getAttribute("data-actor")).resolves.toBe("ops");
    await expect(opsRow.textContent()).resolves.toContain("Laptops go through IT");

    const client = server().client("key-of-ops");
    expect((await client.threads.getState(approvedByDana)).values).toMatchObject({
      status: "paid",
    });
    expect((await client.threads.getState(rejectedByOps)).values).toMatchObject({
      status: "rejected",
      reason: "Laptops go through IT",
    });
  } finally {
    await Promise.all([danaContext.close(), opsContext.close()]);
  }
}, 120_000);

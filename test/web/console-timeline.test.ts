// The thread timeline in a real Chromium against a real `switchyard serve`: each task of a
// superstep with its duration, its retries and the error of each failed attempt (in words, with
// the engine's code), its tokens; and a failed superstep's tasks.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ graphs: "test/web/fixtures/graphs" });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function research(stall: boolean): Promise<string> {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const waited = client.runs.wait(threadId, "research", { input: { topic: "htmx", stall } });
  // A stalled run fails (NODE_TIMEOUT): the SDK rejects; the thread keeps the failed superstep.
  if (stall) await expect(waited).rejects.toThrow(/NODE_TIMEOUT/);
  else await waited;
  return threadId;
}

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(new URL(path, server().url).href);
  return page;
}

test("the timeline shows each task's duration, retries with their errors, and tokens", async () => {
  const threadId = await research(false);
  const page = await open(`/console/threads/${threadId}`);
  try {
    const search = page.locator('table.timeline li[data-task-node="search"]');
    await search.waitFor();
    await expect(search.getAttribute("data-attempts")).resolves.toBe("2");
    await expect(search.locator(".badge").textContent()).resolves.toBe("2 attempts");
    const error = await search.locator(".attempt-errors li").textContent();
    expect(error?.replace(/\s+/g, " ").trim()).toBe(
      "attempt 1 failed: Error search service answered 503",
    );
    // It slept 120 ms in its successful attempt: the duration is shown in words.
    expect(Number(await search.getAttribute("data-duration-ms"))).toBeGreaterThanOrEqual(120);
    await expect(search.locator(".task-time").textContent()).resolves.toMatch(/^\d+ (ms|s)$/);

    const summarize = page.locator('table.timeline li[data-task-node="summarize"]');
    await expect(summarize.locator(".tokens").textContent()).resolves.toBe(
      "1,545 tokens (1,200 in, 345 out)",
    );
    await expect(summarize.getAttribute("data-attempts")).resolves.toBe("1");
    await expect(summarize.locator(".attempt-errors").count()).resolves.toBe(0);
    // Two tasks in one superstep: both are listed on its row.
    const parallel = page.locator("table.timeline tr", {
      has: page.locator('[data-task-node="publish"]'),
    });
    await expect(parallel.locator("li[data-task-node]").count()).resolves.toBe(2);
    await page.screenshot({ path: "docs/console/thread-timeline.png", fullPage: true });
  } finally {
    await page.close();
  }
}, 120_000);

test("a failed superstep's tasks are shown with each attempt's error code", async () => {
  const threadId = await research(true);
  const page = await open(`/console/threads/${threadId}`);
  try {
    const failed = page.locator("table.timeline tr.failed-step");
    await failed.waitFor();
    const publish = failed.locator('li[data-task-node="publish"]');
    await expect(publish.getAttribute("data-attempts")).resolves.toBe("2");
    const errors = await publish.locator(".attempt-errors li").allTextContents();
    expect(errors).toHaveLength(2);
    for (const [index, text] of errors.entries()) {
      expect(text).toContain(`attempt ${index + 1} failed: NODE_TIMEOUT`);
      expect(text).toContain("200 ms");
    }
    // The sibling that finished is listed with its time, without errors.
    const notify = failed.locator('li[data-task-node="notify"]');
    await expect(notify.getAttribute("data-attempts")).resolves.toBe("1");
    await expect(notify.locator(".attempt-errors").count()).resolves.toBe(0);
    await expect(page.locator("#thread-status").textContent()).resolves.toBe("failed");
    await page.screenshot({ path: "docs/console/thread-failed-step.png", fullPage: true });
  } finally {
    await page.close();
  }
}, 120_000);

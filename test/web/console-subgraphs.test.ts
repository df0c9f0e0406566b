// A thread of the multi-agent example in the console: the subgraph nodes expand into their own
// graphs, and the approval waiting inside the writing agent is marked there.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { serverForFile } from "../support/server.js";

const server = serverForFile({ graphs: "graphs" });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

test("subgraphs expand, with the node waiting inside the child marked", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "multi-agent", { input: { topic: "platform engineering" } });

  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    await page.goto(new URL(`/console/threads/${threadId}`, server().url).href);
    const writing = page.locator("svg.graph").first().locator('[data-node="writing"]');
    await writing.waitFor();
    await expect(writing.getAttribute("data-mark")).resolves.toBe("waiting");
    await expect(writing.getAttribute("class")).resolves.toContain("subgraph");

    // The waiting child is open; the idle one opens from its node in the parent's graph.
    const writer = page.locator("details#graph-sub-writing");
    await expect(writer.getAttribute("open")).resolves.not.toBeNull();
    await expect(
      writer.locator('[data-node="editor_approval"]').first().getAttribute("data-mark"),
    ).resolves.toBe("waiting");
    const research = page.locator("details#graph-sub-research");
    await expect(research.getAttribute("open")).resolves.toBeNull();
    await page.locator('svg.graph a[href="#graph-sub-research"]').first().click();
    await expect(research.getAttribute("open")).resolves.not.toBeNull();
    await research.locator('[data-node="summarize"]').waitFor();
    await page.screenshot({ path: "docs/console/thread-subgraphs.png", fullPage: true });
  } finally {
    await page.close();
  }
}, 120_000);

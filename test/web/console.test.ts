// The console in a real Chromium against a real `switchyard serve` (no API keys, loopback):
// answer an approval through the generated form, an invalid answer, the graph's marks, live
// updates, forking from an earlier checkpoint, and starting a run from the input form.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { serverForFile } from "../support/server.js";

const server = serverForFile();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const SHOTS = "docs/console";

function claim(id: string, amount: number) {
  return {
    claim: {
      id,
      employee: "Ada Lovelace",
      amount,
      currency: "EUR",
      category: "travel",
      description: "Conference trip to Lyon",
    },
  };
}

/** Starts an expense claim over 500 EUR: it stops at manager_approval. */
async function waitingClaim(id: string): Promise<string> {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  await client.runs.wait(threadId, "expense-approval", { input: claim(id, 800) });
  return threadId;
}

async function open(path: string, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const page = await browser.newPage({ colorScheme, viewport: { width: 1200, height: 900 } });
  await page.goto(new URL(path, server().url).href);
  return page;
}

test("an expense approval answered through the generated form; the thread finishes live", async () => {
  const threadId = await waitingClaim("C-1");
  const inbox = await open("/");
  const watcher = await open("/");
  const thread = await open(`/console/threads/${threadId}`);
  try {
    const item = inbox.locator(`article:has(a[href="/console/threads/${threadId}"])`);
    await item.waitFor();
    await expect(item.locator(".question").textContent()).resolves.toContain(
      "Approve 800 EUR for Ada Lovelace?",
    );
    // The payload is shown readably, not only as JSON.
    await expect(item.locator("dl.value").first().textContent()).resolves.toContain(
      "Conference trip to Lyon",
    );
    await expect(item.locator("text=left").count()).resolves.toBeGreaterThan(0);
    await inbox.screenshot({ path: `${SHOTS}/inbox.png`, fullPage: true });

    // The graph marks the waiting node.
    const waitingNode = thread.locator('svg.graph [data-node="manager_approval"]');
    await waitingNode.waitFor();
    await expect(waitingNode.getAttribute("data-mark")).resolves.toBe("waiting");
    await expect(
      thread.locator('[data-node="apply_policy"]').getAttribute("data-mark"),
    ).resolves.toBe("done");
    await expect(thread.locator("#thread-status").textContent()).resolves.toBe("waiting");
    await thread.screenshot({ path: `${SHOTS}/thread-waiting.png`, fullPage: true });

    await item.getByLabel("Comment").fill("Within the travel budget");
    await item.getByRole("button", { name: "Approve" }).click();
    await inbox.locator(".ok", { hasText: "Answered" }).waitFor();

    // Everyone looking at the inbox sees the item leave, without reloading.
    await watcher
      .locator(`article:has(a[href="/console/threads/${threadId}"])`)
      .waitFor({ state: "detached", timeout: 30_000 });
    // The thread page follows the run to its end, without reloading.
    await thread.locator("#thread-status", { hasText: "done" }).waitFor({ timeout: 30_000 });
    await thread.locator('[data-node="notify"][data-mark="done"]').waitFor();
    await thread.locator("table.audit tr", { hasText: "Within the travel budget" }).waitFor();

    const state = await server().client().threads.getState(threadId);
    expect(state.values).toMatchObject({ status: "paid", paymentId: "pay-C-1" });
    await thread.screenshot({ path: `${SHOTS}/thread-done.png`, fullPage: true });
  } finally {
    await Promise.all([inbox.close(), watcher.close(), thread.close()]);
  }
}, 120_000);

test("an invalid answer shows the schema's message and the item stays waiting", async () => {
  const threadId = await waitingClaim("C-2");
  const inbox = await open("/", "dark");
  try {
    const item = inbox.locator(`article:has(a[href="/console/threads/${threadId}"])`);
    await item.waitFor();
    await item.getByText("Edit the answer as JSON").click();
    await item.getByLabel("Answer (JSON)").fill('{ "approved": "yes" }');
    await item.getByRole("button", { name: "Send this JSON" }).click();
    const error = item.locator(".error");
    await error.waitFor();
    const text = await error.textContent();
    expect(text).toContain("INVALID_RESUME");
    // The server checks an approval's answer before any run starts (zod's message, with the path).
    expect(text).toContain("Invalid input: expected boolean, received string");
    expect(text).toContain("at approved");
    await inbox.screenshot({ path: `${SHOTS}/inbox-invalid-answer-dark.png`, fullPage: true });

    // A form posted from another site (no htmx header) is refused and answers nothing.
    const interruptId = await item.getAttribute("data-interrupt-id");
    const forged = await fetch(new URL(`/console/inbox/${threadId}/${interruptId}`, server().url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "f.approved=true",
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("INVALID_REQUEST");

    // Still in the inbox after a reload, and still waiting in the engine.
    await inbox.reload();
    await item.waitFor();
    const state = await server().client().threads.getState(threadId);
    expect(state.next).toEqual(["manager_approval"]);
  } finally {
    await inbox.close();
  }
}, 120_000);

test("forking a finished thread from an earlier checkpoint with an edited value makes a new branch", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  // 120 EUR is approved by the policy, paid and notified without a human.
  await client.runs.wait(threadId, "expense-approval", { input: claim("C-3", 120) });
  expect((await client.threads.getState(threadId)).values).toMatchObject({ status: "paid" });

  const page = await open(`/console/threads/${threadId}`);
  try {
    const input = page.locator('table.timeline tr[data-step="-1"]');
    await input.waitFor();
    await input.getByRole("link", { name: "state" }).click();
    const values = page.getByLabel(/Fork from this checkpoint/);
    await values.waitFor();
    const edited = JSON.parse(await values.inputValue()) as { claim: { amount: number } };
    expect(edited.claim.amount).toBe(120);
    edited.claim.amount = 6000;
    await values.fill(JSON.stringify(edited, null, 2));
    await page.getByRole("button", { name: "Fork and run from here" }).click();

    await page
      .locator("table.timeline .badge", { hasText: "new branch" })
      .waitFor({ timeout: 30_000 });
    await page.locator("#thread-status", { hasText: "done" }).waitFor({ timeout: 30_000 });
    // The first run's checkpoints are still there, on the other branch.
    await page.locator("table.timeline tr.other-branch").first().waitFor();

    const state = await client.threads.getState(threadId);
    expect(state.values).toMatchObject({
      status: "rejected",
      reason: "travel claims are limited to 5000 EUR",
      claim: { amount: 6000 },
    });
    expect((state.values as { log: string[] }).log.at(-1)).toBe(
      "notify: Ada Lovelace, your claim C-3 was rejected: travel claims are limited to 5000 EUR",
    );
    await page.locator("table.timeline tr:last-child").getByRole("link", { name: "state" }).click();
    await page.locator(".diff tr[data-key='log']").waitFor();
    await page.screenshot({ path: `${SHOTS}/thread-fork.png`, fullPage: true });
  } finally {
    await page.close();
  }
}, 120_000);

test("the threads list filters by status and starts a run from the graph's input form", async () => {
  const waiting = await waitingClaim("C-4");
  const page = await open("/console/threads?status=interrupted");
  try {
    await page.locator(`tr[data-thread-id="${waiting}"]`).waitFor();
    const statuses = await page.locator("#thread-table .badge").allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["waiting"]));

    await page.getByLabel("Graph", { exact: true }).last().selectOption("expense-approval");
    await page.locator("#start-form").waitFor();
    await page.getByLabel("id", { exact: true }).fill("C-5");
    await page.getByLabel("employee").fill("Grace Hopper");
    await page.getByLabel("amount").fill("90");
    await page.getByLabel("currency").selectOption({ label: "EUR" });
    await page.getByLabel("category").selectOption({ label: "meals" });
    await page.getByLabel("description", { exact: true }).fill("Team lunch");
    await page.screenshot({ path: `${SHOTS}/threads.png`, fullPage: true });
    await page.locator("#start-thread").fill("console-started");
    await page.getByRole("button", { name: "Start" }).click();

    await page.waitForURL(/\/console\/threads\/console-started$/, { timeout: 30_000 });
    await page.locator("#thread-status", { hasText: "done" }).waitFor({ timeout: 30_000 });
    const state = await server().client().threads.getState("console-started");
    expect(state.values).toMatchObject({
      status: "paid",
      claim: { amount: 90, employee: "Grace Hopper" },
    });

    // An input the schema refuses is shown in the engine's words, and nothing starts.
    await page.goto(new URL("/console/threads", server().url).href);
    await page.getByLabel("Graph", { exact: true }).last().selectOption("expense-approval");
    await page.locator("#start-form").waitFor();
    await page.getByLabel("amount").fill("-5");
    await page.getByRole("button", { name: "Start" }).click();
    const error = page.locator("#start-result .error");
    await error.waitFor();
    expect(await error.textContent()).toContain("INVALID_UPDATE");
  } finally {
    await page.close();
  }
}, 120_000);

test("a running thread: its node is marked running, and a fork is refused in words while it runs", async () => {
  const client = server().client();
  const { thread_id: threadId } = await client.threads.create();
  const run = await client.runs.create(threadId, "slow", { input: { ms: 60_000 } });
  const page = await open(`/console/threads/${threadId}`);
  try {
    await page.locator('[data-node="wait"][data-mark="running"]').waitFor({ timeout: 30_000 });
    await expect(page.locator("#thread-status").textContent()).resolves.toBe("running");
    await page
      .locator('table.timeline tr[data-step="-1"]')
      .getByRole("link", { name: "state" })
      .click();
    const values = page.getByLabel(/Fork from this checkpoint/);
    await values.fill(JSON.stringify({ ms: 1, log: [] }));
    await page.getByRole("button", { name: "Fork and run from here" }).click();
    const error = page.locator("#fork-result .error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/THREAD_BUSY|RUN_IN_PROGRESS/);

    await client.runs.cancel(threadId, run.run_id, true);
    // The page follows: the run stopped, nothing is running any more.
    await page.locator("#thread-status", { hasNotText: "running" }).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-mark="running"]').count()).toBe(0);
  } finally {
    await page.close();
  }
}, 120_000);

// useStream from @langchain/langgraph-sdk/react in a real Chromium against a real `switchyard
// serve` (API keys, CORS narrowed to the page's origin): the page starts a run, sees the approval
// it waits on, approves it, and shows the final values. The page is bundled with esbuild at test
// time into a temporary folder and served from another origin by a small static server.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { startServer, type RunningServer } from "../support/server.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const KEY = "key-of-dana-browser";

let bundleDir = "";
let pages: Server | undefined;
let pagesUrl = "";
let api: RunningServer | undefined;

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), "switchyard-page-"));
  execFileSync(
    join(REPO_ROOT, "node_modules", ".bin", "esbuild"),
    [
      join(REPO_ROOT, "test", "server", "browser", "page.ts"),
      "--bundle",
      "--format=esm",
      '--define:process.env.NODE_ENV="production"',
      `--outfile=${join(bundleDir, "page.js")}`,
      "--log-level=warning",
    ],
    { cwd: REPO_ROOT },
  );
  const script = readFileSync(join(bundleDir, "page.js"));
  pages = createServer((request, response) => {
    if (request.url === "/page.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(script);
      return;
    }
    const config = JSON.stringify({ apiUrl: api?.url, apiKey: KEY });
    response
      .writeHead(200, { "content-type": "text/html" })
      .end(
        `<!doctype html><div id="root"></div><script>window.switchyard = ${config}</script>` +
          `<script type="module" src="/page.js"></script>`,
      );
  });
  await new Promise<void>((resolve) => pages?.listen(0, "127.0.0.1", resolve));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  api = await startServer({ apiKeys: `dana=${KEY}`, args: ["--cors-origins", pagesUrl] });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  api?.remove();
  await new Promise((resolve) => pages?.close(resolve));
  rmSync(bundleDir, { recursive: true, force: true });
});

test("useStream starts a run, shows the approval it waits on, approves it and shows the final values", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(pagesUrl);
    await page.click("#start");
    await page.waitForSelector("#question", { timeout: 30_000 });
    expect(await page.textContent("#question")).toBe("Send 120 to ann?");
    expect(await page.textContent("#action")).toBe("confirm");
    await page.waitForFunction('document.querySelector("#loading")?.textContent === "idle"');
    await page.click("#approve");
    await page.waitForFunction(
      'document.querySelector("#status")?.textContent === "sent"',
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(await page.textContent("#error")).toBe("");
    expect(problems).toEqual([]);

    const client = api?.client(KEY);
    const [thread] = (await client?.threads.search({ metadata: { graph_id: "transfer" } })) ?? [];
    expect(thread).toMatchObject({
      status: "idle",
      values: { to: "ann", amount: 120, status: "sent" },
    });
  } finally {
    await browser.close();
  }
}, 120_000);

import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { InvalidRequestError, SwitchyardError } from "../index.js";
import { ApiClient } from "./api.js";
import { loadAssets } from "./assets.js";
import { checkpointPanel, fork } from "./checkpoint.js";
import { consoleDeps, type ConsoleOptions } from "./deps.js";
import { errorBox, PAGES, shell, signIn } from "./layout.js";
import type { SafeHtml } from "./html.js";
import { answer, firstPage, inboxList, inboxPage, nextItems } from "./inbox.js";
import { ChangeFeed } from "./live.js";
import { startFields, startRun, threadsPage, threadTable, type ThreadFilter } from "./threads.js";
import { threadLive, threadPage } from "./thread.js";

/** How often an idle change feed sends a comment, so proxies keep the connection. */
const KEEP_ALIVE_MS = 15_000;

type Render = (c: Context, client: ApiClient) => Promise<SafeHtml>;

/**
 * The browser console: the approval inbox, threads and runs, a thread's graph, timeline, state
 * and audit trail. Server-rendered HTML with htmx; every asset ships in the package. Pages read
 * the stores directly and change things only through the server's API (`options.api`) with the
 * signed-in key, so the API's rules and the audit's actor apply unchanged.
 *
 * Mount it before the API's key check: the page frame and its assets load without a key, and
 * every request for data checks the key itself.
 *
 * @example
 * app.route("/", createConsole({ graphs, checkpointer, runs, api: (request) => app.fetch(request) }));
 */
export function createConsole(options: ConsoleOptions): Hono {
  const deps = consoleDeps(options);
  const assets = loadAssets();
  const feed = new ChangeFeed(deps);
  const app = new Hono();
  const clientOf = (c: Context) => new ApiClient(deps.api, c.req.header("x-api-key"));

  /** Answers htmx's requests with a fragment, after checking the key. */
  const fragment =
    (render: Render) =>
    async (c: Context): Promise<Response> => {
      c.header("Cache-Control", "no-store");
      c.header("Vary", "HX-Request, x-api-key");
      // A form another site posts to this (loopback, keyless) server would be a "simple" request;
      // htmx's header makes every console request one a browser checks with CORS first.
      if (c.req.method !== "GET" && c.req.header("hx-request") !== "true") {
        const refused = new InvalidRequestError(
          "Console forms are sent by the console page itself: a form posted from elsewhere is refused.",
        );
        return c.html(errorBox(refused.code, refused.message).text, 403);
      }
      const client = clientOf(c);
      if (!(await client.authorized())) {
        return c.html(signIn(c.req.header("x-api-key") !== undefined).text, 401);
      }
      try {
        return c.html((await render(c, client)).text);
      } catch (error) {
        if (error instanceof SwitchyardError)
          return c.html(errorBox(error.code, error.message).text, 400);
        console.error(`console: ${c.req.method} ${c.req.path} failed:`, error);
        return c.html(
          errorBox("INTERNAL", "The console failed on this request; see the server's log.").text,
          500,
        );
      }
    };

  /** A page: the frame for a browser's navigation, the fragment for htmx. */
  const page = (render: Render) => {
    const data = fragment(render);
    return async (c: Context): Promise<Response> => {
      const navigation =
        c.req.header("hx-request") !== "true" ||
        c.req.header("hx-history-restore-request") === "true";
      if (!navigation) return data(c);
      c.header("Vary", "HX-Request");
      const url = new URL(c.req.url);
      return c.html(shell(url.pathname + url.search).text);
    };
  };

  // Forms are small; the answers and forks they carry go on to the API with its own limit.
  app.use("/console/*", bodyLimit({ maxSize: 1024 * 1024 }));

  app.get("/console/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache" });
  });
  app.post("/console/sign-in", (c) =>
    c.text("The console signs in with JavaScript: enable it, or use the API with x-api-key.", 400),
  );

  app.get(
    PAGES.inbox,
    page(() => inboxPage(deps, new Date())),
  );
  app.get(
    "/console/inbox/list",
    fragment(async () => inboxList(await firstPage(deps), new Date())),
  );
  app.get(
    "/console/inbox/more",
    fragment((c) =>
      nextItems(deps, c.req.query("after") ?? "", Number(c.req.query("shown")) || 0, new Date()),
    ),
  );
  app.post(
    "/console/inbox/:thread/:interrupt",
    fragment(async (c, client) => {
      const outcome = await answer(
        deps,
        client,
        c.req.param("thread") ?? "",
        c.req.param("interrupt") ?? "",
        await formOf(c),
      );
      if (outcome.answered) {
        c.header("HX-Retarget", `#item-${c.req.param("interrupt") ?? ""}`);
        c.header("HX-Reswap", "outerHTML");
      }
      c.status(outcome.status as 200);
      return outcome.body;
    }),
  );

  const filterOf = (c: Context): ThreadFilter => ({
    status: c.req.query("status") || undefined,
    graph: c.req.query("graph") || undefined,
    q: c.req.query("q") || undefined,
  });
  app.get(
    "/console/threads/table",
    fragment((c, client) => threadTable(client, filterOf(c))),
  );
  app.get(
    PAGES.threads,
    page((c, client) => threadsPage(deps, client, filterOf(c))),
  );
  app.get(
    "/console/start",
    fragment((c, client) => startFields(client, c.req.query("graph") ?? "")),
  );
  app.post(
    "/console/start/:graph",
    fragment(async (c, client) => {
      const started = await startRun(client, c.req.param("graph") ?? "", await formOf(c));
      if (started.location)
        c.header("HX-Location", JSON.stringify({ path: started.location, target: "#main" }));
      c.status(started.status as 200);
      return started.body;
    }),
  );

  app.get(
    "/console/threads/:thread",
    page((c, client) => threadPage(deps, client, c.req.param("thread") ?? "")),
  );
  app.get(
    "/console/threads/:thread/live",
    fragment((c, client) => threadLive(deps, client, c.req.param("thread") ?? "")),
  );
  app.get(
    "/console/threads/:thread/checkpoints/:checkpoint",
    fragment((c) =>
      checkpointPanel(deps, c.req.param("thread") ?? "", c.req.param("checkpoint") ?? ""),
    ),
  );
  app.post(
    "/console/threads/:thread/fork",
    fragment(async (c, client) => {
      const forked = await fork(deps, client, c.req.param("thread") ?? "", await formOf(c));
      if (forked.location)
        c.header("HX-Location", JSON.stringify({ path: forked.location, target: "#main" }));
      c.status(forked.status as 200);
      return forked.body;
    }),
  );

  app.get("/console/events", async (c) => {
    if (!(await clientOf(c).authorized())) {
      return c.json({ error: "UNAUTHORIZED", message: "This server requires an API key." }, 401);
    }
    return streamSSE(c, async (stream) => {
      // Ends at once when the page goes away, so a stopping server is not held by a timer.
      let wake = (): void => undefined;
      let open = true;
      const unsubscribe = feed.subscribe((changes) => {
        void stream.writeSSE({ event: "changes", data: JSON.stringify(changes) });
      });
      stream.onAbort(() => {
        open = false;
        unsubscribe();
        wake();
      });
      while (open) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, KEEP_ALIVE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (open) await stream.write(": keep-alive\n\n");
      }
    });
  });
  return app;
}

/** The posted form's text fields (the console's forms have no files). */
async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(body))
    if (typeof value === "string") form[name] = value;
  return form;
}

import { html, type SafeHtml } from "./html.js";

/** Where the console's pages live (the API owns /threads, /runs and /assistants). */
export const PAGES = {
  inbox: "/",
  threads: "/console/threads",
  thread: (threadId: string) => `/console/threads/${encodeURIComponent(threadId)}`,
} as const;

/**
 * The page the browser loads for any console URL: no data, only the frame. Its main area asks
 * for the same URL again through htmx, with the signed-in key, and shows what comes back.
 */
export function shell(path: string): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>Switchyard console</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/htmx.js" defer></script>
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body hx-boost="true" hx-target="#main" hx-swap="innerHTML">
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <strong class="brand">Switchyard</strong>
          <nav aria-label="Console">
            <a href="${PAGES.inbox}">Inbox</a>
            <a href="${PAGES.threads}">Threads and runs</a>
          </nav>
          <button type="button" id="sign-out" class="quiet">Sign out</button>
        </header>
        <p id="notice" class="notice" role="alert" hidden></p>
        <main id="main" tabindex="-1" hx-get="${path}" hx-trigger="load" hx-push-url="false">
          <p class="muted">Loading…</p>
        </main>
      </body>
    </html>`;
}

/** What a page shows when the server needs a key and none (or a wrong one) was given. */
export function signIn(wrongKey: boolean): SafeHtml {
  return html`<section class="sign-in">
    <h1>Sign in</h1>
    <p>
      This server needs an API key. It is kept in this browser tab only (sessionStorage) and is sent
      with each request; it never appears in a URL.
    </p>
    ${wrongKey ? html`<p class="error" role="alert"><code>UNAUTHORIZED</code> That key was not accepted.</p>` : ""}
    <form id="sign-in" method="post" action="/console/sign-in">
      <label for="key">API key</label>
      <input
        id="key"
        name="key"
        type="password"
        autocomplete="current-password"
        required
        autofocus
      />
      <button type="submit">Sign in</button>
    </form>
  </section>`;
}

/** An error in words, with the engine's code. */
export function errorBox(code: string, message: string): SafeHtml {
  return html`<div class="error" role="alert"><code>${code}</code> ${message}</div>`;
}

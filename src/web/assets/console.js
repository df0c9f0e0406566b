// The console's only script besides htmx: sends the signed-in API key with every request (it is
// kept in sessionStorage, never in a URL), and follows the server's change feed so that pages
// update live. No framework, no build step.
/* global document, window, sessionStorage, htmx */
const KEY = "switchyard.apiKey";

htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "...", swap: true },
];
htmx.config.historyCacheSize = 0;
htmx.config.refreshOnHistoryMiss = true;
htmx.config.defaultSettleDelay = 0;

document.addEventListener("htmx:configRequest", (event) => {
  const key = sessionStorage.getItem(KEY);
  if (key) event.detail.headers["x-api-key"] = key;
});

document.addEventListener("htmx:sendError", () => {
  showNotice("The server cannot be reached. Check that switchyard serve is running.");
});

document.addEventListener("input", (event) => {
  event.target.form?.classList.add("dirty");
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.answer) {
    // Inbox answers: one listener for every form, sent through htmx with the clicked button.
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form, event.submitter));
    htmx.ajax("POST", form.dataset.answer, { source: form, target: form.dataset.result, values });
    return;
  }
  if (form.id === "sign-in") {
    event.preventDefault();
    const key = form.elements.namedItem("key").value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    reloadMain();
    showSignOut();
    startLive();
  }
});

// The JSON editor of an inbox answer is added when it is opened (a thousand idle textareas
// would slow the inbox down for nothing).
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!details.classList?.contains("json-answer") || !details.open) return;
    if (details.querySelector("textarea")) return;
    const id = `${details.closest("form").id}-json`;
    details.insertAdjacentHTML(
      "beforeend",
      `<label for="${id}">Answer (JSON)</label>` +
        `<textarea id="${id}" name="json" rows="4" class="code"></textarea>` +
        `<button type="submit" name="mode" value="json" class="quiet">Send this JSON</button>`,
    );
    details.querySelector("textarea").focus();
  },
  true,
);

document.addEventListener("click", (event) => {
  const subgraph = event.target.closest?.('a[href^="#graph-sub-"]');
  if (subgraph)
    document.getElementById(subgraph.getAttribute("href").slice(1))?.setAttribute("open", "");
  if (event.target.closest("#sign-out")) {
    sessionStorage.removeItem(KEY);
    stopLive();
    reloadMain();
  }
});

// Sign out is offered only when a key was given in this tab.
function showSignOut() {
  const button = document.getElementById("sign-out");
  if (button) button.hidden = !sessionStorage.getItem(KEY);
}

function reloadMain() {
  showSignOut();
  htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#main" });
}

function showNotice(text) {
  const notice = document.getElementById("notice");
  if (!notice) return;
  notice.textContent = text;
  notice.hidden = false;
}

// "Show more" pressed from the keyboard: the first item it brings takes the focus.
let focusNextPage = false;
document.addEventListener("htmx:beforeSwap", (event) => {
  const button = event.detail.elt;
  focusNextPage = button.classList?.contains("more") && document.activeElement === button;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!focusNextPage) return;
  focusNextPage = false;
  [...document.querySelectorAll("[data-page-start]")].at(-1)?.focus();
});

// The change feed: Server-Sent Events read with fetch, because EventSource cannot send headers.
let live;
let lastStamp;
let lastInbox;

function startLive() {
  if (live) return;
  live = new AbortController();
  void follow(live.signal);
}

function stopLive() {
  live?.abort();
  live = undefined;
}

async function follow(signal) {
  while (!signal.aborted) {
    try {
      const headers = {};
      const key = sessionStorage.getItem(KEY);
      if (key) headers["x-api-key"] = key;
      const response = await fetch("/console/events", { headers, signal });
      if (response.status === 401) {
        live = undefined;
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("\n");
          if (data) changed(JSON.parse(data));
        }
      }
    } catch {
      // Stopped, or the server went away: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function changed(feed) {
  const waiting = new Set(feed.inbox);
  for (const item of document.querySelectorAll("[data-interrupt-id]")) {
    if (!waiting.has(item.dataset.interruptId)) item.remove();
  }
  const list = document.getElementById("inbox-list");
  if (list) {
    const count = document.getElementById("inbox-count");
    // The list shows a page at a time: an item is new when the last feed (or, at first, the
    // count the page was rendered with) did not have it, not merely when it is not shown.
    const fresh = lastInbox
      ? feed.inbox.some((id) => !lastInbox.has(id))
      : waiting.size > Number(count?.textContent ?? 0);
    if (count) count.textContent = String(waiting.size);
    if (fresh) {
      if (list.querySelector("form.dirty"))
        showNotice("New items are waiting: reload the inbox to see them.");
      else htmx.trigger(list, "sy:refresh");
    }
  }
  if (lastStamp !== undefined && feed.stamp !== lastStamp)
    htmx.trigger(document.body, "sy:changed");
  lastStamp = feed.stamp;
  lastInbox = waiting;
}

showSignOut();
startLive();

import { pendingInterruptsPage, type InboxItem, type InboxPage } from "../index.js";
import type { ApiClient, RunEvent } from "./api.js";
import type { ConsoleDeps } from "./deps.js";
import { readable, span, when } from "./format.js";
import { html, type SafeHtml } from "./html.js";
import { errorBox, PAGES } from "./layout.js";
import { graphOfThread } from "./thread.js";
import {
  isApproval,
  parseJson,
  schemaFields,
  valueFromForm,
  type FormValues,
  type JsonSchema,
} from "./schema-form.js";

/** Items per page of the inbox: the rest load as the list scrolls (or with "Show more"). */
export const INBOX_PAGE_SIZE = 50;

/** The inbox page: every interrupt waiting for a human, most urgent first, a page at a time. */
export async function inboxPage(deps: ConsoleDeps, now: Date): Promise<SafeHtml> {
  const page = await firstPage(deps);
  return html`<h1>Inbox <span class="badge waiting" id="inbox-count">${page.total}</span></h1>
    <p class="muted">
      Interrupts waiting for an answer, across every thread: those with a deadline first (overdue
      ones on top), then the oldest. Answered items leave this list for everyone looking at it.
    </p>
    ${inboxList(page, now)}`;
}

export function firstPage(deps: ConsoleDeps): Promise<InboxPage> {
  return pendingInterruptsPage(deps.checkpointer, { limit: INBOX_PAGE_SIZE });
}

/** The list alone (its first page): what the change feed reloads when new items arrive. */
export function inboxList(page: InboxPage, now: Date): SafeHtml {
  const { items } = page;
  return html`<section
    id="inbox-list"
    class="items"
    aria-label="Waiting items"
    hx-boost="false"
    hx-get="/console/inbox/list"
    hx-trigger="sy:refresh"
    hx-target="this"
    hx-swap="outerHTML"
  >
    ${items.length === 0 ? html`<p class="muted">Nothing is waiting.</p>` : ""}
    ${items.map((item) => inboxItem(item, now, false))} ${more(page, items.length)}
  </section>`;
}

/** The page after `after` (`shown` items are on the page already), in place of its button. */
export async function nextItems(
  deps: ConsoleDeps,
  after: string,
  shown: number,
  now: Date,
): Promise<SafeHtml> {
  const page = await pendingInterruptsPage(deps.checkpointer, {
    limit: INBOX_PAGE_SIZE,
    after,
  });
  return html`${page.items.map((item, index) => inboxItem(item, now, index === 0))}
  ${more(page, shown + page.items.length)}`;
}

/**
 * Loads the next page when it scrolls into view, or when pressed (it is a button, so the keyboard
 * reaches it; the first new item then takes the focus).
 */
function more(page: InboxPage, shown: number): SafeHtml | string {
  if (page.next === undefined) return "";
  const path = `/console/inbox/more?after=${encodeURIComponent(page.next)}&shown=${shown}`;
  return html`<button
    type="button"
    class="more quiet"
    hx-get="${path}"
    hx-trigger="click, intersect once"
    hx-target="this"
    hx-swap="outerHTML"
  >
    Show more (${shown} of ${page.total} shown)
  </button>`;
}

function inboxItem(item: InboxItem, now: Date, pageStart: boolean): SafeHtml {
  const key = item.interruptId;
  const waited = now.getTime() - Date.parse(item.createdAt);
  const payload = item.value;
  const question =
    typeof payload === "object" && payload !== null && "question" in payload
      ? String(payload.question)
      : typeof payload === "string"
        ? payload
        : undefined;
  const rest =
    typeof payload === "object" && payload !== null && question !== undefined
      ? Object.fromEntries(Object.entries(payload).filter(([name]) => name !== "question"))
      : typeof payload === "string"
        ? undefined
        : payload;
  return html`<article
    class="item"
    id="item-${key}"
    data-interrupt-id="${key}"
    aria-labelledby="title-${key}"
    ${pageStart ? html`data-page-start tabindex="-1"` : ""}
  >
    <header>
      <h2 id="title-${key}">${item.graph?.name ?? "unknown graph"} · ${item.node}</h2>
      <a href="${PAGES.thread(item.threadId)}">thread ${item.threadId}</a>
      <span>waiting ${span(waited)}</span>
      ${deadline(item, now)}
    </header>
    ${question === undefined ? "" : html`<p class="question">${question}</p>`}
    ${rest === undefined ? "" : readable(rest)} ${answerForm(item)}
    <div id="result-${key}" role="status" aria-live="polite"></div>
  </article>`;
}

function deadline(item: InboxItem, now: Date): SafeHtml | string {
  if (item.deadline === undefined) return "";
  const left = Date.parse(item.deadline) - now.getTime();
  const then =
    item.onTimeout === undefined
      ? ""
      : "reject" in item.onTimeout
        ? `, then rejected (${item.onTimeout.reject})`
        : ", then answered automatically";
  return left < 0
    ? html`<span class="overdue">overdue by ${span(-left)} (deadline ${when(item.deadline)})</span>`
    : html`<span>deadline ${when(item.deadline)}: ${span(left)} left${then}</span>`;
}

function answerForm(item: InboxItem): SafeHtml {
  const key = item.interruptId;
  const schema = item.expects as JsonSchema | undefined;
  const action = `/console/inbox/${encodeURIComponent(item.threadId)}/${key}`;
  const formId = `answer-${key}`;
  // Sent by console.js (one listener for the whole list, not one htmx binding per form: the
  // inbox must stay quick with a thousand items); the JSON editor is added when opened.
  const attributes = html`data-answer="${action}" data-result="#result-${key}"`;
  const asJson = html`<details class="json-answer">
    <summary>Edit the answer as JSON</summary>
  </details>`;
  if (schema && isApproval(schema)) {
    return html`<form id="${formId}" ${attributes}>
      <label for="${formId}-comment">Comment <span class="muted">(optional)</span></label>
      <textarea id="${formId}-comment" name="f.comment" rows="2"></textarea>
      <div class="actions">
        <button type="submit" name="f.approved" value="true">Approve</button>
        <button type="submit" name="f.approved" value="false" class="reject">Reject</button>
      </div>
      ${asJson}
    </form>`;
  }
  if (schema) {
    return html`<form id="${formId}" ${attributes}>
      ${schemaFields(schema, formId)}
      <div class="actions">
        <button type="submit" name="mode" value="fields">Send answer</button>
      </div>
      ${asJson}
    </form>`;
  }
  return html`<form id="${formId}" ${attributes}>
    <label for="${formId}-json">Answer <span class="muted">(JSON, or plain text)</span></label>
    <textarea id="${formId}-json" name="json" rows="3" class="code"></textarea>
    <div class="actions"><button type="submit" name="mode" value="json">Send answer</button></div>
  </form>`;
}

/** What answering did, for the page: a message, and whether the item is gone. */
export interface AnswerOutcome {
  readonly status: number;
  readonly body: SafeHtml;
  /** True when the item was answered: the page replaces it instead of keeping the form. */
  readonly answered: boolean;
}

/**
 * Sends the answer as a resume through the API (as the signed-in key's holder) and waits briefly
 * for the engine's verdict: a refused answer keeps the item and says why, in the engine's words.
 */
export async function answer(
  deps: ConsoleDeps,
  client: ApiClient,
  threadId: string,
  interruptId: string,
  form: FormValues,
): Promise<AnswerOutcome> {
  const item = await waitingItem(deps, threadId, interruptId);
  if (!item) {
    const body = html`<div class="ok">
      This item is no longer waiting: someone answered it, or its deadline passed.
      <a href="${PAGES.thread(threadId)}">Open the thread</a>.
    </div>`;
    return { status: 200, body, answered: true };
  }
  const schema = item.expects as JsonSchema | undefined;
  const value =
    form.mode === "json" || !schema ? parseJson(form.json ?? "") : valueFromForm(schema, form);
  const result = await client.streamUntil(
    `/threads/${encodeURIComponent(threadId)}/runs/stream`,
    {
      assistant_id: item.graph,
      command: { resume: { [interruptId]: value } },
      stream_mode: ["updates"],
    },
    (event) => event.event !== "metadata",
    deps.answerWaitMs,
  );
  if (!result.ok) {
    return {
      status: result.status,
      body: refused(result.error.code, result.error.message),
      answered: false,
    };
  }
  const failure = result.value.find((event: RunEvent) => event.event === "error");
  if (failure) {
    const data = failure.data as { error?: string; message?: string };
    return {
      status: 422,
      body: refused(data.error ?? "ERROR", data.message ?? "The run failed."),
      answered: false,
    };
  }
  const body = html`<div class="ok" role="status">
    Answered ${item.graph} · ${item.node} on thread ${threadId}:
    <code>${JSON.stringify(value)}</code>. The run continues —
    <a href="${PAGES.thread(threadId)}">watch the thread</a>.
  </div>`;
  return { status: 200, body, answered: true };
}

/**
 * The interrupt still waiting on the thread, read from that thread alone (not from the whole
 * inbox): its graph, node and answer schema.
 */
async function waitingItem(
  deps: ConsoleDeps,
  threadId: string,
  interruptId: string,
): Promise<{ graph: string; node: string; expects?: Record<string, unknown> } | undefined> {
  const served = await graphOfThread(deps, threadId);
  if (!served) return undefined;
  const state = await served.graph.getState({ configurable: { thread_id: threadId } });
  for (const task of state.tasks) {
    const found = task.interrupts.find((each) => each.id === interruptId);
    if (found) return { graph: served.name, node: found.node, expects: found.expects };
  }
  return undefined;
}

function refused(code: string, message: string): SafeHtml {
  return html`${errorBox(code, message)}
    <p class="muted">The item is still waiting.</p>`;
}

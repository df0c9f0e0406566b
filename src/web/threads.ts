import { randomUUID } from "node:crypto";
import type { ApiClient } from "./api.js";
import type { ConsoleDeps } from "./deps.js";
import { when } from "./format.js";
import { html, type SafeHtml } from "./html.js";
import { errorBox, PAGES } from "./layout.js";
import { schemaFields, valueFromForm, type FormValues, type JsonSchema } from "./schema-form.js";

/** The API's thread statuses, as the console names them. */
export const STATUS_NAMES: Readonly<Record<string, string>> = {
  busy: "running",
  interrupted: "waiting",
  error: "failed",
  idle: "done",
};

export interface ThreadFilter {
  readonly status?: string;
  readonly graph?: string;
  /** Matches thread ids and metadata text. */
  readonly q?: string;
}

interface WireThread {
  thread_id: string;
  updated_at: string;
  created_at: string;
  status: string;
  metadata: Record<string, unknown>;
  interrupts: Record<string, unknown[]>;
}

/** Metadata the server sets on every thread, shown in its own column. */
const HIDDEN_METADATA = new Set(["graph_id", "assistant_id"]);

/** How many threads the list shows at most (the newest). */
const SHOWN = 500;

export async function threadsPage(
  deps: ConsoleDeps,
  client: ApiClient,
  filter: ThreadFilter,
): Promise<SafeHtml> {
  const graphs = [...deps.graphs.keys()];
  const statusOption = (name: string, wire: string) =>
    html`<option value="${wire}" ${filter.status === wire ? "selected" : ""}>${name}</option>`;
  return html`<h1>Threads and runs</h1>
    <form
      class="filters"
      role="search"
      hx-get="${PAGES.threads}"
      hx-push-url="true"
      hx-trigger="submit, change"
    >
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">any</option>
          ${Object.entries(STATUS_NAMES).map(([wire, name]) => statusOption(name, wire))}
        </select>
      </div>
      <div>
        <label for="graph">Graph</label>
        <select id="graph" name="graph">
          <option value="">any</option>
          ${graphs.map((name) => html`<option ${filter.graph === name ? "selected" : ""}>${name}</option>`)}
        </select>
      </div>
      <div>
        <label for="q">Thread id or metadata</label>
        <input id="q" name="q" type="search" value="${filter.q ?? ""}" />
      </div>
      <button type="submit">Filter</button>
    </form>
    ${await threadTable(client, filter)} ${startForm(graphs)}`;
}

/** The table alone, reloaded by the change feed with the same filter. */
export async function threadTable(client: ApiClient, filter: ThreadFilter): Promise<SafeHtml> {
  const query: Record<string, unknown> = { limit: SHOWN };
  if (filter.status) query.status = filter.status;
  if (filter.graph) query.metadata = { graph_id: filter.graph };
  const result = await client.call<WireThread[]>("POST", "/threads/search", query);
  const params = new URLSearchParams(
    Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  const region = html`id="thread-table" hx-get="/console/threads/table?${params.toString()}"
  hx-trigger="sy:changed from:body" hx-target="this" hx-swap="outerHTML"`;
  if (!result.ok)
    return html`<div ${region}>${errorBox(result.error.code, result.error.message)}</div>`;
  const needle = filter.q?.trim().toLowerCase();
  const threads = needle
    ? result.value.filter(
        (thread) =>
          thread.thread_id.toLowerCase().includes(needle) ||
          JSON.stringify(thread.metadata).toLowerCase().includes(needle),
      )
    : result.value;
  return html`<div ${region}>
    <table>
      <caption class="muted">
        ${threads.length} thread(s)${threads.length >= SHOWN ? ", newest first" : ""}
      </caption>
      <thead>
        <tr>
          <th>Thread</th>
          <th>Graph</th>
          <th>Status</th>
          <th>Last update</th>
          <th>Metadata</th>
        </tr>
      </thead>
      <tbody>
        ${threads.map((thread) => {
          const status = STATUS_NAMES[thread.status] ?? thread.status;
          const graph = thread.metadata.graph_id;
          const metadata = Object.fromEntries(
            Object.entries(thread.metadata).filter(([key]) => !HIDDEN_METADATA.has(key)),
          );
          return html`<tr data-thread-id="${thread.thread_id}">
            <td><a href="${PAGES.thread(thread.thread_id)}">${thread.thread_id}</a></td>
            <td>${typeof graph === "string" ? graph : "—"}</td>
            <td><span class="badge ${status}">${status}</span></td>
            <td>${when(thread.updated_at)}</td>
            <td>
              ${Object.keys(metadata).length > 0 ? html`<code>${JSON.stringify(metadata)}</code>` : ""}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function startForm(graphs: readonly string[]): SafeHtml {
  return html`<section aria-labelledby="start-title">
    <h2 id="start-title">Start a run</h2>
    <label for="start-graph">Graph</label>
    <select
      id="start-graph"
      name="graph"
      hx-get="/console/start"
      hx-target="#start-fields"
      hx-trigger="change, load"
      hx-swap="innerHTML"
    >
      ${graphs.map((name) => html`<option>${name}</option>`)}
    </select>
    <div id="start-fields"></div>
  </section>`;
}

/** The input form of one graph, built from its input schema as the API publishes it. */
export async function startFields(client: ApiClient, graph: string): Promise<SafeHtml> {
  const result = await client.call<{ input_schema: JsonSchema | null }>(
    "GET",
    `/assistants/${encodeURIComponent(graph)}/schemas`,
  );
  if (!result.ok) return errorBox(result.error.code, result.error.message);
  const schema = result.value.input_schema ?? {};
  return html`<form id="start-form" hx-post="/console/start/${graph}" hx-target="#start-result">
    ${schemaFields(schema, "start")}
    <label for="start-thread"
      >Thread id <span class="muted">(optional; new one if empty)</span></label
    >
    <input id="start-thread" name="thread_id" />
    <div class="actions"><button type="submit">Start</button></div>
    <div id="start-result" role="status" aria-live="polite"></div>
  </form>`;
}

/**
 * Starts a run of `graph` with the form's input on a new thread, through the API. Waits briefly
 * for the first step so that an input the schema refuses is shown here, in the engine's words.
 */
export async function startRun(
  client: ApiClient,
  graph: string,
  form: FormValues,
): Promise<{ status: number; body: SafeHtml; location?: string }> {
  const schemas = await client.call<{ input_schema: JsonSchema | null }>(
    "GET",
    `/assistants/${encodeURIComponent(graph)}/schemas`,
  );
  if (!schemas.ok) {
    return { status: schemas.status, body: errorBox(schemas.error.code, schemas.error.message) };
  }
  const input = valueFromForm(schemas.value.input_schema ?? {}, form);
  const threadId = form.thread_id?.trim() || randomUUID();
  const started = await client.streamUntil(
    `/threads/${encodeURIComponent(threadId)}/runs/stream`,
    { assistant_id: graph, input, if_not_exists: "create", stream_mode: ["updates"] },
    (event) => event.event !== "metadata",
    3000,
  );
  if (!started.ok) {
    return { status: started.status, body: errorBox(started.error.code, started.error.message) };
  }
  const failure = started.value.find((event) => event.event === "error");
  if (failure) {
    const data = failure.data as { error?: string; message?: string };
    return {
      status: 422,
      body: errorBox(data.error ?? "ERROR", data.message ?? "The run failed."),
    };
  }
  return {
    status: 200,
    body: html`<div class="ok">
      Started <a href="${PAGES.thread(threadId)}">thread ${threadId}</a>.
    </div>`,
    location: PAGES.thread(threadId),
  };
}

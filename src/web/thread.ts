import type { AuditEntry, CompiledGraph, GraphStructure, StateSnapshot } from "../index.js";
import type { ApiClient } from "./api.js";
import type { ConsoleDeps } from "./deps.js";
import { span, when } from "./format.js";
import { graphSvg, subgraphAnchor, type NodeMark } from "./graph-svg.js";
import { loadHistory, nodeMarks, type ThreadHistory, type TimelineEntry } from "./history.js";
import { html, type SafeHtml } from "./html.js";
import { errorBox, PAGES } from "./layout.js";
import { taskTimings } from "./task-timings.js";
import { STATUS_NAMES } from "./threads.js";

interface WireThread {
  status: string;
  metadata: Record<string, unknown>;
}

/** The graph that runs the thread: the one it is pinned to, else its metadata's graph_id. */
export async function graphOfThread(
  deps: ConsoleDeps,
  threadId: string,
  metadata: Record<string, unknown> = {},
): Promise<{ name: string; graph: CompiledGraph<never> } | undefined> {
  const pinned = (await deps.checkpointer.getThread(threadId))?.graph?.name;
  const name = pinned ?? metadata.graph_id;
  if (typeof name !== "string") return undefined;
  const served = deps.graphs.get(name);
  return served ? { name, graph: served.graph } : undefined;
}

/** A thread: its graph with nodes marked, the timeline, the audit trail, and a checkpoint panel. */
export async function threadPage(
  deps: ConsoleDeps,
  client: ApiClient,
  threadId: string,
): Promise<SafeHtml> {
  const live = await threadLive(deps, client, threadId);
  return html`<h1>Thread <code>${threadId}</code></h1>
    ${live}
    <section id="checkpoint" aria-live="polite" aria-label="Checkpoint">
      <p class="muted">
        Choose “state” on a row of the timeline to see the state at that checkpoint, its diff to the
        parent, and to fork from it.
      </p>
    </section>`;
}

/** The parts that change while a run goes: reloaded by the change feed. */
export async function threadLive(
  deps: ConsoleDeps,
  client: ApiClient,
  threadId: string,
): Promise<SafeHtml> {
  const path = `${PAGES.thread(threadId)}/live`;
  const region = html`id="thread-live" hx-get="${path}" hx-trigger="sy:changed from:body"
  hx-target="this" hx-swap="outerHTML"`;
  const wire = await client.call<WireThread>("GET", `/threads/${encodeURIComponent(threadId)}`);
  if (!wire.ok) return html`<div ${region}>${errorBox(wire.error.code, wire.error.message)}</div>`;
  const served = await graphOfThread(deps, threadId, wire.value.metadata);
  const status = STATUS_NAMES[wire.value.status] ?? wire.value.status;
  const header = html`<p>
    Status <span class="badge ${status}" id="thread-status">${status}</span> · graph
    ${served?.name ?? "unknown"}
    ${status === "waiting" ? html` · <a href="${PAGES.inbox}">answer in the inbox</a>` : ""}
  </p>`;
  if (!served)
    return html`<div ${region}>
      ${header}
      <p class="muted">No graph is served for this thread.</p>
    </div>`;
  const audit = await served.graph.getAuditLog(threadId);
  const history = await loadHistory(served.graph, threadId, audit);
  const marks = nodeMarks(history, status === "running");
  const structure = served.graph.getGraph();
  return html`<div ${region} data-status="${status}">
    ${header}
    <div class="columns">
      <section aria-labelledby="graph-title">
        <h2 id="graph-title">Graph</h2>
        ${graphSvg(structure, marks)} ${await subgraphViews(served.graph, threadId, structure)}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit trail</h2>
        ${auditTable(audit)} ${errorsOf(history)}
      </section>
    </div>
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      ${timeline(threadId, history)}
    </section>
  </div>`;
}

/**
 * Each subgraph node, expandable into its own graph; a child waiting inside marks its node. Nested
 * subgraphs nest.
 */
async function subgraphViews(
  graph: CompiledGraph<never>,
  threadId: string,
  structure: GraphStructure,
): Promise<SafeHtml | string> {
  const children = Object.entries(structure.subgraphs ?? {});
  if (children.length === 0) return "";
  const snapshot = await graph.getState(
    { configurable: { thread_id: threadId } },
    { subgraphs: true },
  );
  const view = (
    id: string,
    node: string,
    child: GraphStructure,
    state: StateSnapshot<unknown> | undefined,
  ): SafeHtml => {
    const anchor = subgraphAnchor(id, node);
    const marks = new Map<string, NodeMark>();
    for (const task of state?.tasks ?? []) {
      if (task.error) marks.set(task.name, "failed");
      else if (task.interrupts.length > 0) marks.set(task.name, "waiting");
    }
    const nested = Object.entries(child.subgraphs ?? {}).map(([name, grandchild]) =>
      view(anchor, name, grandchild, state?.tasks.find((task) => task.name === name)?.state),
    );
    return html`<details class="subgraph" id="${anchor}" ${state ? "open" : ""}>
      <summary>Subgraph ${node}${state ? " (active)" : ""}</summary>
      ${graphSvg(child, marks, anchor)}${nested}
    </details>`;
  };
  return html`${children.map(([node, child]) =>
    view("graph", node, child, snapshot.tasks.find((task) => task.name === node)?.state),
  )}`;
}

function errorsOf(history: ThreadHistory): SafeHtml | string {
  const failed = history.latest?.tasks.filter((task) => task.error) ?? [];
  if (failed.length === 0) return "";
  return html`<h3>Failed</h3>
    ${failed.map((task) =>
      errorBox(
        task.error?.code ?? task.error?.name ?? "ERROR",
        `${task.name}: ${task.error?.message ?? ""}`,
      ),
    )}`;
}

function auditTable(audit: readonly AuditEntry[]): SafeHtml {
  if (audit.length === 0)
    return html`<p class="muted">Nobody has answered anything on this thread yet.</p>`;
  return html`<table class="audit">
    <thead>
      <tr>
        <th>When</th>
        <th>Who</th>
        <th>Node</th>
        <th>What</th>
        <th>Answer</th>
      </tr>
    </thead>
    <tbody>
      ${audit.map(
        (entry) =>
          html`<tr data-actor="${entry.actor}">
            <td>${when(entry.at)}</td>
            <td>${entry.actor}</td>
            <td>${entry.node}</td>
            <td>${entry.kind === "timeout" ? "deadline passed" : "answered"}</td>
            <td><code>${JSON.stringify(entry.value)}</code></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function timeline(threadId: string, history: ThreadHistory): SafeHtml {
  if (history.entries.length === 0) return html`<p class="muted">No checkpoints yet.</p>`;
  return html`<table class="timeline">
      <thead>
        <tr>
          <th>Step</th>
          <th>Source</th>
          <th>Tasks that ran</th>
          <th>Ran for</th>
          <th>Tokens</th>
          <th>At</th>
          <th>Branch</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${history.entries.map((entry) => timelineRow(threadId, entry))}
      </tbody>
    </table>
    <p class="muted">
      Each task shows how long it ran (the bar is its share of the step's slowest task), its
      attempts when it was retried, the error of each failed attempt, and its tokens. “Ran for” is
      the superstep's time, not counting waits for an answer. Greyed rows are on another branch than
      the newest checkpoint.
    </p>`;
}

function timelineRow(threadId: string, entry: TimelineEntry): SafeHtml {
  const row = checkpointRow(threadId, entry);
  if (entry.failedNext.length === 0) return row;
  return html`${row}
    <tr class="failed-step" data-step="${entry.step + 1}">
      <td>${entry.step + 1}</td>
      <td><span class="badge failed">failed</span></td>
      <td>${taskTimings(entry.failedNext)}</td>
      <td colspan="5" class="muted">
        Not committed: the failed tasks run again when the thread is resumed; the finished ones keep
        their writes.
      </td>
    </tr>`;
}

function checkpointRow(threadId: string, entry: TimelineEntry): SafeHtml {
  const tokens = Object.entries(entry.usage).map(
    ([node, usage]) => `${node}: ${usage.total_tokens}`,
  );
  const panel = `${PAGES.thread(threadId)}/checkpoints/${encodeURIComponent(entry.id)}`;
  const waiting = entry.snapshot.tasks.filter((task) => task.interrupts.length > 0);
  return html`<tr
    data-checkpoint-id="${entry.id}"
    data-step="${entry.step}"
    class="${entry.onCurrentBranch ? "" : "other-branch"}"
  >
    <td>${entry.step}</td>
    <td>${entry.source}</td>
    <td>
      ${entry.timings.length > 0 ? taskTimings(entry.timings) : entry.ran.join(", ") || "—"}${waiting.length > 0 ? html` <span class="badge waiting">waits on ${waiting.map((task) => task.name).join(", ")}</span>` : ""}
    </td>
    <td>${entry.ranMs === undefined ? "—" : span(entry.ranMs)}</td>
    <td>${tokens.join(", ") || "—"}</td>
    <td>${when(entry.snapshot.createdAt)}</td>
    <td>
      ${entry.startsBranch ? html`<span class="badge running">new branch</span>` : entry.onCurrentBranch ? "current" : "other"}
    </td>
    <td>
      <a href="${panel}" hx-get="${panel}" hx-target="#checkpoint" hx-push-url="false">state</a>
    </td>
  </tr>`;
}

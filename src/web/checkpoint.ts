import type { ApiClient } from "./api.js";
import type { ConsoleDeps } from "./deps.js";
import { json, labelOf } from "./format.js";
import { html, type SafeHtml } from "./html.js";
import { errorBox, PAGES } from "./layout.js";
import { parseJson } from "./schema-form.js";
import { graphOfThread } from "./thread.js";

type Values = Record<string, unknown>;

/** The state at one checkpoint, its diff to the parent, and the form to fork from it. */
export async function checkpointPanel(
  deps: ConsoleDeps,
  threadId: string,
  checkpointId: string,
): Promise<SafeHtml> {
  const served = await graphOfThread(deps, threadId);
  if (!served)
    return errorBox("THREAD_NOT_FOUND", `Thread "${threadId}" has no graph served here.`);
  const at = (id: string) =>
    served.graph.getState({ configurable: { thread_id: threadId, checkpoint_id: id } });
  const snapshot = await at(checkpointId);
  const parentId = snapshot.parentConfig?.configurable.checkpoint_id;
  const parent = typeof parentId === "string" ? await at(parentId) : undefined;
  const values = (snapshot.values ?? {}) as Values;
  const step = snapshot.metadata?.step;
  const action = `${PAGES.thread(threadId)}/fork`;
  return html`<h2>
      State at step ${String(step)} <small><code>${checkpointId}</code></small>
    </h2>
    <div class="columns">
      <section>
        <h3>Values</h3>
        <pre>${json(values)}</pre>
      </section>
      <section class="diff">
        <h3>Diff to the parent</h3>
        ${parent ? diff(parent.values ?? {}, values) : html`<p class="muted">The first checkpoint: no parent.</p>`}
      </section>
    </div>
    <form id="fork-form" hx-post="${action}" hx-target="#fork-result">
      <input type="hidden" name="checkpoint_id" value="${checkpointId}" />
      <label for="fork-values"
        >Fork from this checkpoint with this state (JSON; only the keys you change are written, as
        an update)</label
      >
      <textarea id="fork-values" name="values" rows="12" class="code">${json(values)}</textarea>
      <div class="actions"><button type="submit">Fork and run from here</button></div>
      <div id="fork-result" role="status" aria-live="polite"></div>
    </form>`;
}

function diff(before: Values, after: Values): SafeHtml {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const rows = keys.flatMap((key) => {
    const was = JSON.stringify(before[key]);
    const now = JSON.stringify(after[key]);
    if (was === now) return [];
    const kind = !(key in before) ? "added" : !(key in after) ? "removed" : "changed";
    return [
      html`<tr class="${kind}" data-key="${key}">
        <th>${labelOf(key)}</th>
        <td>${kind}</td>
        <td><code>${was ?? ""}</code></td>
        <td><code>${now ?? ""}</code></td>
      </tr>`,
    ];
  });
  if (rows.length === 0) return html`<p class="muted">Nothing changed.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th>Key</th>
        <th></th>
        <th>Before</th>
        <th>After</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/**
 * Forks the thread at a checkpoint: the keys the user changed are written there as an update (a
 * new branch), then a run continues from it; with nothing changed, the run re-runs from the
 * checkpoint itself. Both through the API, so a busy thread is refused with its code.
 */
export async function fork(
  deps: ConsoleDeps,
  client: ApiClient,
  threadId: string,
  form: Readonly<Record<string, string | undefined>>,
): Promise<{ status: number; body: SafeHtml; location?: string }> {
  const checkpointId = form.checkpoint_id ?? "";
  const served = await graphOfThread(deps, threadId);
  if (!served) {
    return {
      status: 404,
      body: errorBox("THREAD_NOT_FOUND", `Thread "${threadId}" has no graph served here.`),
    };
  }
  const original = (
    await served.graph.getState({
      configurable: { thread_id: threadId, checkpoint_id: checkpointId },
    })
  ).values as Values;
  const edited = parseJson(form.values ?? "");
  const thread = `/threads/${encodeURIComponent(threadId)}`;
  let from = checkpointId;
  if (JSON.stringify(edited) !== JSON.stringify(original)) {
    const changed =
      typeof edited === "object" && edited !== null && !Array.isArray(edited)
        ? Object.fromEntries(
            Object.entries(edited).filter(
              ([key, value]) => JSON.stringify(original[key]) !== JSON.stringify(value),
            ),
          )
        : edited;
    const updated = await client.call<{ checkpoint: { checkpoint_id: string } }>(
      "POST",
      `${thread}/state`,
      {
        values: changed,
        checkpoint_id: checkpointId,
      },
    );
    if (!updated.ok)
      return { status: updated.status, body: errorBox(updated.error.code, updated.error.message) };
    from = updated.value.checkpoint.checkpoint_id;
  }
  const run = await client.call("POST", `${thread}/runs`, {
    assistant_id: served.name,
    input: null,
    checkpoint_id: from,
  });
  if (!run.ok) return { status: run.status, body: errorBox(run.error.code, run.error.message) };
  return {
    status: 200,
    body: html`<div class="ok">
      Forked at <code>${checkpointId}</code>: a run continues from <code>${from}</code>.
    </div>`,
    location: PAGES.thread(threadId),
  };
}

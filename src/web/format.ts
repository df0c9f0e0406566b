import { html, type SafeHtml } from "./html.js";

/** A value shown for people: objects as labelled lists, lists as lists, text as text. */
export function readable(value: unknown, depth = 0): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">none</span>`;
  if (typeof value !== "object") return html`${scalarText(value)}`;
  if (depth > 4) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">empty list</span>`;
    return html`<ol class="value-list">
      ${value.map((item) => html`<li>${readable(item, depth + 1)}</li>`)}
    </ol>`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return html`<span class="muted">empty</span>`;
  return html`<dl class="value">
    ${entries.map(
      ([key, item]) =>
        html`<dt>${labelOf(key)}</dt>
          <dd>${readable(item, depth + 1)}</dd>`,
    )}
  </dl>`;
}

/** `paymentId` → "payment id", `expense_claim` → "expense claim". */
export function labelOf(key: string): string {
  return key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

/** A span of time in words: "3 d 2 h", "5 min", "12 s", "340 ms". */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const seconds = Math.floor(abs / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A time as a <time> element, readable and exact on hover. */
export function when(iso: string | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const shown = iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return html`<time datetime="${iso}" title="${iso}">${shown}</time>`;
}

/** Pretty JSON for <pre> and textareas. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "null";
}

/** A scalar as text: strings as they are, anything else as JSON. */
export function scalarText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

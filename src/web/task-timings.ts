import type { TaskTiming, TokenUsage } from "../index.js";
import { span } from "./format.js";
import { html, type SafeHtml } from "./html.js";

/**
 * The tasks of one superstep as the timeline shows them: per task its node, a bar as long as its
 * share of the superstep's slowest task, its duration, retries, node-cache hits, tokens, and the
 * error of each failed attempt in words with the engine's code.
 */
export function taskTimings(timings: readonly TaskTiming[]): SafeHtml {
  const longest = Math.max(1, ...timings.map((timing) => timing.durationMs));
  return html`<ul class="tasks">
    ${timings.map((timing) => taskLine(timing, longest))}
  </ul>`;
}

function taskLine(timing: TaskTiming, longest: number): SafeHtml {
  const share = Math.max(1, Math.round((timing.durationMs / longest) * 100));
  const failed = timing.errors.length >= timing.attempts && timing.attempts > 0;
  return html`<li
    class="task${failed ? " failed" : ""}"
    data-task-node="${timing.node}"
    data-attempts="${timing.attempts}"
    data-duration-ms="${timing.durationMs}"
  >
    <span class="task-name">${timing.node}</span>
    <span class="bar" aria-hidden="true"><span style="width: ${share}%"></span></span>
    <span class="task-time" title="started ${timing.startedAt}">${span(timing.durationMs)}</span>
    ${timing.cached ? html`<span class="badge done">from cache</span>` : ""}
    ${timing.attempts > 1 ? html`<span class="badge waiting">${timing.attempts} attempts</span>` : ""}
    ${timing.usage ? html`<span class="tokens">${tokens(timing.usage)}</span>` : ""}
    ${
      timing.errors.length === 0
        ? ""
        : html`<ol class="attempt-errors">
            ${timing.errors.map(
              (error) =>
                html`<li>
                  attempt ${error.attempt} failed: <code>${error.code ?? error.name}</code>
                  ${error.message}
                </li>`,
            )}
          </ol>`
    }
  </li>`;
}

/** "1,234 tokens (1,000 in, 234 out)". */
export function tokens(usage: TokenUsage): string {
  const count = (value: number) => value.toLocaleString("en");
  return `${count(usage.total_tokens)} tokens (${count(usage.input_tokens)} in, ${count(usage.output_tokens)} out)`;
}

/** Process-wide tracing options; see `configureTelemetry`. */
export interface TelemetryOptions {
  /**
   * Record state contents on spans: a run's input and each task's update (as JSON, cut at
   * `maxContentLength` characters). Off by default: spans carry ids and names only.
   */
  readonly recordContents: boolean;
  readonly maxContentLength: number;
}

let current: TelemetryOptions = { recordContents: false, maxContentLength: 4096 };

/**
 * Changes what Switchyard's spans record, for every graph of the process. Tracing itself is on
 * whenever the application registers an OpenTelemetry SDK; without one nothing is recorded.
 *
 * @example
 * configureTelemetry({ recordContents: true }); // inputs and updates on spans, e.g. in development
 */
export function configureTelemetry(options: Partial<TelemetryOptions>): void {
  current = { ...current, ...options };
}

export function telemetryOptions(): TelemetryOptions {
  return current;
}

/** `value` as JSON for a span attribute, cut to the configured length; never throws. */
export function contentAttribute(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "null";
  } catch {
    text = String(value);
  }
  const max = current.maxContentLength;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

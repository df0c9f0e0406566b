import {
  SpanStatusCode,
  TraceFlags,
  type Link,
  type Span,
  type SpanContext,
} from "@opentelemetry/api";

/** Span and attribute names; `gen_ai.*` follow OpenTelemetry's GenAI semantic conventions. */
export const ATTR = {
  graph: "switchyard.graph.name",
  graphVersion: "switchyard.graph.version",
  thread: "switchyard.thread_id",
  namespace: "switchyard.namespace",
  resumed: "switchyard.run.resumed",
  runOutcome: "switchyard.run.outcome",
  interrupts: "switchyard.run.interrupts",
  input: "switchyard.run.input",
  step: "switchyard.step",
  tasks: "switchyard.superstep.tasks",
  stepOutcome: "switchyard.superstep.outcome",
  checkpoint: "switchyard.checkpoint_id",
  checkpointSource: "switchyard.checkpoint.source",
  node: "switchyard.node",
  taskId: "switchyard.task_id",
  attempts: "switchyard.task.attempts",
  taskResumed: "switchyard.task.resumed",
  taskOutcome: "switchyard.task.outcome",
  cached: "switchyard.task.cached",
  output: "switchyard.task.output",
  interruptId: "switchyard.interrupt_id",
  stepName: "switchyard.durable_step.name",
  replayed: "switchyard.durable_step.replayed",
  attempt: "switchyard.attempt",
  retrying: "switchyard.attempt.retrying",
  errorType: "error.type",
  operation: "gen_ai.operation.name",
  model: "gen_ai.request.model",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
} as const;

/** The error's stable code (a SwitchyardError's) or its class name: what `error.type` holds. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : typeof error;
}

/** Marks the span failed with `error`: status, `error.type`, and an exception event. */
export function recordFailure(span: Span, error: unknown): void {
  span.setAttribute(ATTR.errorType, errorType(error));
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}

/** W3C `traceparent` of a span: what an interrupt stores so the run that answers it links back. */
export function traceparentOf(span: SpanContext): string {
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A link to the span a stored `traceparent` names; undefined for anything else. */
export function linkFrom(traceparent: unknown): Link | undefined {
  if (typeof traceparent !== "string") return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: parseInt(match[3] as string, 16),
    isRemote: true,
  };
  return { context, attributes: { "switchyard.link": "resumes" } };
}

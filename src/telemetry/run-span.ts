import {
  context,
  trace,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { GraphSpec } from "../graph/spec.js";
import type { RunObserver, SuperstepObserver, TaskObserver } from "../runtime/observer.js";
import { ATTR, linkFrom, recordFailure } from "./attributes.js";
import { contentAttribute, telemetryOptions } from "./options.js";
import { contextOfTask, SuperstepSpan } from "./task-span.js";

const TRACER_NAME = "switchyard";

export interface RunSpanParams {
  readonly spec: GraphSpec;
  readonly threadId: string | undefined;
  /** The subgraph namespace ("" for a thread's own graph). */
  readonly namespace: string;
  /** The task a subgraph runs inside: its run nests under that task's span. */
  readonly parentTask?: TaskObserver;
  readonly input?: unknown;
}

/** A traced run: the runtime's observer, plus what the thread layer tells it. */
export interface RunTelemetry extends RunObserver {
  /** The run answers interrupts raised by these (stored `traceparent`s): it links to them. */
  resumes(traceparents: ReadonlyArray<string | undefined>): void;
  /** The run returned (paused with `interrupts` waiting, or done) or threw `error`. */
  end(result: { paused: boolean; interrupts: number } | undefined, error?: unknown): void;
}

/**
 * Starts a run's span when an OpenTelemetry SDK is registered and samples it; otherwise returns
 * undefined and the run is not observed at all (one no-op span is the whole cost).
 */
export function observeRun(params: RunSpanParams): RunTelemetry | undefined {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = contextOfTask(params.parentTask) ?? context.active();
  const span = tracer.startSpan(`switchyard.run ${params.spec.name}`, {}, parent);
  if (!span.isRecording()) return undefined;
  span.setAttribute(ATTR.graph, params.spec.name);
  span.setAttribute(ATTR.graphVersion, params.spec.version);
  if (params.threadId !== undefined) span.setAttribute(ATTR.thread, params.threadId);
  if (params.namespace !== "") span.setAttribute(ATTR.namespace, params.namespace);
  if (telemetryOptions().recordContents && params.input !== undefined && params.input !== null) {
    span.setAttribute(ATTR.input, contentAttribute(params.input));
  }
  return new RunSpan(tracer, span, trace.setSpan(parent, span));
}

class RunSpan implements RunTelemetry {
  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly context: Context,
  ) {}

  superstep(step: number, tasks: readonly string[]): SuperstepObserver {
    const span = this.tracer.startSpan(
      "switchyard.superstep",
      { attributes: { [ATTR.step]: step, [ATTR.tasks]: tasks.length } },
      this.context,
    );
    return new SuperstepSpan(this.tracer, span, this.context, step);
  }

  checkpoint(step: number, checkpointId: string, source: string): void {
    this.span.addEvent("checkpoint", {
      [ATTR.checkpoint]: checkpointId,
      [ATTR.checkpointSource]: source,
      [ATTR.step]: step,
    });
  }

  resumes(traceparents: ReadonlyArray<string | undefined>): void {
    this.span.setAttribute(ATTR.resumed, true);
    const links = traceparents.map(linkFrom).filter((link): link is Link => link !== undefined);
    if (links.length > 0) this.span.addLinks(links);
  }

  end(result: { paused: boolean; interrupts: number } | undefined, error?: unknown): void {
    if (!result) {
      this.span.setAttribute(ATTR.runOutcome, "failed");
      recordFailure(this.span, error);
    } else {
      this.span.setAttribute(ATTR.runOutcome, result.paused ? "paused" : "done");
      if (result.paused) this.span.setAttribute(ATTR.interrupts, result.interrupts);
    }
    this.span.end();
  }
}

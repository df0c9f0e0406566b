import { context, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { TokenUsage } from "../graph/types.js";
import type { InterruptRecord } from "../runtime/interrupt.js";
import type { SuperstepObserver, TaskObserver } from "../runtime/observer.js";
import { ATTR, errorType, recordFailure, traceparentOf } from "./attributes.js";
import { contentAttribute, telemetryOptions } from "./options.js";

/** The context of a task's span: where a graph invoked inside the task nests its run. */
export function contextOfTask(task: TaskObserver | undefined): Context | undefined {
  return task instanceof TaskSpan ? task.context : undefined;
}

/** A superstep's span, child of its run's; tasks' spans are its children. */
export class SuperstepSpan implements SuperstepObserver {
  private readonly context: Context;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    parent: Context,
    private readonly step: number,
  ) {
    this.context = trace.setSpan(parent, span);
  }

  task(id: string, node: string, resumed: boolean): TaskObserver {
    const span = this.tracer.startSpan(
      `switchyard.task ${node}`,
      {
        attributes: {
          [ATTR.node]: node,
          [ATTR.taskId]: id,
          [ATTR.step]: this.step,
          [ATTR.taskResumed]: resumed,
        },
      },
      this.context,
    );
    return new TaskSpan(span, trace.setSpan(this.context, span));
  }

  reused(id: string, node: string, how: "pending" | "cached"): void {
    if (how === "pending") {
      this.span.addEvent("task_reused", { [ATTR.node]: node, [ATTR.taskId]: id });
      return;
    }
    const attributes = {
      [ATTR.node]: node,
      [ATTR.taskId]: id,
      [ATTR.step]: this.step,
      [ATTR.cached]: true,
      [ATTR.taskOutcome]: "cached",
    };
    this.tracer.startSpan(`switchyard.task ${node}`, { attributes }, this.context).end();
  }

  checkpoint(checkpointId: string): void {
    this.span.addEvent("checkpoint", {
      [ATTR.checkpoint]: checkpointId,
      [ATTR.checkpointSource]: "loop",
    });
  }

  end(outcome: "committed" | "paused" | "failed", error?: unknown): void {
    this.span.setAttribute(ATTR.stepOutcome, outcome);
    if (outcome === "failed") recordFailure(this.span, error);
    this.span.end();
  }
}

/** One task's span: attempts, retries, durable steps, usage, its interrupt or its error. */
class TaskSpan implements TaskObserver {
  private attempts = 1;
  private inputTokens = 0;
  private outputTokens = 0;
  private reported = false;

  constructor(
    private readonly span: Span,
    readonly context: Context,
  ) {}

  within<T>(work: () => T): T {
    return context.with(this.context, work);
  }

  attemptFailed(number: number, error: unknown, retrying: boolean): void {
    this.span.addEvent(retrying ? "retry" : "attempt_failed", {
      [ATTR.attempt]: number,
      [ATTR.retrying]: retrying,
      [ATTR.errorType]: errorType(error),
    });
    if (retrying) this.attempts = number + 1;
  }

  step(name: string, replayed: boolean): void {
    this.span.addEvent("durable_step", { [ATTR.stepName]: name, [ATTR.replayed]: replayed });
  }

  usage(usage: TokenUsage, model: string | undefined): void {
    this.reported = true;
    this.inputTokens += count(usage.input_tokens);
    this.outputTokens += count(usage.output_tokens);
    if (model !== undefined) this.span.setAttribute(ATTR.model, model);
  }

  interrupted(interrupt: InterruptRecord): string {
    this.span.addEvent("interrupt", { [ATTR.interruptId]: interrupt.id });
    this.finish("interrupted");
    return traceparentOf(this.span.spanContext());
  }

  end(outcome: "finished" | "failed", detail?: unknown): void {
    if (outcome === "failed") recordFailure(this.span, detail);
    else if (telemetryOptions().recordContents) {
      this.span.setAttribute(ATTR.output, contentAttribute(detail));
    }
    this.finish(outcome);
  }

  private finish(outcome: string): void {
    this.span.setAttribute(ATTR.taskOutcome, outcome);
    this.span.setAttribute(ATTR.attempts, this.attempts);
    if (this.reported) {
      this.span.setAttribute(ATTR.operation, "chat");
      this.span.setAttribute(ATTR.inputTokens, this.inputTokens);
      this.span.setAttribute(ATTR.outputTokens, this.outputTokens);
    }
    this.span.end();
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

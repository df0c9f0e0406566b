import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { InterruptOptions, OnTimeout } from "../graph/types.js";
import { z } from "zod";
import {
  InterruptRejectedError,
  InvalidResumeError,
  NoCheckpointerError,
  OutsideNodeError,
} from "../errors.js";
import type { TaskObserver } from "./observer.js";
import type { StepTracker } from "./step-tracker.js";
import type { SubgraphHost } from "./subgraph-host.js";

/** A pending interrupt, as stored with its task and shown by getState, invoke and the inbox. */
export interface InterruptRecord {
  readonly id: string;
  readonly node: string;
  /** Position of the `interrupt()` call within the node's execution (0 for the first). */
  readonly index: number;
  readonly value: unknown;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly deadline?: string;
  readonly onTimeout?: OnTimeout;
  /** The JSON Schema of the answer (from the `resume` schema), when the interrupt has one. */
  readonly expects?: Record<string, unknown>;
  /** W3C traceparent of the task that raised it, when traced: the resumed run links to it. */
  readonly traceparent?: string;
}

/**
 * What a task has recorded so far, persisted as one pending write so it survives interrupts and
 * crashes: the resume values answered by call order, and the results of its durable steps.
 */
export interface TaskRecord {
  readonly resumes: readonly unknown[];
  readonly steps: Readonly<Record<string, unknown>>;
  /** Call indexes answered by a deadline's rejection, with its reason. */
  readonly rejections?: Readonly<Record<string, string>>;
}

export const EMPTY_RECORD: TaskRecord = { resumes: [], steps: {} };

/**
 * Thrown by `interrupt()` to stop the task: a control-flow signal, outside the SwitchyardError
 * hierarchy of failures. Code in a node must not swallow it (rethrow what you do not handle).
 */
export class InterruptSignal extends Error {
  constructor(readonly interrupt: InterruptRecord) {
    super(
      `Interrupted at node "${interrupt.node}" (interrupt ${interrupt.id}); this is not a failure.`,
    );
    this.name = "InterruptSignal";
  }
}

/** The task an `interrupt()` or `ctx.step()` call belongs to; it outlives its attempts. */
export interface TaskScope {
  readonly taskId: string;
  readonly node: string;
  readonly durable: boolean;
  /** Resume values by call index: recorded ones, plus the ones this resume supplies. */
  readonly resumes: unknown[];
  /** Call indexes answered by a deadline's rejection (never by a human's value). */
  readonly rejections: Map<number, string>;
  /** Durable step results, from every attempt (an abandoned one's included). */
  readonly steps: Record<string, unknown>;
  /** The attempt running now, or the last one. */
  attempt: AttemptScope;
  /** Step functions still running, started by this attempt or an abandoned one. */
  readonly inFlight: StepTracker;
  /** Persists the record after a durable step finishes. */
  readonly save: (record: TaskRecord) => Promise<void>;
  /** Resolves when a step may start: the run still holds its thread (LEASE_LOST otherwise). */
  readonly beforeStep: () => Promise<void>;
  /** What a graph invoked inside this task checkpoints with; undefined without a checkpointer. */
  readonly host: SubgraphHost | undefined;
  /** Told about the task's attempts, steps and usage (telemetry); undefined when nobody listens. */
  readonly observer: TaskObserver | undefined;
}

/** One execution of a task's node: interrupts and steps are matched by call order within it. */
export interface AttemptScope {
  readonly task: TaskScope;
  readonly number: number;
  /** Steps finished in this execution (a name used twice is a mistake); made at the first. */
  stepsRun: Set<string> | undefined;
  /** `interrupt()` calls answered so far in this execution. */
  interrupts: number;
  /** Answers validated in this execution, for the audit log. */
  readonly accepted: Array<{ id: string; index: number; value: unknown }>;
  /**
   * Why the engine stopped waiting for this attempt, once it has: from then on no step may start.
   * A reason, not an error: building an error (and its stack) for every attempt would cost the
   * hot path; the error is built only for a step that is refused.
   */
  ended: string | undefined;
  /** Graphs invoked so far in this execution: each gets its own namespace, by call order. */
  subgraphCalls: number;
}

const scopes = new AsyncLocalStorage<AttemptScope>();

/** The attempt of the task whose node is running here, if any (a graph invoked inside a node). */
export function currentAttempt(): AttemptScope | undefined {
  return scopes.getStore();
}

/** Calls `work(input, ctx)` with `scope` as the current attempt (no closure per call). */
export function runInScope<Input, Context, T>(
  scope: AttemptScope,
  work: (input: Input, ctx: Context) => T,
  input: Input,
  ctx: Context,
): T {
  return scopes.run(scope, work, input, ctx);
}

/** A stable id for the `index`-th interrupt of a task: the same on every re-execution. */
export function interruptId(taskId: string, index: number): string {
  return createHash("sha256").update(`${taskId}#${index}`).digest("hex").slice(0, 16);
}

/**
 * Pauses the run until a human answers. Inside a node, the first call stops the node and the run
 * returns with the pending interrupt; after `invoke(new Command({ resume }), config)` the node runs
 * again from its start and this call returns the resume value (calls are matched by order, so a
 * node may ask several questions in turn). Needs a checkpointer.
 *
 * @example
 * const answer = interrupt({ question: "Approve the refund?" }, { resume: z.object({ approved: z.boolean() }) });
 */
export function interrupt<Resume = unknown>(
  value: unknown,
  options: InterruptOptions<Resume> = {},
): Resume {
  const scope = scopes.getStore();
  if (!scope) throw new OutsideNodeError("interrupt()");
  return interruptIn(scope, value, options);
}

/** `interrupt()` for a known task: what `ctx.interrupt` calls. */
export function interruptIn<Resume>(
  attempt: AttemptScope,
  value: unknown,
  options: InterruptOptions<Resume> = {},
): Resume {
  const scope = attempt.task;
  if (!scope.durable) throw new NoCheckpointerError("interrupt()");
  const index = attempt.interrupts;
  const id = interruptId(scope.taskId, index);
  if (index < scope.resumes.length) {
    const answer = scope.resumes[index];
    const rejected = scope.rejections.get(index);
    if (rejected !== undefined) {
      attempt.interrupts = index + 1;
      attempt.accepted.push({ id, index, value: { reject: rejected } });
      throw new InterruptRejectedError(scope.node, id, rejected);
    }
    const parsed = options.resume
      ? options.resume.safeParse(answer)
      : ({ success: true, data: answer } as const);
    if (parsed.success) {
      // Only answers that passed validation count as given (and may be persisted).
      attempt.interrupts = index + 1;
      attempt.accepted.push({ id, index, value: answer });
      return parsed.data as Resume;
    }
    const problem = parsed.error.issues
      .map((issue) =>
        issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
      )
      .join("; ");
    throw new InvalidResumeError(
      `The resume value for interrupt ${id} (node "${scope.node}") is invalid: ${problem}. ` +
        `The run is still paused; resume again with a valid value.`,
    );
  }
  attempt.interrupts = index + 1;
  const deadline =
    options.deadline === undefined ? undefined : new Date(options.deadline).toISOString();
  throw new InterruptSignal({
    id,
    node: scope.node,
    index,
    value,
    createdAt: new Date().toISOString(),
    ...(deadline === undefined ? {} : { deadline }),
    ...(options.onTimeout === undefined ? {} : { onTimeout: options.onTimeout }),
    ...(options.resume === undefined ? {} : expectsOf(options.resume)),
  });
}

/** The answer's JSON Schema, for people and consoles to see what to send; none if zod cannot say. */
function expectsOf(schema: z.ZodType): { expects?: Record<string, unknown> } {
  try {
    const expects = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    delete expects.$schema;
    return { expects };
  } catch {
    return {};
  }
}

/** What the task has durably established: its validated answers and its steps' results. */
export function recordOf(scope: TaskScope): TaskRecord {
  const answered = scope.attempt.interrupts;
  if (answered === 0 && scope.rejections.size === 0 && !hasKeys(scope.steps)) return EMPTY_RECORD;
  const rejections: Record<string, string> = {};
  for (const [index, reason] of scope.rejections) {
    if (index < answered) rejections[String(index)] = reason;
  }
  return {
    resumes: scope.resumes.slice(0, answered),
    steps: { ...scope.steps },
    rejections,
  };
}

function hasKeys(record: Readonly<Record<string, unknown>>): boolean {
  for (const key in record) if (Object.prototype.hasOwnProperty.call(record, key)) return true;
  return false;
}

/** An interrupt as callers see it (LangGraph's `{ id, value }`, plus where and until when). */
export interface PendingInterrupt {
  readonly id: string;
  readonly value: unknown;
  readonly node: string;
  readonly createdAt: string;
  readonly deadline?: string;
  /** The JSON Schema the answer must match, when the interrupt was given a `resume` schema. */
  readonly expects?: Record<string, unknown>;
}

export function publicInterrupt(record: InterruptRecord): PendingInterrupt {
  const { id, value, node, createdAt, deadline, expects } = record;
  return {
    id,
    value,
    node,
    createdAt,
    ...(deadline === undefined ? {} : { deadline }),
    ...(expects === undefined ? {} : { expects }),
  };
}

/**
 * A deadline's rejection, as `sweepExpired()` hands it to the resume path. It is honoured only for
 * answers the sweep gives (never for a caller's `Command({ resume })`), so no client can forge one.
 */
export class Rejection {
  constructor(readonly reason: string) {}
}

/** The answer to an `approval()`. */
export interface ApprovalDecision {
  approved: boolean;
  comment?: string;
  /**
   * Only for `approval(payload, { editable: true })`: the approver changed what is approved, and
   * these are the changed arguments (Agent Chat UI's "edit"). Absent when approved as asked.
   */
  edited?: Record<string, unknown>;
}

const ApprovalSchema = z.object({ approved: z.boolean(), comment: z.string().optional() });
const EditableApprovalSchema = ApprovalSchema.extend({
  edited: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Asks a human to approve or reject, with `payload` as the context they see. Resume with
 * `{ approved: true }` or `{ approved: false, comment: "why" }` (anything else is refused with
 * INVALID_RESUME). A deadline's `onTimeout: { reject: reason }` comes back as
 * `{ approved: false, comment: reason }`. With `editable: true` the approver may also send
 * `edited` (changed arguments, e.g. a lower amount): the node must then act on those.
 *
 * @example
 * const decision = approval({ claim, reason: "over 500 EUR" }, { deadline, onTimeout: { reject: "no answer in 3 days" } });
 * if (!decision.approved) return { status: "rejected", reason: decision.comment };
 */
export function approval(
  payload: unknown,
  options: Omit<InterruptOptions<ApprovalDecision>, "resume"> & { editable?: boolean } = {},
): ApprovalDecision {
  const { editable, ...rest } = options;
  try {
    return interrupt(payload, {
      ...rest,
      resume: editable ? EditableApprovalSchema : ApprovalSchema,
    });
  } catch (error) {
    if (error instanceof InterruptRejectedError) return { approved: false, comment: error.reason };
    throw error;
  }
}

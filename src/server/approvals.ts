// `approval()` interrupts as Agent Chat UI (and LangChain's human-in-the-loop middleware) shows
// them: the interrupt value carries `action_requests` and `review_configs`, and the UI resumes with
// `{ decisions: [{ type: "approve" | "edit" | "reject", … }] }`, which becomes the typed answer
// `{ approved, comment?, edited? }` the node receives.
import { z } from "zod";
import { InvalidResumeError, type PendingInterrupt } from "../index.js";

/** The answer an approval takes, as `approval()` validates it (checked here for a 4xx first). */
const approvalAnswer = z.object({
  approved: z.boolean(),
  comment: z.string().optional(),
  edited: z.record(z.string(), z.unknown()).optional(),
});

const decision = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }).loose(),
  z
    .object({
      type: z.literal("edit"),
      edited_action: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) }),
    })
    .loose(),
  z.object({ type: z.literal("reject"), message: z.string().optional() }).loose(),
]);

/** One approval is one action: exactly one decision. */
const decisions = z.object({ decisions: z.array(decision).length(1) });

/** Whether an interrupt is an approval (its answer schema is approval()'s), and if editable. */
export function approvalOf(interrupt: PendingInterrupt): { editable: boolean } | undefined {
  const properties = interrupt.expects?.properties as
    Record<string, { type?: unknown }> | undefined;
  if (!properties || properties.approved?.type !== "boolean") return undefined;
  const keys = Object.keys(properties);
  if (!keys.every((key) => key === "approved" || key === "comment" || key === "edited")) {
    return undefined;
  }
  return { editable: keys.includes("edited") };
}

/**
 * The interrupt's value as served: for an approval, the payload (its fields kept when it is an
 * object) with `action_requests` (the node as the action, the payload as its args) and
 * `review_configs` (approve and reject, plus edit when editable) added.
 */
export function servedValue(interrupt: PendingInterrupt): unknown {
  const approval = approvalOf(interrupt);
  if (!approval) return interrupt.value;
  const { value } = interrupt;
  const fields = isPlainObject(value) ? value : {};
  const question = typeof fields.question === "string" ? fields.question : undefined;
  return {
    ...fields,
    action_requests: [
      {
        name: interrupt.node,
        args: isPlainObject(value) ? value : { value },
        ...(question ? { description: question } : {}),
      },
    ],
    review_configs: [
      {
        action_name: interrupt.node,
        allowed_decisions: approval.editable
          ? ["approve", "edit", "reject"]
          : ["approve", "reject"],
      },
    ],
  };
}

/**
 * A run's `command.resume` with every answer to a waiting approval made typed: `{ decisions }`
 * becomes `{ approved, comment?, edited? }`, and any answer that would not parse is refused here
 * (INVALID_RESUME, a 400, with zod's account) so the thread keeps waiting. Other answers pass as
 * sent. `resume` is one value for the single waiting interrupt or an `{ [id]: value }` map.
 */
export function typedResume(resume: unknown, waiting: readonly PendingInterrupt[]): unknown {
  const byId = new Map(waiting.map((interrupt) => [interrupt.id, interrupt]));
  const isMap =
    isPlainObject(resume) &&
    Object.keys(resume).length > 0 &&
    Object.keys(resume).every((key) => byId.has(key));
  if (isMap) {
    return Object.fromEntries(
      Object.entries(resume).map(([id, answer]) => [
        id,
        typedAnswer(answer, byId.get(id) as PendingInterrupt),
      ]),
    );
  }
  const [only] = waiting;
  return waiting.length === 1 && only ? typedAnswer(resume, only) : resume;
}

function typedAnswer(answer: unknown, interrupt: PendingInterrupt): unknown {
  const approval = approvalOf(interrupt);
  if (!approval) return answer;
  const where = `interrupt ${interrupt.id} (node "${interrupt.node}", an approval)`;
  if (isPlainObject(answer) && "decisions" in answer) {
    const parsed = decisions.safeParse(withSnakeCase(answer));
    if (!parsed.success) {
      throw new InvalidResumeError(
        `The decisions for ${where} are invalid: ${z.prettifyError(parsed.error)}. ` +
          `Send { decisions: [{ type: "approve" }] }, [{ type: "reject", message }]` +
          `${approval.editable ? ' or [{ type: "edit", edited_action: { name, args } }]' : ""}; ` +
          `the thread is still waiting.`,
      );
    }
    const [chosen] = parsed.data.decisions as [z.output<typeof decision>];
    if (chosen.type === "approve") return { approved: true };
    if (chosen.type === "reject") {
      return { approved: false, ...(chosen.message ? { comment: chosen.message } : {}) };
    }
    if (!approval.editable) {
      throw new InvalidResumeError(
        `The approval of ${where} cannot be edited (the node asked with approval() without ` +
          `editable: true); approve or reject it. The thread is still waiting.`,
      );
    }
    return { approved: true, edited: chosen.edited_action.args };
  }
  const parsed = approvalAnswer.safeParse(answer);
  if (!parsed.success) {
    throw new InvalidResumeError(
      `The resume value for ${where} is invalid: ${z.prettifyError(parsed.error)}. ` +
        `Send { approved: true } or { approved: false, comment }, or Agent Chat UI's ` +
        `{ decisions: [...] }; the thread is still waiting.`,
    );
  }
  return answer;
}

/** LangChain's JS types name it `editedAction`; Agent Chat UI sends `edited_action`. Both go. */
function withSnakeCase(answer: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(answer.decisions)) return answer;
  const decisions = answer.decisions.map((item: unknown) =>
    isPlainObject(item) && item.edited_action === undefined && item.editedAction !== undefined
      ? { ...item, edited_action: item.editedAction }
      : item,
  );
  return { ...answer, decisions };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

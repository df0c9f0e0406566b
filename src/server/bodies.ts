// Request bodies and queries of the API, validated with zod. Unknown fields the SDK sends (webhook,
// feedback_keys, durability, …) are accepted and ignored; docs/server.md lists them.
import { z } from "zod";
import { InvalidRequestError } from "../index.js";

const metadata = z.record(z.string(), z.unknown());

const checkpointRef = z
  .object({ checkpoint_id: z.string().optional(), checkpoint_ns: z.string().optional() })
  .loose();

/** What LangGraph calls a Config: only `configurable` means something here. */
const config = z
  .object({ configurable: z.record(z.string(), z.unknown()).optional() })
  .loose()
  .optional();

export const STREAM_MODES = [
  "values",
  "updates",
  "custom",
  "debug",
  "messages-tuple",
  "messages",
  "tasks",
  "checkpoints",
  "events",
] as const;

export const runBody = z
  .object({
    assistant_id: z.string().min(1),
    input: z.record(z.string(), z.unknown()).nullish(),
    command: z
      .object({
        resume: z.unknown().optional(),
        update: z.record(z.string(), z.unknown()).nullish(),
        goto: z.union([z.string(), z.array(z.string())]).nullish(),
      })
      .nullish(),
    config,
    metadata: metadata.nullish(),
    stream_mode: z.union([z.enum(STREAM_MODES), z.array(z.enum(STREAM_MODES))]).nullish(),
    stream_subgraphs: z.boolean().nullish(),
    interrupt_before: z.union([z.literal("*"), z.array(z.string())]).nullish(),
    interrupt_after: z.union([z.literal("*"), z.array(z.string())]).nullish(),
    multitask_strategy: z.enum(["reject", "interrupt", "rollback", "enqueue"]).nullish(),
    if_not_exists: z.enum(["create", "reject"]).nullish(),
    on_completion: z.enum(["delete", "keep"]).nullish(),
    checkpoint_id: z.string().nullish(),
    checkpoint: checkpointRef.nullish(),
    after_seconds: z.number().nullish(),
  })
  .loose();
export type RunBody = z.output<typeof runBody>;

export const createThreadBody = z
  .object({
    thread_id: z.string().min(1).nullish(),
    metadata: metadata.nullish(),
    if_exists: z.enum(["raise", "do_nothing"]).nullish(),
    supersteps: z.array(z.unknown()).nullish(),
  })
  .loose();

export const patchThreadBody = z.object({ metadata: metadata.nullish() }).loose();

export const searchThreadsBody = z
  .object({
    metadata: metadata.nullish(),
    ids: z.array(z.string()).nullish(),
    status: z.enum(["idle", "busy", "interrupted", "error"]).nullish(),
    limit: z.number().int().min(1).max(1000).nullish(),
    offset: z.number().int().min(0).nullish(),
    sort_by: z.enum(["thread_id", "status", "created_at", "updated_at"]).nullish(),
    sort_order: z.enum(["asc", "desc"]).nullish(),
  })
  .loose();

export const updateStateBody = z
  .object({
    values: z.record(z.string(), z.unknown()).nullish(),
    as_node: z.string().nullish(),
    checkpoint_id: z.string().nullish(),
    checkpoint: checkpointRef.nullish(),
  })
  .loose();

export const historyBody = z
  .object({
    limit: z.number().int().min(1).max(1000).nullish(),
    /** A checkpoint id, a checkpoint, or a config naming one. */
    before: z
      .union([
        z.string(),
        z
          .object({
            checkpoint_id: z.string().optional(),
            configurable: z.object({ checkpoint_id: z.string().optional() }).loose().optional(),
          })
          .loose(),
      ])
      .nullish(),
    metadata: metadata.nullish(),
    checkpoint: checkpointRef.nullish(),
  })
  .loose();

export const stateCheckpointBody = z
  .object({ checkpoint: checkpointRef, subgraphs: z.boolean().nullish() })
  .loose();

export const searchAssistantsBody = z
  .object({
    graph_id: z.string().nullish(),
    name: z.string().nullish(),
    metadata: metadata.nullish(),
    limit: z.number().int().min(1).max(1000).nullish(),
    offset: z.number().int().min(0).nullish(),
  })
  .loose();

export const runStatus = z.enum([
  "pending",
  "running",
  "error",
  "success",
  "timeout",
  "interrupted",
]);

/** Parses `body` with `schema`, or throws INVALID_REQUEST with zod's account of what is wrong. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new InvalidRequestError(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** A non-negative integer query parameter, or `fallback` when absent. */
export function queryInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidRequestError(
      `Query parameter ${name} must be a non-negative integer, got "${value}".`,
    );
  }
  return parsed;
}

/** The request's JSON body; an empty body is `{}`; malformed JSON is INVALID_REQUEST. */
export async function readJson(request: { text(): Promise<string> }): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError(`The request body is not JSON: ${(error as Error).message}.`);
  }
}

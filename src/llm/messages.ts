import {
  coerceMessageLikeToMessage,
  isBaseMessage,
  RemoveMessage,
  type BaseMessage,
  type BaseMessageLike,
} from "@langchain/core/messages";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { reducer, type ReducedSchema } from "../graph/state.js";

export type MessagesUpdate = BaseMessageLike | readonly BaseMessageLike[];

/**
 * Folds message updates into a list, like LangGraph's messages reducer: a message whose id is
 * already in the list replaces it, a `RemoveMessage` with that id deletes it, and anything else is
 * appended. Message-likes (`{ role, content }`, `["human", "hi"]`, strings) become messages, and
 * messages without an id are given one so later updates can address them.
 */
export function mergeMessages(
  current: readonly BaseMessage[],
  update: MessagesUpdate,
): BaseMessage[] {
  const incoming = toMessages(update);
  const merged = [...current];
  const position = new Map<string, number>();
  merged.forEach((message, index) => {
    if (message.id) position.set(message.id, index);
  });
  const removed = new Set<string>();
  for (const message of incoming) {
    const id = message.id as string;
    const existing = position.get(id);
    if (RemoveMessage.isInstance(message)) {
      removed.add(id);
      continue;
    }
    removed.delete(id);
    if (existing === undefined) {
      position.set(id, merged.length);
      merged.push(message);
    } else {
      merged[existing] = message;
    }
  }
  return removed.size === 0
    ? merged
    : merged.filter((message) => !removed.has(message.id as string));
}

const messageLike = z.custom<BaseMessageLike>(
  (value) =>
    isBaseMessage(value) ||
    typeof value === "string" ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === "string") ||
    (typeof value === "object" &&
      value !== null &&
      ("role" in value || "type" in value) &&
      "content" in value),
  {
    message:
      "expected a message: a @langchain/core message, { role, content }, [role, content] or a string",
  },
);

/**
 * A state key holding `@langchain/core` messages, merged by id.
 *
 * @example
 * const State = z.object({ messages: messages() });
 * // a node returns { messages: [new AIMessage("hi")] } or { messages: { role: "user", content: "hi" } }
 */
/**
 * Coerces an update to messages that all have ids. The messages() key does this when it validates
 * an update, so the update stored in a checkpoint is exactly what was merged and replaying it
 * later gives the same ids.
 */
export function toMessages(update: MessagesUpdate): BaseMessage[] {
  // As in LangGraph, an array is always a list of messages (never a [role, content] pair).
  const likes = (Array.isArray(update) ? update : [update]) as readonly BaseMessageLike[];
  return likes.map((like) => {
    const message = coerceMessageLikeToMessage(like);
    if (!message.id) message.id = randomUUID();
    return message;
  });
}

export function messages(): ReducedSchema<z.ZodType<BaseMessage[]>, MessagesUpdate> {
  return reducer(
    z.array(
      z.custom<BaseMessage>((value) => isBaseMessage(value), {
        message: "expected a @langchain/core message",
      }),
    ),
    mergeMessages,
    () => [],
    {
      update: z
        .union([z.array(messageLike), messageLike])
        .transform((update) => toMessages(update)) as unknown as z.ZodType<MessagesUpdate>,
    },
  );
}

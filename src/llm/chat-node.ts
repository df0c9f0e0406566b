import type { BaseChatModel, BindToolsInput } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  AIMessageChunk,
  SystemMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import type { NodeFunction } from "../graph/types.js";
import { InvalidConfigError } from "../errors.js";

/** The part of the state an LLM node reads: a list of messages under `Key`. */
export type MessagesState<Key extends string = "messages"> = {
  readonly [K in Key]: readonly BaseMessage[];
};

/** What an LLM node returns: the messages it adds under `Key`. */
export type MessagesOutput<Key extends string = "messages"> = { [K in Key]: BaseMessage[] };

export interface ChatNodeOptions<Key extends string = "messages"> {
  /** Bound with `model.bindTools(tools)`; run them with `toolNode(tools)`. */
  tools?: readonly BindToolsInput[];
  /** Sent first on every call (not stored in the state). */
  system?: string | SystemMessage;
  /** The state key holding the messages (default "messages"). */
  messagesKey?: Key;
}

/**
 * A node that calls a chat model with the state's messages and appends its answer. Tools are bound
 * when given; the node's `ctx.signal` cancels the call, the model's tokens go to the `"messages"`
 * stream, and its `usage_metadata` is reported as the node's usage (see `getUsage`).
 *
 * @example
 * const model = new ChatOpenAI({ model: "gpt-4o-mini" });
 * new StateGraph(z.object({ messages: messages() }))
 *   .addNode("agent", chatNode(model, { tools: [search], system: "You are a support agent." }))
 *   .addNode("tools", toolNode([search]))
 *   .addEdge(START, "agent")
 *   .addConditionalEdges("agent", toolsCondition, ["tools", END])
 *   .addEdge("tools", "agent");
 */
export function chatNode<Key extends string = "messages">(
  model: BaseChatModel,
  options: ChatNodeOptions<Key> = {},
): NodeFunction<MessagesState<NoInfer<Key>>, MessagesOutput<NoInfer<Key>>> {
  // NoInfer: the key comes from `messagesKey` (default "messages"), never from the graph.
  const key = options.messagesKey ?? ("messages" as Key);
  const runnable = withTools(model, options.tools);
  const system =
    typeof options.system === "string" ? new SystemMessage(options.system) : options.system;
  return async (state, ctx) => {
    const history = state[key];
    const input = system ? [system, ...history] : [...history];
    const answer = completeMessage(await runnable.invoke(input, ctx.runnableConfig));
    if (answer.usage_metadata) {
      ctx.reportUsage(answer.usage_metadata, { model: modelName(model, answer) });
    }
    return { [key]: [answer] } as MessagesOutput<Key>;
  };
}

function withTools(
  model: BaseChatModel,
  tools: readonly BindToolsInput[] | undefined,
): Runnable<BaseMessage[], AIMessage> {
  if (!tools || tools.length === 0) return model as Runnable<BaseMessage[], AIMessage>;
  if (typeof model.bindTools !== "function") {
    throw new InvalidConfigError(
      `chatNode(model, { tools }): this model (${model.getName()}) cannot bind tools; use a chat model with tool calling, or drop the tools option.`,
    );
  }
  return model.bindTools([...tools]) as Runnable<BaseMessage[], AIMessage>;
}

/**
 * A streamed answer arrives as one aggregated chunk; the state keeps a plain AIMessage, the same
 * class it has after a round trip through the checkpointer.
 */
function completeMessage(message: AIMessage): AIMessage {
  if (!AIMessageChunk.isInstance(message)) return message;
  return new AIMessage({
    content: message.content,
    id: message.id,
    name: message.name,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    tool_calls: message.tool_calls,
    invalid_tool_calls: message.invalid_tool_calls,
    usage_metadata: message.usage_metadata,
  });
}

/** The model that answered (as the provider reports it), else the one configured, else its class. */
function modelName(model: BaseChatModel, answer: AIMessage): string {
  const reported = answer.response_metadata?.model_name ?? answer.response_metadata?.model;
  if (typeof reported === "string" && reported.length > 0) return reported;
  const configured = (model as unknown as { model?: unknown }).model;
  return typeof configured === "string" && configured.length > 0 ? configured : model.getName();
}

import { AIMessage } from "@langchain/core/messages";
import { END } from "../graph/constants.js";
import type { NodeContext } from "../graph/types.js";

export interface ToolsConditionOptions {
  /** The state key holding the messages (default "messages"). */
  messagesKey?: string;
  /** The node that runs the tools (default "tools"). */
  toolsNode?: string;
}

/**
 * A router for after a chat node: to the tools node when the last message is an AIMessage with
 * tool calls, else to END. Use it as is, or wrap it for other names:
 * `(state) => toolsCondition(state, { messagesKey: "history", toolsNode: "act" })`.
 *
 * @example
 * graph.addConditionalEdges("agent", toolsCondition, ["tools", END]);
 */
export function toolsCondition(
  state: Readonly<Record<string, unknown>>,
  options?: ToolsConditionOptions,
): string;
/** Used as a router, it receives the node context second; the defaults apply then. */
export function toolsCondition(state: Readonly<Record<string, unknown>>, ctx: NodeContext): string;
export function toolsCondition(
  state: Readonly<Record<string, unknown>>,
  options: ToolsConditionOptions | NodeContext = {},
): string {
  const { messagesKey, toolsNode } = options as ToolsConditionOptions;
  const messages = state[messagesKey ?? "messages"];
  const last: unknown = Array.isArray(messages) ? messages.at(-1) : undefined;
  const calls = AIMessage.isInstance(last) ? (last.tool_calls ?? []) : [];
  return calls.length > 0 ? (toolsNode ?? "tools") : END;
}

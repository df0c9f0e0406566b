import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { NodeContext, NodeFunction } from "../graph/types.js";
import { InterruptSignal } from "../runtime/interrupt.js";
import type { MessagesOutput, MessagesState } from "./chat-node.js";

export interface ToolNodeOptions<Key extends string = "messages"> {
  /** The state key holding the messages (default "messages"). */
  messagesKey?: Key;
}

/**
 * A node that runs the tool calls of the last AIMessage, concurrently, and appends one ToolMessage
 * per call in the order of the calls. A tool that throws, a call to an unknown tool, or arguments
 * that do not fit the tool's schema give a ToolMessage with `status: "error"` and the error text, so
 * the model can react; the run goes on. Calls that a ToolMessage after the AIMessage already
 * answers (e.g. a human rejected them) are not run. `interrupt()` inside a tool pauses the run as
 * in any node.
 *
 * @example
 * graph.addNode("tools", toolNode([search, sendEmail]));
 */
export function toolNode<Key extends string = "messages">(
  tools: readonly StructuredToolInterface[],
  options: ToolNodeOptions<Key> = {},
): NodeFunction<MessagesState<NoInfer<Key>>, MessagesOutput<NoInfer<Key>>> {
  // NoInfer: the key comes from `messagesKey` (default "messages"), never from the graph.
  const key = options.messagesKey ?? ("messages" as Key);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return async (state, ctx) => {
    const calls = pendingToolCalls(state[key]);
    const settled = await Promise.allSettled(calls.map((call) => runTool(byName, call, ctx)));
    const answers: BaseMessage[] = [];
    for (const result of settled) {
      // Only interrupts and cancellation reject; ordinary tool errors are already ToolMessages.
      if (result.status === "rejected") throw result.reason;
      answers.push(result.value);
    }
    return { [key]: answers } as MessagesOutput<Key>;
  };
}

/** The tool calls of the last AIMessage that no ToolMessage after it answers yet. */
function pendingToolCalls(messages: readonly BaseMessage[]): ToolCall[] {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!AIMessage.isInstance(message)) continue;
    const answered = new Set(
      messages
        .slice(index + 1)
        .filter((later) => ToolMessage.isInstance(later))
        .map((later) => (later as ToolMessage).tool_call_id),
    );
    return (message.tool_calls ?? []).filter((call) => !answered.has(call.id ?? ""));
  }
  return [];
}

async function runTool(
  tools: ReadonlyMap<string, StructuredToolInterface>,
  call: ToolCall,
  ctx: NodeContext,
): Promise<ToolMessage> {
  const tool = tools.get(call.name);
  if (!tool) {
    const known = [...tools.keys()].map((name) => `"${name}"`).join(", ");
    return failed(call, `there is no tool "${call.name}" (tools: ${known || "none"}).`);
  }
  try {
    const output: unknown = await tool.invoke({ ...call, type: "tool_call" }, ctx.runnableConfig);
    if (ToolMessage.isInstance(output)) return output;
    return new ToolMessage({
      content: typeof output === "string" ? output : JSON.stringify(output),
      tool_call_id: call.id ?? "",
      name: call.name,
    });
  } catch (error) {
    if (error instanceof InterruptSignal || ctx.signal.aborted) throw error;
    return failed(call, error instanceof Error ? error.message : String(error));
  }
}

function failed(call: ToolCall, reason: string): ToolMessage {
  return new ToolMessage({
    content: `Error: ${reason}`,
    tool_call_id: call.id ?? "",
    name: call.name,
    status: "error",
  });
}

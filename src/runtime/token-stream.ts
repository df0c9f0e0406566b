import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { AIMessageChunk, type BaseMessageChunk } from "@langchain/core/messages";
import type { ChatGenerationChunk, GenerationChunk } from "@langchain/core/outputs";

/**
 * Hands a model's tokens, as message chunks, to the run's `"messages"` stream. Passed in a node's
 * `ctx.runnableConfig.callbacks` only when the run streams that mode; chat models stream their
 * response (instead of one request for the whole answer) when a handler prefers it.
 */
export class TokenStreamHandler extends BaseCallbackHandler {
  name = "switchyard_token_stream";
  lc_prefer_streaming = true;
  // Awaited, not run in the background: every token reaches the stream before the node's update.
  override awaitHandlers = true;

  constructor(private readonly onChunk: (chunk: BaseMessageChunk) => void) {
    super();
  }

  override handleLLMNewToken(
    token: string,
    _indices: unknown,
    _runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: { chunk?: ChatGenerationChunk | GenerationChunk },
  ): void {
    const chunk = fields?.chunk;
    this.onChunk(
      chunk && "message" in chunk ? chunk.message : new AIMessageChunk({ content: token }),
    );
  }
}

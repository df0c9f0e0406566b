// A local stand-in for the OpenAI chat-completions API, on 127.0.0.1 and a random port. Each test
// scripts the answers; the server records every request it receives. It speaks plain JSON and SSE
// (`stream: true`), tool calls, and usage (in the last SSE chunk when
// `stream_options.include_usage` is set), which is all `ChatOpenAI` needs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ChatOpenAI } from "@langchain/openai";

export interface ScriptedToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** Defaults to a unique `call_<n>`. */
  readonly id?: string;
}

export interface ScriptedReply {
  readonly content?: string;
  /** How the content is streamed; by default word by word (spaces kept). */
  readonly tokens?: readonly string[];
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Defaults to 10 prompt and 5 completion tokens. */
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
}

/** A chat-completions request body, as the client sent it. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: ReadonlyArray<{
    readonly role: string;
    readonly content: unknown;
    readonly tool_calls?: ReadonlyArray<{ id: string; function: { name: string } }>;
    readonly tool_call_id?: string;
  }>;
  readonly tools?: ReadonlyArray<{ type: string; function: { name: string } }>;
  readonly stream?: boolean;
  readonly stream_options?: { include_usage?: boolean };
}

export interface FakeOpenAI {
  /** Every request received, in order. */
  readonly requests: ChatRequest[];
  /** For clients in other processes: `OPENAI_BASE_URL`. */
  readonly baseURL: string;
  /** Queues answers; each request takes the next one (a request with none left gets a 500). */
  script(...replies: ScriptedReply[]): void;
  /** A ChatOpenAI pointed at this server (no retries, so a failure surfaces at once). */
  model(): ChatOpenAI;
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: ChatRequest[] = [];
  const replies: ScriptedReply[] = [];
  let served = 0;
  let callIds = 0;

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      const request = JSON.parse(body) as ChatRequest;
      requests.push(request);
      const reply = replies.shift();
      if (!reply) {
        const message = `no scripted reply left for request ${requests.length}`;
        sendJson(res, 500, { error: { message, type: "server_error" } });
        return;
      }
      served += 1;
      const answer = {
        id: `chatcmpl-${served}`,
        created: 1_700_000_000,
        model: request.model,
        toolCalls: (reply.toolCalls ?? []).map((call) => ({
          id: call.id ?? `call_${(callIds += 1)}`,
          name: call.name,
          arguments: JSON.stringify(call.args),
        })),
        usage: usageOf(reply),
      };
      if (request.stream) streamAnswer(res, request, reply, answer);
      else sendJson(res, 200, completion(reply, answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}/v1`;

  return {
    requests,
    baseURL,
    script: (...more) => replies.push(...more),
    model: () =>
      new ChatOpenAI({
        model: "gpt-4o-mini",
        apiKey: "test",
        maxRetries: 0,
        configuration: { baseURL },
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface Answer {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly toolCalls: ReadonlyArray<{ id: string; name: string; arguments: string }>;
  readonly usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function usageOf(reply: ScriptedReply): Answer["usage"] {
  const { prompt_tokens, completion_tokens } = reply.usage ?? {
    prompt_tokens: 10,
    completion_tokens: 5,
  };
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function completion(reply: ScriptedReply, answer: Answer): unknown {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: answer.id,
    object: "chat.completion",
    created: answer.created,
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.content ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: answer.usage,
  };
}

/** SSE: a role chunk, the content token by token, each tool call in pieces, finish, usage, [DONE]. */
function streamAnswer(
  res: ServerResponse,
  request: ChatRequest,
  reply: ScriptedReply,
  answer: Answer,
): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
    const payload = {
      id: answer.id,
      object: "chat.completion.chunk",
      created: answer.created,
      model: answer.model,
      choices,
      ...extra,
    };
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  const delta = (value: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);

  delta({ role: "assistant", content: "" });
  for (const token of reply.tokens ?? words(reply.content ?? "")) delta({ content: token });
  answer.toolCalls.forEach((call, index) => {
    const half = Math.ceil(call.arguments.length / 2);
    const start = { index, id: call.id, type: "function", function: { name: call.name } };
    delta({ tool_calls: [{ ...start, function: { ...start.function, arguments: "" } }] });
    delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(0, half) } }] });
    delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] });
  });
  delta({}, answer.toolCalls.length > 0 ? "tool_calls" : "stop");
  if (request.stream_options?.include_usage) chunk([], { usage: answer.usage });
  res.end("data: [DONE]\n\n");
}

/** "Hello big world" -> ["Hello", " big", " world"]. */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => (body += part));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

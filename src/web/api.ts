/** The server's own HTTP API, called in-process (the server passes `app.fetch`). */
export type ApiFetch = (request: Request) => Response | Promise<Response>;

/** An error as the API answers it: the engine's stable code and its message. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export type ApiResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly error: ApiError };

/** One SSE event of a run's stream. */
export interface RunEvent {
  readonly event: string;
  readonly data: unknown;
}

const ORIGIN = "http://console.internal";

/**
 * The console's way to change anything: through the same API every client uses, with the
 * signed-in key, so the server's checks (API key, actor, one run per thread, schemas) all apply
 * and nothing the engine forbids is possible from the page.
 */
export class ApiClient {
  constructor(
    private readonly fetchApi: ApiFetch,
    private readonly apiKey: string | undefined,
  ) {}

  /** True when the key is accepted (or the server needs none). */
  async authorized(): Promise<boolean> {
    const response = await this.send("GET", "/ok");
    return response.status !== 401;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const response = await this.send(method, path, body);
    if (response.ok) {
      const text = await response.text();
      return { ok: true, value: (text === "" ? null : JSON.parse(text)) as T };
    }
    return { ok: false, status: response.status, error: await errorOf(response) };
  }

  /**
   * Starts a streamed run and reads its events until `enough` says so, the stream ends, or
   * `waitMs` passes; the run itself goes on in the server either way.
   */
  async streamUntil(
    path: string,
    body: unknown,
    enough: (event: RunEvent) => boolean,
    waitMs: number,
  ): Promise<ApiResult<RunEvent[]>> {
    const response = await this.send("POST", path, body);
    if (!response.ok || !response.body) {
      return { ok: false, status: response.status, error: await errorOf(response) };
    }
    const events: RunEvent[] = [];
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), waitMs);
    });
    let buffer = "";
    try {
      for (;;) {
        const next = await Promise.race([reader.read(), timeout]);
        if (next === "timeout" || next.done) break;
        buffer += next.value;
        let end: number;
        let stop = false;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!event) continue;
          events.push(event);
          if (enough(event)) stop = true;
        }
        if (stop) break;
      }
    } finally {
      clearTimeout(timer);
      await reader.cancel().catch(() => undefined);
    }
    return { ok: true, value: events };
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers["x-api-key"] = this.apiKey;
    if (body !== undefined) headers["content-type"] = "application/json";
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    return await this.fetchApi(new Request(`${ORIGIN}${path}`, init));
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === "string" && typeof body.message === "string") {
      return { code: body.error, message: body.message };
    }
  } catch {
    // Not JSON: reported below with the status.
  }
  return { code: `HTTP_${response.status}`, message: text || response.statusText };
}

function parseEvent(block: string): RunEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (data.length === 0) return undefined;
  try {
    return { event, data: JSON.parse(data.join("\n")) as unknown };
  } catch {
    return { event, data: data.join("\n") };
  }
}

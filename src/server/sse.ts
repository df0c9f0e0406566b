import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ServerEnv } from "./auth.js";
import type { RunEventLog } from "./run-events.js";
import { runLocation } from "./wire.js";

/**
 * Streams a run's events as the SDK decodes them: `event:`, `data:` (JSON), `id:` on every event,
 * heartbeat comments while nothing happens, and the end of the response when the run ends.
 * `cancelOnDisconnect` cancels the run (when it still runs here) when the client goes away.
 */
export function streamRun(
  c: Context<ServerEnv>,
  run: { threadId: string; runId: string; log: RunEventLog; cancel?: () => void },
  options: { lastEventId: string | undefined; heartbeatMs: number; cancelOnDisconnect: boolean },
): Response {
  const location = runLocation(run.threadId, run.runId);
  c.header("Content-Location", location);
  // Where to rejoin: the SDK reconnects there with Last-Event-ID when the connection drops.
  c.header("Location", `${location}/stream`);
  return streamSSE(c, async (stream) => {
    const gone = new AbortController();
    stream.onAbort(() => {
      gone.abort();
      if (options.cancelOnDisconnect) run.cancel?.();
    });
    const heartbeat = setInterval(() => {
      void stream.write(": heartbeat\n\n");
    }, options.heartbeatMs);
    try {
      for await (const event of run.log.follow(options.lastEventId, gone.signal)) {
        await stream.writeSSE({
          id: event.id,
          event: event.event,
          data: JSON.stringify(event.data ?? null),
        });
      }
    } finally {
      clearInterval(heartbeat);
    }
  });
}

import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import {
  GraphVersionMismatchError,
  RunInProgressError,
  RunNotFoundError,
  ThreadNotFoundError,
  type Configurable,
  type RunRecord,
  type ThreadRecord,
} from "../index.js";
import { typedResume } from "./approvals.js";
import type { ServerEnv } from "./auth.js";
import { parseBody, queryInt, readJson, runBody, runStatus, type RunBody } from "./bodies.js";
import type { ServerContext } from "./context.js";
import type { RunHandle } from "./executor.js";
import { planRun, type RunKwargs } from "./plan.js";
import { RunEventLog } from "./run-events.js";
import { streamRun } from "./sse.js";
import { plain, runLocation, wireRun, wireUsage } from "./wire.js";

type Mode = "background" | "wait" | "stream";

/** Runs on a thread (and stateless runs on a throwaway thread): start, list, read, join, cancel. */
export function runRoutes(
  ctx: ServerContext,
  heartbeatMs: number,
): {
  threadRuns: Hono<ServerEnv>;
  statelessRuns: Hono<ServerEnv>;
} {
  const threadRuns = new Hono<ServerEnv>();
  const statelessRuns = new Hono<ServerEnv>();

  const respond = async (c: Context<ServerEnv>, run: RunHandle, mode: Mode, body: RunBody) => {
    const location = runLocation(run.record.threadId, run.record.runId);
    if (mode === "stream") {
      const cancelOnDisconnect = body.on_disconnect === "cancel";
      return streamRun(c, live(run), { lastEventId: undefined, heartbeatMs, cancelOnDisconnect });
    }
    c.header("Content-Location", location);
    if (mode === "wait") {
      await run.done;
      return c.json(run.output);
    }
    return c.json(wireRun(run.record));
  };

  const start = async (c: Context<ServerEnv>, threadId: string | undefined, mode: Mode) => {
    const body = parseBody(runBody, await readJson(c.req), "run");
    const stateless = threadId === undefined;
    const run = await startRun(ctx, c.get("actor"), threadId ?? randomUUID(), body, stateless);
    if (stateless && body.on_completion !== "keep") {
      const { threadId: throwaway } = run.record;
      run.done
        .then(() => ctx.runs.deleteThread(throwaway))
        .then(() => ctx.checkpointer.deleteThread(throwaway))
        .catch((error: unknown) => console.error(`could not delete thread ${throwaway}:`, error));
    }
    return respond(c, run, mode, body);
  };

  threadRuns.post("/:thread_id/runs", (c) => start(c, c.req.param("thread_id"), "background"));
  threadRuns.post("/:thread_id/runs/wait", (c) => start(c, c.req.param("thread_id"), "wait"));
  threadRuns.post("/:thread_id/runs/stream", (c) => start(c, c.req.param("thread_id"), "stream"));
  statelessRuns.post("/wait", (c) => start(c, undefined, "wait"));
  statelessRuns.post("/stream", (c) => start(c, undefined, "stream"));

  threadRuns.get("/:thread_id/runs", async (c) => {
    const record = await ctx.thread(c.req.param("thread_id"));
    const query = c.req.query("status");
    const status = query === undefined ? undefined : parseBody(runStatus, query, "run status");
    const runs = await ctx.runs.listRuns(record.threadId, {
      limit: queryInt(c.req.query("limit"), "limit", 10),
      offset: queryInt(c.req.query("offset"), "offset", 0),
      ...(status ? { status } : {}),
    });
    return c.json(runs.map(wireRun));
  });

  const findRun = async (c: Context<ServerEnv>): Promise<RunRecord> => {
    const threadId = c.req.param("thread_id") ?? "";
    const runId = c.req.param("run_id") ?? "";
    const record = await ctx.runs.getRun(threadId, runId);
    if (!record) throw new RunNotFoundError(threadId, runId);
    return record;
  };

  threadRuns.get("/:thread_id/runs/:run_id", async (c) => {
    const record = await findRun(c);
    // What this run's model calls spent (checkpoints carrying its run_id): a Switchyard key.
    const usage = await ctx.checkpointer.getUsage(record.threadId, { runId: record.runId });
    return c.json({ ...wireRun(record), usage: wireUsage(usage) });
  });
  threadRuns.delete("/:thread_id/runs/:run_id", async (c) => {
    const record = await findRun(c);
    if ((await ctx.executor.find(record))?.log.finished === false) {
      throw new RunInProgressError(record.threadId, record.runId);
    }
    await ctx.runs.deleteRun(record.threadId, record.runId);
    return c.body(null, 204);
  });
  threadRuns.get("/:thread_id/runs/:run_id/join", async (c) => {
    const record = await findRun(c);
    const run = await ctx.executor.find(record);
    if (run) {
      await run.done;
      return c.json(run.output);
    }
    const thread = await ctx.thread(record.threadId);
    return c.json(plain((await ctx.snapshot(thread))?.values ?? {}));
  });
  threadRuns.get("/:thread_id/runs/:run_id/stream", async (c) => {
    const record = await findRun(c);
    const run = await ctx.executor.find(record);
    const lastEventId = c.req.header("Last-Event-ID");
    const cancelOnDisconnect = c.req.query("cancel_on_disconnect") === "1";
    // A run this process does not remember ran before a restart: replay what was stored.
    const stream = run
      ? live(run)
      : { ...record, log: RunEventLog.of(await ctx.runs.listEvents(record.runId, -1)) };
    return streamRun(c, stream, { lastEventId, heartbeatMs, cancelOnDisconnect });
  });
  threadRuns.post("/:thread_id/runs/:run_id/cancel", async (c) => {
    const record = await findRun(c);
    const run = await ctx.executor.find(record);
    if (run && !run.log.finished) {
      await run.cancel();
      if (c.req.query("wait") === "1" || c.req.query("wait") === "true") await run.done;
    }
    return c.body(null, c.req.query("wait") === "1" ? 204 : 202);
  });

  return { threadRuns, statelessRuns };
}

function live(run: RunHandle) {
  const cancel = (): void => {
    Promise.resolve(run.cancel()).catch((error: unknown) => {
      console.error(`could not cancel run ${run.record.runId}:`, error);
    });
  };
  return { ...run.record, log: run.log, cancel };
}

/**
 * The run's command with answers to waiting approvals made typed (Agent Chat UI's decisions become
 * `{ approved, … }`); an answer an approval would refuse is INVALID_RESUME here, before anything runs.
 */
async function typedCommand(
  ctx: ServerContext,
  thread: ThreadRecord | undefined,
  command: RunBody["command"],
): Promise<RunBody["command"]> {
  if (command?.resume === undefined || !thread) return command ?? null;
  const snapshot = await ctx.snapshot(thread);
  const waiting = snapshot?.tasks.flatMap((task) => task.interrupts) ?? [];
  return { ...command, resume: typedResume(command.resume, waiting) };
}

/** Checks the request, records the run and starts it. */
async function startRun(
  ctx: ServerContext,
  actor: string | undefined,
  threadId: string,
  body: RunBody,
  stateless: boolean,
): Promise<RunHandle> {
  const assistant = ctx.assistant(body.assistant_id);
  const existing = await ctx.findThread(threadId);
  if (!existing && !stateless && body.if_not_exists !== "create") {
    throw new ThreadNotFoundError(threadId);
  }
  // Refused before anything is recorded, so the thread's metadata keeps naming its own graph.
  const pinned = (await ctx.checkpointer.getThread(threadId))?.graph;
  if (pinned && pinned.name !== assistant.id) {
    const current = { name: assistant.id, version: assistant.graph.version };
    throw new GraphVersionMismatchError(threadId, pinned, current);
  }
  const now = new Date().toISOString();
  const runId = randomUUID();
  const checkpointId = body.checkpoint_id ?? body.checkpoint?.checkpoint_id ?? undefined;
  const configurable: Configurable = {
    ...(body.config?.configurable ?? {}),
    thread_id: threadId,
    ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
    // With API keys, the key's holder is the actor: no request can claim another name.
    ...(actor ? { actor } : {}),
  };
  const requested = body.stream_mode ?? ["values"];
  const kwargs: RunKwargs = {
    input: body.input ?? null,
    command: await typedCommand(ctx, existing, body.command),
    config: { configurable },
    stream_mode: typeof requested === "string" ? [requested] : requested,
    stream_subgraphs: body.stream_subgraphs ?? false,
    interrupt_before: body.interrupt_before ?? null,
    interrupt_after: body.interrupt_after ?? null,
  };
  const record: RunRecord = {
    runId,
    threadId,
    assistantId: assistant.id,
    status: "pending",
    metadata: body.metadata ?? {},
    multitaskStrategy: body.multitask_strategy ?? "reject",
    kwargs,
    createdAt: now,
    updatedAt: now,
  };
  const run = ctx.executor.start(planRun(record, assistant.graph), record.multitaskStrategy);
  // Stored (and, with a queue, accepted by its multitask strategy) before the thread names it.
  await run.stored;
  await ctx.saveThread(threadId, { graph_id: assistant.id, assistant_id: assistant.id });
  return run;
}

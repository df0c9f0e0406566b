import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { parseJsonArgument } from "../format.js";
import { runWithProgress } from "../progress.js";
import { runConfigOf, type RunFlags } from "../run-flags.js";

export interface RunOptions extends RunFlags {
  input?: string;
  thread?: string;
  as?: string;
}

/** `switchyard run <graph>`: starts (or continues with new input) a thread of a graph. */
export async function runGraph(
  ctx: CliContext,
  name: string,
  options: RunOptions,
): Promise<number> {
  if (options.thread !== undefined && options.thread.trim() === "") {
    throw new CliError("INVALID_THREAD_ID", "--thread needs a thread id; it was empty.", 2);
  }
  const config = runConfigOf(options);
  const { compiled } = await ctx.graph(name, { create: true });
  let input: unknown = {};
  if (options.input !== undefined) {
    try {
      input = parseJsonArgument(options.input, "--input", (path) => readFileSync(path, "utf8"));
    } catch (error) {
      throw new CliError("INVALID_ARGUMENT", (error as Error).message, 2);
    }
  }
  const threadId = options.thread ?? newThreadId(name);
  const configurable = { thread_id: threadId, ...(options.as ? { actor: options.as } : {}) };
  if (!ctx.json) ctx.out(`▶ ${name} on thread ${threadId}`);
  return runWithProgress(ctx, compiled, input, { ...config, configurable });
}

/** `switchyard continue <thread>`: runs a thread on from its latest checkpoint. */
export async function continueThread(
  ctx: CliContext,
  threadId: string,
  flags: RunFlags,
): Promise<number> {
  const config = runConfigOf(flags);
  const graph = await ctx.graphOfThread(threadId);
  return runWithProgress(ctx, graph, null, { ...config, configurable: { thread_id: threadId } });
}

/** `<graph>-<UTC time>-<random>`: readable, sortable, and distinct for runs started together. */
function newThreadId(graph: string): string {
  const time = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  return `${graph}-${time}-${randomBytes(3).toString("hex")}`;
}

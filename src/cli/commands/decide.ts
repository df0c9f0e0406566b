import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { Command, type PendingInterrupt } from "../../index.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { parseJsonArgument } from "../format.js";
import { runWithProgress } from "../progress.js";
import { runConfigOf, type RunFlags } from "../run-flags.js";

export interface DecideOptions extends RunFlags {
  interrupt?: string;
  comment?: string;
  as?: string;
  value?: string;
}

type Decision = "approve" | "reject" | "resume";

/**
 * `switchyard approve|reject|resume <thread>`: answers a waiting interrupt and runs the thread on.
 * approve/reject answer `{ approved, comment? }` (what `approval()` expects); resume sends --value.
 * On a terminal, `approve` without flags shows the request and asks.
 */
export async function decide(
  ctx: CliContext,
  decision: Decision,
  threadId: string,
  options: DecideOptions,
  ask: (pending: PendingInterrupt) => Promise<{ approved: boolean; comment?: string } | undefined>,
): Promise<number> {
  const config = runConfigOf(options);
  const graph = await ctx.graphOfThread(threadId);
  const state = await graph.getState({ configurable: { thread_id: threadId } });
  const pending = chooseInterrupt(
    threadId,
    state.tasks.flatMap((task) => task.interrupts),
    options,
  );
  let value: unknown;
  if (decision === "resume") {
    if (options.value === undefined) {
      throw new CliError("INVALID_ARGUMENT", "resume needs --value JSON (or --value @file).", 2);
    }
    try {
      value = parseJsonArgument(options.value, "--value", (path) => readFileSync(path, "utf8"));
    } catch (error) {
      throw new CliError("INVALID_ARGUMENT", (error as Error).message, 2);
    }
  } else if (
    decision === "approve" &&
    options.comment === undefined &&
    options.as === undefined &&
    !ctx.json &&
    process.stdin.isTTY
  ) {
    const answer = await ask(pending);
    if (!answer) {
      ctx.out("No decision taken; the thread still waits.");
      return ctx.exitCodes ? EXIT.paused : EXIT.done;
    }
    value = answer;
  } else {
    if (decision === "reject" && options.comment === undefined) {
      throw new CliError("INVALID_ARGUMENT", "reject needs --comment TEXT: say why.", 2);
    }
    value = {
      approved: decision === "approve",
      ...(options.comment ? { comment: options.comment } : {}),
    };
  }
  const actor = options.as ?? userInfo().username;
  const verb =
    decision === "resume"
      ? "answers"
      : (value as { approved?: boolean }).approved
        ? "approves"
        : "rejects";
  const header = `✎ ${actor} ${verb} interrupt ${pending.id} on thread ${threadId}`;
  const resume = new Command({ resume: { [pending.id]: value } });
  return runWithProgress(
    ctx,
    graph,
    resume,
    { ...config, configurable: { thread_id: threadId, actor } },
    header,
  );
}

function chooseInterrupt(
  threadId: string,
  waiting: readonly PendingInterrupt[],
  options: DecideOptions,
): PendingInterrupt {
  if (waiting.length === 0) {
    throw new CliError("NOTHING_WAITING", `Thread "${threadId}" is not waiting for a decision.`);
  }
  if (options.interrupt !== undefined) {
    const found = waiting.find((pending) => pending.id === options.interrupt);
    if (!found) {
      throw new CliError(
        "UNKNOWN_INTERRUPT",
        `Thread "${threadId}" has no waiting interrupt ${options.interrupt}. Waiting: ${waiting.map((p) => p.id).join(", ")}.`,
      );
    }
    return found;
  }
  if (waiting.length > 1) {
    throw new CliError(
      "AMBIGUOUS_INTERRUPT",
      `Thread "${threadId}" waits on ${waiting.length} interrupts (${waiting.map((p) => p.id).join(", ")}). ` +
        `Choose one with --interrupt ID.`,
      2,
    );
  }
  return waiting[0] as PendingInterrupt;
}

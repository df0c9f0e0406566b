import { readFileSync } from "node:fs";
import { InterruptsDroppedError, type StateSnapshot } from "../../index.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { indent, parseJsonArgument, summary, table } from "../format.js";
import { printOutcome } from "../progress.js";

/** `switchyard show <thread>`: current state, next nodes, waiting interrupts. */
export async function show(ctx: CliContext, threadId: string): Promise<number> {
  const graph = await ctx.graphOfThread(threadId);
  return printOutcome(ctx, graph, threadId, await graph.getUsage(threadId));
}

/**
 * `switchyard history <thread>`: the checkpoint tree, oldest first; each fork indented right below
 * the checkpoint it branches from.
 */
export async function history(ctx: CliContext, threadId: string): Promise<number> {
  const graph = await ctx.graphOfThread(threadId);
  const snapshots: Array<StateSnapshot<unknown>> = [];
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) {
    snapshots.push(snapshot);
  }
  const rows = snapshots.map((snapshot) => ({
    id: snapshot.config.configurable.checkpoint_id ?? "",
    parent: snapshot.parentConfig?.configurable.checkpoint_id,
    step: snapshot.metadata?.step,
    source: snapshot.metadata?.source,
    next: snapshot.next,
    createdAt: snapshot.createdAt,
  }));
  ctx.print(rows, () => {
    const children = new Map<string | undefined, typeof rows>();
    for (const row of [...rows].reverse()) {
      const ids = new Set(rows.map((r) => r.id));
      const parent = row.parent !== undefined && ids.has(row.parent) ? row.parent : undefined;
      children.set(parent, [...(children.get(parent) ?? []), row]);
    }
    const lines: string[] = [];
    const line = (row: (typeof rows)[number], indent: string): string =>
      `${indent}${row.id}  step ${String(row.step)}  ${String(row.source)}` +
      `  next [${row.next.join(", ")}]  ${row.createdAt ?? ""}`;
    // A checkpoint's oldest child continues its line; every later child is a fork, drawn right
    // below the checkpoint it branches from, one level deeper, with the fork's own line after it.
    const walk = (parent: string | undefined, depth: number): void => {
      const [main, ...forks] = children.get(parent) ?? [];
      for (const fork of forks) {
        lines.push(line(fork, `${"  ".repeat(depth + 1)}└ fork `));
        walk(fork.id, depth + 2);
      }
      if (main) {
        lines.push(line(main, "  ".repeat(depth)));
        walk(main.id, depth);
      }
    };
    walk(undefined, 0);
    return lines.join("\n");
  });
  return 0;
}

/** `switchyard audit <thread>`: who decided what, when. */
export async function audit(ctx: CliContext, threadId: string): Promise<number> {
  const store = ctx.checkpointer();
  if (!(await store.getThread(threadId))) {
    throw new CliError("THREAD_NOT_FOUND", `Thread "${threadId}" does not exist in ${ctx.dbPath}.`);
  }
  const entries = await store.getAuditLog(threadId);
  ctx.print(entries, () =>
    entries.length === 0
      ? `No decisions recorded for thread ${threadId}.`
      : table(
          ["when", "who", "kind", "node", "interrupt", "value"],
          entries.map((entry) => [
            entry.at,
            entry.actor,
            entry.kind,
            entry.node,
            entry.interruptId,
            summary(entry.value),
          ]),
        ),
  );
  return 0;
}

export interface ForkOptions {
  at: string;
  update?: string;
  asNode?: string;
  to?: string;
  discardInterrupts?: boolean;
}

/**
 * `switchyard fork <thread> --at <checkpoint>`: branches from a past checkpoint, into a new thread
 * with --to (a copy up to that checkpoint) or in place; --update writes values as --as-node.
 */
export async function fork(
  ctx: CliContext,
  threadId: string,
  options: ForkOptions,
): Promise<number> {
  const graph = await ctx.graphOfThread(threadId);
  let target = threadId;
  let checkpointId: string | undefined = options.at;
  if (options.to !== undefined) {
    const copied = await graph.copyThread(
      { configurable: { thread_id: threadId, checkpoint_id: options.at } },
      options.to,
    );
    target = options.to;
    checkpointId = copied.configurable.checkpoint_id;
  }
  let head = checkpointId;
  if (options.update !== undefined) {
    let values: unknown;
    try {
      values = parseJsonArgument(options.update, "--update", (path) => readFileSync(path, "utf8"));
    } catch (error) {
      throw new CliError("INVALID_ARGUMENT", (error as Error).message, 2);
    }
    const config = {
      configurable: { thread_id: target, checkpoint_id: checkpointId },
      discardInterrupts: options.discardInterrupts === true,
    };
    const updated = await graph
      .updateState(config, values as never, options.asNode)
      .catch((error: unknown) => {
        if (!(error instanceof InterruptsDroppedError)) throw error;
        const ids = error.interrupts.map((entry) => `${entry.id} (${entry.node})`).join(", ");
        throw new CliError(
          error.code,
          `This update of thread ${target} would drop the waiting interrupt(s) ${ids}: their node ` +
            `would no longer run. Decide first (npx switchyard approve|reject|resume ${target}), ` +
            `update as another node, or add --discard-interrupts.`,
        );
      });
    head = updated.configurable.checkpoint_id;
  } else if (options.to === undefined) {
    throw new CliError(
      "INVALID_ARGUMENT",
      "fork needs --to NEW_THREAD, --update JSON, or both.",
      2,
    );
  }
  ctx.print({ threadId: target, checkpointId: head }, () =>
    [
      `forked: thread ${target} at checkpoint ${head ?? "?"}`,
      indent(`continue: npx switchyard continue ${target}`),
    ].join("\n"),
  );
  return 0;
}

import { Command as Program, CommanderError, Option } from "commander";
import { SwitchyardError, type PendingInterrupt } from "../index.js";
import { CliContext, type GlobalOptions } from "./context.js";
import { decide, type DecideOptions } from "./commands/decide.js";
import { draw, graphs } from "./commands/graphs.js";
import { continueThread, runGraph, type RunOptions } from "./commands/run.js";
import type { ServeOptions } from "./commands/serve.js";
import { inbox, prune, remove, vacuum } from "./commands/store.js";
import { audit, fork, history, show, type ForkOptions } from "./commands/threads.js";
import { CliError, EXIT } from "./errors.js";

/**
 * Runs the `switchyard` command line and returns the exit code: 0 done, 1 error, 2 usage,
 * 3 waiting for a decision. Errors print their code and message, never a stack (unless --verbose).
 */
export async function main(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
): Promise<number> {
  let exitCode: number = EXIT.done;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    return report(error, program.opts<GlobalOptions>().verbose === true, io.err);
  }
  return exitCode;
}

function buildProgram(
  io: { out: (text: string) => void; err: (text: string) => void },
  setExit: (code: number) => void,
): Program {
  const program = new Program("switchyard")
    .description("Run, inspect, approve and fork Switchyard workflows.")
    .option("--db <path>", "SQLite database (env SWITCHYARD_DB)", undefined)
    .option("--graphs <dir>", "folder of graph files", "graphs")
    .option("--json", "machine-readable output")
    .option("--verbose", "show stack traces of errors")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });

  const action =
    <Args extends unknown[]>(run: (ctx: CliContext, ...args: Args) => Promise<number>) =>
    async (...args: Args): Promise<void> => {
      const ctx = new CliContext(program.opts<GlobalOptions>(), io.out);
      try {
        setExit(await run(ctx, ...args));
      } finally {
        ctx.close();
      }
    };

  program
    .command("graphs")
    .description("list the graphs in the graphs folder")
    .action(action((ctx) => graphs(ctx)));
  program
    .command("run")
    .description("run a graph until it is done or waits for a decision")
    .argument("<graph>", "graph name (file name in the graphs folder)")
    .option("--input <json>", "input state as JSON, or @file")
    .option("--thread <id>", "thread id (default: a new one)")
    .option("--as <name>", "who is running it")
    .action(action((ctx, name: string, options: RunOptions) => runGraph(ctx, name, options)));
  program
    .command("continue")
    .description("run a thread on from its latest checkpoint")
    .argument("<thread>")
    .action(action((ctx, threadId: string) => continueThread(ctx, threadId)));
  program
    .command("inbox")
    .description("every interrupt waiting for a decision, across threads")
    .action(action((ctx) => inbox(ctx)));
  program
    .command("show")
    .description("a thread's state, next nodes and waiting interrupts")
    .argument("<thread>")
    .action(action((ctx, threadId: string) => show(ctx, threadId)));
  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(`${decision} a waiting approval and run the thread on`)
      .argument("<thread>")
      .option("--interrupt <id>", "which interrupt, when several wait")
      .option("--comment <text>", "a comment kept with the decision")
      .option("--as <name>", "who decides (default: your user name)")
      .action(
        action((ctx, threadId: string, options: DecideOptions) =>
          decide(ctx, decision, threadId, options, askApproval),
        ),
      );
  }
  program
    .command("resume")
    .description("answer a waiting interrupt with a value and run the thread on")
    .argument("<thread>")
    .requiredOption("--value <json>", "the answer as JSON, or @file")
    .option("--interrupt <id>", "which interrupt, when several wait")
    .option("--as <name>", "who answers (default: your user name)")
    .action(
      action((ctx, threadId: string, options: DecideOptions) =>
        decide(ctx, "resume", threadId, options, askApproval),
      ),
    );
  program
    .command("history")
    .description("a thread's checkpoints as a tree, forks included")
    .argument("<thread>")
    .action(action((ctx, threadId: string) => history(ctx, threadId)));
  program
    .command("fork")
    .description("branch a thread from a past checkpoint")
    .argument("<thread>")
    .requiredOption("--at <checkpoint>", "checkpoint id to branch from")
    .option("--update <json>", "values to write at the branch point, as JSON or @file")
    .option("--as-node <name>", "the node the update is attributed to")
    .option("--to <thread>", "copy into this new thread instead of branching in place")
    .action(action((ctx, threadId: string, options: ForkOptions) => fork(ctx, threadId, options)));
  program
    .command("audit")
    .description("who decided what, when")
    .argument("<thread>")
    .action(action((ctx, threadId: string) => audit(ctx, threadId)));
  program
    .command("draw")
    .description("Mermaid text of a graph")
    .argument("<graph>")
    .addOption(
      new Option(
        "--out <file>",
        "render to a file (not available: no renderer installed)",
      ).hideHelp(),
    )
    .action(action((ctx, name: string, options: { out?: string }) => draw(ctx, name, options)));
  program
    .command("prune")
    .description("keep only a thread's newest checkpoints")
    .argument("<thread>")
    .requiredOption("--keep <n>", "how many checkpoints to keep")
    .action(
      action((ctx, threadId: string, options: { keep: string }) =>
        prune(ctx, threadId, options.keep),
      ),
    );
  program
    .command("delete")
    .description("delete a thread, or every thread untouched for a number of days")
    .argument("[thread]")
    .option("--older-than <days>", "delete threads not updated for this many days")
    .action(
      action((ctx, threadId: string | undefined, options: { olderThan?: string }) =>
        remove(ctx, threadId, options),
      ),
    );
  program
    .command("vacuum")
    .description("give the space of deleted data back to the file system")
    .action(action((ctx) => vacuum(ctx)));
  program
    .command("serve")
    .description("serve the graphs over LangGraph's Agent Server API (HTTP + SSE)")
    .option("--port <port>", "port to listen on (0: any free port)", "2024")
    .option(
      "--host <host>",
      "address to listen on (beyond loopback only with API keys)",
      "127.0.0.1",
    )
    .option(
      "--sweep-every <seconds>",
      "apply passed interrupt deadlines this often (0: never)",
      "60",
    )
    .option("--rate-limit <n>", "with API keys: at most n requests per minute per key")
    // Imported on use: the HTTP server's modules would slow every other command's start.
    .action(
      action(async (ctx, options: ServeOptions) =>
        (await import("./commands/serve.js")).serve(ctx, options),
      ),
    );
  return program;
}

async function askApproval(
  pending: PendingInterrupt,
): Promise<{ approved: boolean; comment?: string } | undefined> {
  const prompts = await import("@clack/prompts");
  prompts.intro(`${pending.node} asks for a decision (interrupt ${pending.id})`);
  prompts.note(JSON.stringify(pending.value, null, 2), "request");
  const choice = await prompts.select({
    message: "Your decision",
    options: [
      { value: "approve", label: "Approve" },
      { value: "reject", label: "Reject" },
    ],
  });
  if (prompts.isCancel(choice)) return undefined;
  const comment = await prompts.text({ message: "Comment (optional)", defaultValue: "" });
  if (prompts.isCancel(comment)) return undefined;
  prompts.outro("Recorded.");
  return { approved: choice === "approve", ...(comment ? { comment } : {}) };
}

function report(error: unknown, verbose: boolean, err: (text: string) => void): number {
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help / version) already.
    return error.exitCode === 0 ? EXIT.done : EXIT.usage;
  }
  if (error instanceof SwitchyardError || error instanceof CliError) {
    err(`error ${error.code}: ${error.message}`);
    if (verbose && error.stack) err(error.stack);
    return error instanceof CliError ? error.exitCode : EXIT.error;
  }
  err(`error: ${error instanceof Error ? error.message : String(error)}`);
  if (verbose && error instanceof Error && error.stack) err(error.stack);
  else err("(run with --verbose for details)");
  return EXIT.error;
}

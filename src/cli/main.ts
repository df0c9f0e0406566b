import { Command as Program, Option } from "commander";
import type { PendingInterrupt } from "../index.js";
import { CliContext, type GlobalOptions } from "./context.js";
import { decide, type DecideOptions } from "./commands/decide.js";
import { draw, graphs } from "./commands/graphs.js";
import { listThreads, type ThreadsOptions } from "./commands/list-threads.js";
import { continueThread, runGraph, type RunOptions } from "./commands/run.js";
import type { ServeOptions } from "./commands/serve.js";
import type { WorkerCommandOptions } from "./commands/worker.js";
import { inbox, vacuum } from "./commands/store.js";
import { audit, fork, history, show, type ForkOptions } from "./commands/threads.js";
import { sweep } from "./commands/deadlines.js";
import { prune, remove, type DeleteOptions } from "./commands/retention.js";
import { EXIT } from "./errors.js";
import { projectPaths } from "./project.js";
import { report } from "./report.js";
import { withRunFlags, type RunFlags } from "./run-flags.js";

/**
 * Runs the `switchyard` command line and returns the exit code: 0 done (or waiting, without
 * --exit-code), 1 error, 2 usage, 3 waiting for a decision (with --exit-code), 4 a node failed.
 * Errors print their code and message, never a stack (unless --verbose).
 */
export async function main(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
): Promise<number> {
  let exitCode: number = EXIT.done;
  // With --json, Commander's own text about a usage error is replaced by report()'s JSON line.
  const json = argv.includes("--json");
  const program = buildProgram({ out: io.out, err: json ? () => undefined : io.err }, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const options = program.opts<GlobalOptions>();
    // Only the graphs folder is needed here (the database options may be what was wrong).
    const { graphsDir } = projectPaths({ graphs: options.graphs }, process.env, process.cwd());
    return report(error, { verbose: options.verbose === true, json, graphsDir }, io.err);
  }
  return exitCode;
}

function buildProgram(
  io: { out: (text: string) => void; err: (text: string) => void },
  setExit: (code: number) => void,
): Program {
  const program = new Program("switchyard")
    .description("Run, inspect, approve and fork Switchyard workflows.")
    .option(
      "--db <path>",
      "SQLite database (env SWITCHYARD_DB; default: the project's checkpoints/switchyard.db)",
    )
    .option(
      "--postgres <url>",
      "a Postgres database shared by several processes or machines, instead of --db (env SWITCHYARD_POSTGRES)",
    )
    .option("--graphs <dir>", "folder of graph files (default: the project's graphs/)")
    .option(
      "--graph <name>",
      "a graph: the one a thread that records none runs; for `threads`, a filter",
    )
    .option("--json", "machine-readable output; errors as JSON on stderr")
    .option("--verbose", "show stack traces, the node's own error and where it was thrown")
    .option("--exit-code", "exit 3 when the thread waits for a decision or is paused (else 0)")
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
        await ctx.close();
      }
    };

  program
    .command("graphs")
    .description("list the graphs in the graphs folder")
    .action(action((ctx) => graphs(ctx)));
  withRunFlags(
    program
      .command("run")
      .description("run a graph until it is done or waits for a decision")
      .argument("<graph>", "graph name (file name in the graphs folder)")
      .option("--input <json>", "input state as JSON, or @file")
      .option("--thread <id>", "thread id (default: a new one)")
      .option("--as <name>", "who is running it"),
    { newInput: true },
  ).action(action((ctx, name: string, options: RunOptions) => runGraph(ctx, name, options)));
  withRunFlags(
    program
      .command("continue")
      .description("run a thread on from its latest checkpoint")
      .argument("<thread>"),
  ).action(
    action((ctx, threadId: string, flags: RunFlags) => continueThread(ctx, threadId, flags)),
  );
  program
    .command("threads")
    .description("the threads in the database: status, graph, last update, waiting interrupts")
    .option("--status <status>", "only threads with this status (waiting, paused, failed, done)")
    .option("--limit <n>", "at most this many (default 50), most recently updated first")
    .action(action((ctx, options: ThreadsOptions) => listThreads(ctx, options)));
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
    withRunFlags(
      program
        .command(decision)
        .description(`${decision} a waiting approval and run the thread on`)
        .argument("<thread>")
        .option("--interrupt <id>", "which interrupt, when several wait")
        .option("--comment <text>", "a comment kept with the decision")
        .option("--as <name>", "who decides (default: your user name)"),
    ).action(
      action((ctx, threadId: string, options: DecideOptions) =>
        decide(ctx, decision, threadId, options, askApproval),
      ),
    );
  }
  withRunFlags(
    program
      .command("resume")
      .description("answer a waiting interrupt with a value and run the thread on")
      .argument("<thread>")
      .requiredOption("--value <json>", "the answer as JSON, or @file")
      .option("--interrupt <id>", "which interrupt, when several wait")
      .option("--as <name>", "who answers (default: your user name)"),
  ).action(
    action((ctx, threadId: string, options: DecideOptions) =>
      decide(ctx, "resume", threadId, options, askApproval),
    ),
  );
  program
    .command("sweep")
    .description("apply the onTimeout of every interrupt whose deadline has passed (for cron)")
    .action(action((ctx) => sweep(ctx, io.err)));
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
    .option("--discard-interrupts", "allow an update that drops a waiting interrupt")
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
    .description("keep only a thread's newest checkpoints and the head of every branch")
    .argument("<thread>")
    .requiredOption("--keep <n>", "how many of the newest checkpoints to keep")
    .option("--yes", "do not ask for confirmation")
    .action(
      action((ctx, threadId: string, options: { keep: string; yes?: boolean }) =>
        prune(ctx, threadId, options),
      ),
    );
  program
    .command("delete")
    .description("delete a thread, or every thread untouched for a number of days")
    .argument("[thread]")
    .option("--older-than <days>", "delete threads not updated for this many days")
    .option("--yes", "do not ask for confirmation")
    .option("--discard-interrupts", "also delete threads waiting for a decision")
    .action(
      action((ctx, threadId: string | undefined, options: DeleteOptions) =>
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
    .option(
      "--cors-origins <origins>",
      "with API keys: the browser origins allowed, comma-separated (default: any)",
    )
    .option("--run-timeout <seconds>", "stop runs still running after this long as timeout")
    .option(
      "--keep-run-events <days>",
      "delete stored stream events of runs that ended longer ago (0: keep; default 7)",
    )
    .option(
      "--lease-seconds <seconds>",
      "how long a thread stays held by a run whose server died (default 30)",
    )
    // Imported on use: the HTTP server's modules would slow every other command's start.
    .action(
      action(async (ctx, options: ServeOptions) =>
        (await import("./commands/serve.js")).serve(ctx, options),
      ),
    );
  program
    .command("worker")
    .description("execute the runs API servers queue on the --postgres database (a fleet member)")
    .option("--concurrency <n>", "runs executed at once", "4")
    .option(
      "--drain-seconds <s>",
      "on SIGTERM, how long runs may finish before they are handed back",
      "10",
    )
    .option("--lease-seconds <s>", "thread and run lease; a dead worker's runs move after it", "30")
    .option(
      "--keep-events-days <d>",
      "days a finished run's stream events are kept (0: always)",
      "7",
    )
    .option(
      "--delete-threads-after-days <d>",
      "delete threads untouched this long (default: never)",
    )
    .action(
      action(async (ctx, options: WorkerCommandOptions) =>
        (await import("./commands/worker.js")).worker(ctx, options),
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

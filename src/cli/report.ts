import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CommanderError } from "commander";
import { SwitchyardError } from "../index.js";
import { CliError, EXIT, RunFailed } from "./errors.js";

/**
 * The engine's messages advise API calls ("call invoke(null, config)", "{ recursionLimit }"); on
 * the command line the same advice is a command or a flag. One rewrite per error code, in one place:
 * the engine's text is kept and only its advice sentence is replaced.
 */
const CLI_ADVICE: Readonly<
  Record<string, (message: string, error: Record<string, unknown>) => string>
> = {
  NODE_FAILED: (message, error) =>
    message.replace(
      /Fix the cause and call invoke\(null, config\) to re-run only the unfinished tasks\./,
      `Fix the cause and run \`switchyard continue ${String(error.threadId)}\` to re-run only the unfinished tasks (--verbose shows where it failed).`,
    ),
  CANCELLED: (message, error) =>
    message.replace(
      /invoke\(null, config\) continues from the last checkpoint/,
      `\`switchyard continue ${String(error.threadId)}\` continues from the last checkpoint`,
    ),
  RECURSION_LIMIT: (message) =>
    message.replace(
      /pass a larger \{ recursionLimit \} in the config/,
      "pass a larger --recursion-limit N (to run or continue)",
    ),
  THREAD_INTERRUPTED: (message, error) =>
    message.replace(
      /Resume with invoke\(new Command\(\{ resume \}\), config\), or pass \{ discardInterrupts: true \} in the config to\s+drop them/,
      `Answer with \`switchyard approve|reject ${String(error.threadId)}\` or \`switchyard resume ${String(error.threadId)} --value JSON\`, ` +
        `or add --discard-interrupts to drop them`,
    ),
  BUDGET_EXCEEDED: (message, error) =>
    message.replace(
      /Raise budget\.(\w+)\.(\w+) \(compile\(\{ budget \}\) or the run's config\) and continue the thread with invoke\(null, config\)\./,
      `Raise budget.$1.$2 in the graph file's compile options (export const compileOptions = { budget }) ` +
        `and run \`switchyard continue ${String(error.threadId)}\`.`,
    ),
  GRAPH_VERSION_MISMATCH: (message) =>
    message.replace(
      /Register a migration\s+with compile\(\{ migrations: (.*?) \}\), or pass \{ allowGraphChange: true \}\s+in the config to continue anyway\./,
      "Register a migration in the graph file (export const compileOptions = { migrations: $1 }), " +
        "or add --allow-graph-change to continue anyway.",
    ),
};

/** The message a CLI user sees for an error with a code. */
export function cliMessage(error: SwitchyardError | CliError): string {
  return adviseMessage(error.code, error.message, error as unknown as Record<string, unknown>);
}

/** `message` of an error with `code`, its advice rewritten for the CLI; `fields` as on the error. */
export function adviseMessage(
  code: string | undefined,
  message: string,
  fields: Record<string, unknown>,
): string {
  const rewrite = code === undefined ? undefined : CLI_ADVICE[code];
  return rewrite ? rewrite(message, fields) : message;
}

/**
 * Prints an error and returns the exit code. Text: `error CODE: message`; with --json one JSON
 * object `{ "error": CODE, "message": ... }` on stderr. --verbose adds the stack, the node's own
 * error (`cause:`) and where it was thrown in the graph files (`where:`); as keys with --json.
 */
export function report(
  error: unknown,
  options: { verbose: boolean; json: boolean; graphsDir: string },
  err: (text: string) => void,
): number {
  if (error instanceof RunFailed) {
    report(error.error, options, err);
    return EXIT.failed;
  }
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help / version) already, unless --json.
    if (error.exitCode === 0) return EXIT.done;
    if (options.json) {
      err(JSON.stringify({ error: "USAGE", message: error.message.replace(/^error: /, "") }));
    }
    return EXIT.usage;
  }
  const coded = error instanceof SwitchyardError || error instanceof CliError;
  const code = coded ? error.code : "UNEXPECTED";
  const message = coded
    ? cliMessage(error)
    : error instanceof Error
      ? error.message
      : String(error);
  const details = options.verbose && error instanceof Error ? verboseDetails(error, options) : {};
  if (options.json) {
    err(JSON.stringify({ error: code, message, ...details }));
  } else {
    err(coded ? `error ${code}: ${message}` : `error: ${message}`);
    if (details.stack) err(details.stack);
    if (details.cause) err(`cause: ${details.cause}`);
    if (details.where) err(`where: ${details.where}`);
    if (!coded && !options.verbose) err("(run with --verbose for details)");
  }
  return error instanceof CliError ? error.exitCode : EXIT.error;
}

/** What --verbose adds: the stack, the node's own error, and where it was thrown in the graphs. */
function verboseDetails(
  error: Error,
  options: { graphsDir: string },
): { stack?: string; cause?: string; where?: string } {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const where = cause ? frameIn(cause, options.graphsDir) : undefined;
  return {
    ...(error.stack ? { stack: error.stack } : {}),
    ...(cause ? { cause: `${cause.name}: ${cause.message}` } : {}),
    ...(where ? { where } : {}),
  };
}

/** The first stack frame of `error` in a file under `dir`, as `path:line:column` from the cwd. */
function frameIn(error: Error, dir: string): string | undefined {
  for (const match of (error.stack ?? "").matchAll(
    /\(?((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)\)?$/gm,
  )) {
    const file = match[1]?.startsWith("file:") ? fileURLToPath(match[1]) : (match[1] ?? "");
    const fromDir = relative(dir, file);
    if (!fromDir.startsWith("..") && !fromDir.startsWith("/")) {
      return `${relative(process.cwd(), file)}:${match[2]}:${match[3]}`;
    }
  }
  return undefined;
}

import type { Command } from "commander";
import type { RunConfig } from "../index.js";
import { CliError } from "./errors.js";

/** The run flags of `run`, `continue`, `approve`, `reject` and `resume` (what engine errors advise). */
export interface RunFlags {
  recursionLimit?: string;
  discardInterrupts?: boolean;
  allowGraphChange?: boolean;
}

/** Adds --recursion-limit and --allow-graph-change (and, for `run`, --discard-interrupts). */
export function withRunFlags(command: Command, options: { newInput?: boolean } = {}): Command {
  command
    .option("--recursion-limit <n>", "most supersteps this run may take (default 25)")
    .option("--allow-graph-change", "continue a thread its graph file has changed under");
  if (options.newInput) {
    command.option(
      "--discard-interrupts",
      "drop the interrupts the thread waits on and start over with the new input",
    );
  }
  return command;
}

/** The run config the flags ask for. */
export function runConfigOf(
  flags: RunFlags,
): Pick<RunConfig, "recursionLimit" | "discardInterrupts" | "allowGraphChange"> {
  const config: Pick<RunConfig, "recursionLimit" | "discardInterrupts" | "allowGraphChange"> = {};
  if (flags.recursionLimit !== undefined) {
    const limit = Number(flags.recursionLimit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CliError(
        "INVALID_ARGUMENT",
        `--recursion-limit must be a whole number of at least 1, got ${flags.recursionLimit}.`,
        2,
      );
    }
    config.recursionLimit = limit;
  }
  if (flags.discardInterrupts) config.discardInterrupts = true;
  if (flags.allowGraphChange) config.allowGraphChange = true;
  return config;
}

import { Command } from "../graph/constants.js";

/**
 * Thrown when a node returns `Command({ graph: Command.PARENT, ... })`: a control-flow signal that
 * stops the subgraph's run (it is not a failure), caught where the subgraph was invoked.
 */
export class ParentCommandSignal extends Error {
  constructor(
    readonly command: Command<unknown>,
    readonly node: string,
  ) {
    super(`Node "${node}" sent a command to the parent graph; this is not a failure.`);
    this.name = "ParentCommandSignal";
  }
}

/**
 * A child's `Command.PARENT`, arrived in the task that invoked the child: that task's node
 * returns it (without `graph`) as its own result.
 */
export class CommandFromChild extends Error {
  constructor(readonly command: Command<unknown>) {
    super("A subgraph sent a command to this graph; this is not a failure.");
    this.name = "CommandFromChild";
  }
}

/** The command as the parent applies it: its goto and update, no longer addressed to a parent. */
export function forParent(command: Command<unknown>): Command<unknown> {
  return new Command({ goto: command.goto, update: command.update });
}

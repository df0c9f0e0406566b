/** The virtual node a run starts from. `addEdge(START, "first")` sets the entry point. */
export const START = "__start__";
/** The virtual node that ends a branch. Routing to END triggers nothing. */
export const END = "__end__";

export type Start = typeof START;
export type End = typeof END;

/** Names no node may take: the virtual nodes and the key streamed with interrupts. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([START, END, "__interrupt__"]);

/**
 * Runs `node` once with `arg` as its input instead of the graph state (map-reduce fan-out).
 * Return Sends from a router, or from a node in `Command.goto`.
 *
 * @example
 * graph.addConditionalEdges("split", (s) => s.items.map((item) => new Send("work", { item })));
 */
export class Send<Arg = unknown> {
  readonly lg_name = "Send";
  constructor(
    readonly node: string,
    readonly arg: Arg,
  ) {}
}

export type Goto = string | Send | ReadonlyArray<string | Send>;

export interface CommandInit<Update> {
  /** Node(s) to run next, in addition to the node's static edges. */
  goto?: Goto;
  /** State update applied as this node's write. */
  update?: Update;
  /** Value returned by a pending interrupt when the Command is passed to `invoke`. */
  resume?: unknown;
  /**
   * `Command.PARENT`: the command is for the graph this graph runs in as a subgraph. The child
   * stops there, and the parent's node (the subgraph node) returns `{ goto, update }`.
   */
  graph?: typeof Command.PARENT;
}

/**
 * Returned by a node to update state and choose where to go in one value; passed to `invoke`
 * with `resume` to answer a pending interrupt.
 *
 * @example
 * return new Command({ update: { approved: true }, goto: "pay" });
 */
export class Command<Update = Record<string, unknown>> {
  readonly lg_name = "Command";
  readonly goto: ReadonlyArray<string | Send>;
  readonly update: Update | undefined;
  readonly resume: unknown;
  readonly graph: typeof Command.PARENT | undefined;

  /** `new Command({ graph: Command.PARENT, goto, update })` routes in the parent graph. */
  static readonly PARENT = "__parent__";

  constructor(init: CommandInit<Update>) {
    const goto = init.goto;
    if (goto === undefined) this.goto = [];
    else if (typeof goto === "string" || goto instanceof Send) this.goto = [goto];
    else this.goto = [...(goto as ReadonlyArray<string | Send>)];
    this.update = init.update;
    this.resume = init.resume;
    this.graph = init.graph;
  }
}

export function isSend(value: unknown): value is Send {
  return value instanceof Send;
}

export function isCommand(value: unknown): value is Command<unknown> {
  return value instanceof Command;
}

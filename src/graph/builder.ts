import { Runnable } from "@langchain/core/runnables";
import type { z } from "zod";
import {
  DuplicateNodeError,
  InvalidEdgeError,
  InvalidNodeError,
  InvalidNodeNameError,
  UnknownNodeError,
} from "../errors.js";
import type { NodeCache } from "../checkpoint/cache.js";
import type { Checkpointer } from "../checkpoint/types.js";
import { CompiledGraph, specOf } from "../threads/compiled.js";
import { END, RESERVED_NAMES, START } from "./constants.js";
import {
  type BarrierSpec,
  type GraphSpec,
  type NodeSpec,
  type Outgoing,
  type RouterSpec,
} from "./spec.js";
import { channelsOf, type ChannelSpec, type StateOf, type UpdateOf } from "./state.js";
import type {
  Budget,
  NodeContext,
  NodeFunction,
  NodeOptions,
  PathMap,
  RouteResult,
  Router,
  ThreadMigration,
} from "./types.js";
import { validateGraph } from "./validate.js";
import { graphVersion } from "./version.js";

export interface CompileOptions {
  /** Persists a checkpoint per superstep; needed for threads, resume and history. */
  checkpointer?: Checkpointer;
  /** Pause before these nodes ("*" for all). */
  interruptBefore?: readonly string[] | "*";
  /** Pause after these nodes ("*" for all). */
  interruptAfter?: readonly string[] | "*";
  /** Recorded with each thread; defaults to "graph". */
  name?: string;
  /**
   * How to continue threads started by an older version of this graph, keyed by that version
   * (the hash named in the GRAPH_VERSION_MISMATCH error).
   */
  migrations?: Readonly<Record<string, ThreadMigration>>;
  /** Where nodes with a `cachePolicy` keep their results (`MemoryCache`, `SqliteCache`). */
  cache?: NodeCache;
  /** Caps what model calls may spend per run and per thread; see `Budget`. */
  budget?: Budget;
}

interface MutableOutgoing {
  edges: string[];
  routers: RouterSpec[];
  barriers: BarrierSpec[];
}

/**
 * Declares a workflow: a zod object schema for the state, nodes that read it and return updates,
 * and edges between them. `compile()` validates the whole graph and returns a runnable graph.
 *
 * @example
 * const graph = new StateGraph(z.object({ count: z.number() }))
 *   .addNode("increment", (state) => ({ count: state.count + 1 }))
 *   .addEdge(START, "increment")
 *   .addEdge("increment", END)
 *   .compile();
 * await graph.invoke({ count: 1 }); // { count: 2 }
 */
export class StateGraph<Schema extends z.ZodObject> {
  readonly schema: Schema;
  private readonly channels: ReadonlyMap<string, ChannelSpec>;
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly outgoing = new Map<string, MutableOutgoing>();
  private readonly barriers: BarrierSpec[] = [];

  constructor(schema: Schema) {
    this.channels = channelsOf(schema);
    this.schema = schema;
  }

  /**
   * Adds a node. `fn(state, ctx)` returns a partial update, a Command, or nothing. A node that is
   * the target of `Send` receives the Send's argument instead of the state: annotate `Input` then.
   * A `@langchain/core` Runnable works as a node too, and so does a compiled graph (a subgraph:
   * it shares the state keys both declare, and checkpoints in the parent's thread). Several nodes
   * can be added at once, as in LangGraph: `addNode({ a: fnA, b: fnB })` or
   * `addNode([["a", fnA, options], ["b", fnB]])`.
   */
  addNode(nodes: NodeMap<Schema> | NodeList<Schema>): this;
  addNode<Input = StateOf<Schema>>(
    name: string,
    fn: NodeFunction<Input, UpdateOf<Schema>> | Runnable | CompiledGraph<z.ZodObject>,
    options?: NodeOptions,
  ): this;
  addNode<Input = StateOf<Schema>>(
    nameOrNodes: string | NodeMap<Schema> | NodeList<Schema>,
    fn?: NodeFunction<Input, UpdateOf<Schema>> | Runnable | CompiledGraph<z.ZodObject>,
    options: NodeOptions = {},
  ): this {
    if (typeof nameOrNodes !== "string") {
      for (const [name, action, nodeOptions] of nodeEntries(nameOrNodes, "addNode")) {
        this.addOneNode(name, action, nodeOptions);
      }
      return this;
    }
    return this.addOneNode(nameOrNodes, fn, options);
  }

  /**
   * Adds nodes that run one after the other: each node gets an edge to the next. The first node
   * still needs an edge into it (e.g. `addEdge(START, first)`), as in LangGraph.
   *
   * @example
   * graph.addSequence([["fetch", fetch], ["parse", parse]]).addEdge(START, "fetch");
   */
  addSequence(nodes: NodeMap<Schema> | NodeList<Schema>): this {
    const entries = nodeEntries(nodes, "addSequence");
    if (entries.length === 0) {
      throw new InvalidNodeError("addSequence() needs at least one node.");
    }
    let previous: string | undefined;
    for (const [name, action, nodeOptions] of entries) {
      this.addOneNode(name, action, nodeOptions);
      if (previous !== undefined) this.addEdge(previous, name);
      previous = name;
    }
    return this;
  }

  private addOneNode(name: string, fn: unknown, options: NodeOptions = {}): this {
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidNodeNameError(String(name), "a node name must be a non-empty string");
    }
    if (RESERVED_NAMES.has(name)) throw new InvalidNodeNameError(name, "it is reserved");
    if (this.channels.has(name)) {
      throw new InvalidNodeNameError(
        name,
        "a state key has the same name, so updates could not be told apart",
      );
    }
    if (this.nodes.has(name)) throw new DuplicateNodeError(name);
    const subgraph =
      fn instanceof CompiledGraph ? specOf(fn as CompiledGraph<z.ZodObject>) : undefined;
    this.nodes.set(name, {
      name,
      run: subgraph ? subgraphNode(fn as CompiledGraph<z.ZodObject>, this.channels) : toNodeRun(fn),
      ...(subgraph ? { subgraph } : {}),
      retryPolicy: options.retryPolicy,
      timeoutMs: options.timeoutMs,
      ...(options.cachePolicy ? { cachePolicy: options.cachePolicy } : {}),
      ...(options.guard ? { guard: options.guard } : {}),
      ends: options.ends ?? [],
      description: options.description,
    });
    return this;
  }

  /** `addEdge(a, b)`: b runs after a. `addEdge([a, b], c)`: c runs once both a and b have run. */
  addEdge(from: string | readonly string[], to: string): this {
    if (to === START)
      throw new InvalidEdgeError(`An edge cannot lead into START ("${String(from)}" -> START).`);
    if (typeof from === "string") {
      if (from === END) throw new InvalidEdgeError(`An edge cannot leave END (END -> "${to}").`);
      this.outgoingOf(from).edges.push(to);
      return this;
    }
    if (from.length === 0)
      throw new InvalidEdgeError(`addEdge([], "${to}") needs at least one source.`);
    if (from.includes(START) || from.includes(END)) {
      throw new InvalidEdgeError(
        `A join cannot wait for START or END (addEdge([${from.join(", ")}], "${to}")).`,
      );
    }
    if (from.length === 1) return this.addEdge(from[0] as string, to);
    const barrier: BarrierSpec = {
      id: `join:${[...from].sort().join("+")}:${to}`,
      sources: [...from],
      target: to,
    };
    this.barriers.push(barrier);
    for (const source of new Set(from)) this.outgoingOf(source).barriers.push(barrier);
    return this;
  }

  /**
   * After `source`, call `router` to choose what runs next: a node name, END, a list, or Sends.
   * With a `pathMap` (a list of names, or a map from router result to name) the targets are known
   * at compile time, which enables drawing and reachability checks. The router may be a
   * `@langchain/core` Runnable, and LangGraph's object form `{ source, path, pathMap }` works too.
   */
  addConditionalEdges(options: ConditionalEdgeOptions<StateOf<Schema>>): this;
  addConditionalEdges(
    source: string,
    router: Router<StateOf<Schema>> | Runnable,
    pathMap?: PathMap,
  ): this;
  addConditionalEdges(
    sourceOrOptions: string | ConditionalEdgeOptions<StateOf<Schema>>,
    router?: Router<StateOf<Schema>> | Runnable,
    pathMap?: PathMap,
  ): this {
    if (typeof sourceOrOptions !== "string") {
      const { source, path, pathMap: map } = sourceOrOptions;
      return this.addConditionalEdges(source, path, map);
    }
    const source = sourceOrOptions;
    if (source === END) throw new InvalidEdgeError("A conditional edge cannot leave END.");
    this.outgoingOf(source).routers.push({ source, route: toRoute(source, router), pathMap });
    return this;
  }

  /** LangGraph alias of `addEdge(START, name)`. */
  setEntryPoint(name: string): this {
    return this.addEdge(START, name);
  }

  /** LangGraph alias of `addEdge(name, END)`. */
  setFinishPoint(name: string): this {
    return this.addEdge(name, END);
  }

  /** Validates the graph and returns it ready to run. Throws a named error on the first problem. */
  compile(options: CompileOptions = {}): CompiledGraph<Schema> {
    const outgoing = new Map<string, Outgoing>();
    for (const [name, out] of this.outgoing) {
      outgoing.set(name, {
        edges: [...new Set(out.edges)],
        routers: [...out.routers],
        barriers: [...out.barriers],
      });
    }
    const structure = {
      name: options.name ?? "graph",
      channels: this.channels,
      nodes: new Map(this.nodes),
      outgoing,
      barriers: [...this.barriers],
    };
    const spec: GraphSpec = { ...structure, version: graphVersion(structure) };
    validateGraph(spec);
    return new CompiledGraph<Schema>(spec, {
      schema: this.schema,
      checkpointer: options.checkpointer,
      cache: options.cache,
      budget: options.budget,
      interruptBefore: this.breakpoints(options.interruptBefore, "interruptBefore"),
      interruptAfter: this.breakpoints(options.interruptAfter, "interruptAfter"),
      migrations: options.migrations ?? {},
      recompile: (overrides) => this.compile({ ...options, ...overrides }),
    });
  }

  private breakpoints(
    names: readonly string[] | "*" | undefined,
    option: string,
  ): ReadonlySet<string> {
    if (names === undefined) return new Set();
    if (names === "*") return new Set(this.nodes.keys());
    for (const name of names) {
      if (!this.nodes.has(name))
        throw new UnknownNodeError(name, `compile({ ${option} })`, [...this.nodes.keys()]);
    }
    return new Set(names);
  }

  private outgoingOf(name: string): MutableOutgoing {
    let out = this.outgoing.get(name);
    if (!out) {
      out = { edges: [], routers: [], barriers: [] };
      this.outgoing.set(name, out);
    }
    return out;
  }
}

/** `addNode({ a: fnA, b: fnB })`: nodes by name, in insertion order. */
export type NodeMap<Schema extends z.ZodObject> = Readonly<
  Record<
    string,
    NodeFunction<StateOf<Schema>, UpdateOf<Schema>> | Runnable | CompiledGraph<z.ZodObject>
  >
>;

/** `addNode([["a", fnA, options], ["b", fnB]])`: nodes with their options, in order. */
export type NodeList<Schema extends z.ZodObject> = ReadonlyArray<
  readonly [
    name: string,
    fn: NodeFunction<StateOf<Schema>, UpdateOf<Schema>> | Runnable | CompiledGraph<z.ZodObject>,
    options?: NodeOptions,
  ]
>;

/** LangGraph's object form of `addConditionalEdges`. */
export interface ConditionalEdgeOptions<State> {
  readonly source: string;
  readonly path: Router<State> | Runnable;
  readonly pathMap?: PathMap;
}

function nodeEntries(
  nodes: unknown,
  method: string,
): Array<readonly [string, unknown, NodeOptions | undefined]> {
  if (Array.isArray(nodes)) {
    return nodes.map((entry: unknown) => {
      if (!Array.isArray(entry) || typeof entry[0] !== "string") {
        throw new InvalidNodeError(
          `${method}([...]): each entry must be [name, fn] or [name, fn, options].`,
        );
      }
      return [entry[0], entry[1], entry[2] as NodeOptions | undefined] as const;
    });
  }
  if (typeof nodes !== "object" || nodes === null || Runnable.isRunnable(nodes)) {
    throw new InvalidNodeError(
      `${method}(nodes): pass an object of { name: fn } or a list of [name, fn, options?] entries.`,
    );
  }
  return Object.entries(nodes).map(([name, fn]) => [name, fn, undefined] as const);
}

function toRoute(source: string, router: unknown): Router<unknown> {
  if (Runnable.isRunnable(router)) {
    const runnable = router;
    return (state, ctx) => runnable.invoke(state, ctx.runnableConfig) as Promise<RouteResult>;
  }
  if (typeof router !== "function") {
    throw new InvalidEdgeError(
      `addConditionalEdges("${source}", router): router must be a function or a Runnable, got ${typeof router}.`,
    );
  }
  return router as Router<unknown>;
}

/**
 * A compiled graph as a node, sharing state keys with its parent as LangGraph does: keys the child
 * does not declare are dropped going in; its private keys are dropped coming out. Its whole output
 * on the shared keys is the node's update, so a shared reducer key folds the child's final value
 * (the parent's items included) in again, as in LangGraph.
 */
function subgraphNode(
  graph: CompiledGraph<z.ZodObject>,
  parent: ReadonlyMap<string, unknown>,
): NodeSpec["run"] {
  const child = specOf(graph).channels;
  return async (input: unknown, ctx: NodeContext) => {
    const state = (input ?? {}) as Record<string, unknown>;
    const going = Object.fromEntries(Object.entries(state).filter(([key]) => child.has(key)));
    const output = (await graph.invoke(going, ctx.runnableConfig)) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(output).filter(([key]) => parent.has(key)));
  };
}

function toNodeRun(fn: unknown): NodeSpec["run"] {
  if (Runnable.isRunnable(fn)) {
    const runnable = fn;
    return (input: unknown, ctx: NodeContext) => runnable.invoke(input, ctx.runnableConfig);
  }
  if (typeof fn !== "function") {
    throw new InvalidNodeError(
      `addNode(name, fn): fn must be a function or a Runnable, got ${typeof fn}.`,
    );
  }
  return fn as NodeSpec["run"];
}

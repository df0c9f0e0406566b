// The two engines behind one thin interface. Both already share the method names that matter
// (addNode, addEdge, addConditionalEdges, compile, invoke, stream, getState, getStateHistory,
// updateState), so the adapters only build the state schema, declare reducer keys and cast the
// engine's own (differently typed) classes to the structural types below.
import type { BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import {
  Command as LangGraphCommand,
  END as LANGGRAPH_END,
  interrupt as langGraphInterrupt,
  MemorySaver,
  MessagesZodMeta,
  Send as LangGraphSend,
  START as LANGGRAPH_START,
  StateGraph as LangGraphStateGraph,
} from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import { InMemoryCache } from "@langchain/langgraph-checkpoint";
import { z } from "zod";
import {
  Command as SwitchyardCommand,
  END as SWITCHYARD_END,
  interrupt as switchyardInterrupt,
  MemoryCache,
  MemoryCheckpointer,
  messages as switchyardMessages,
  reducer as switchyardReducer,
  Send as SwitchyardSend,
  START as SWITCHYARD_START,
  StateGraph as SwitchyardStateGraph,
} from "../../src/index.js";

export type EngineName = "switchyard" | "langgraph";

/** An engine's Send or Command instance; scenarios only create them and hand them back. */
export interface SendLike {
  readonly node: string;
}
export interface CommandLike {
  readonly lg_name: "Command";
}
export interface CommandInit {
  goto?: string | SendLike | ReadonlyArray<string | SendLike>;
  update?: Record<string, unknown>;
  /** Answers pending interrupts: one value, or a map from interrupt id to value. */
  resume?: unknown;
}

/** The second argument of a node: LangGraph's config, Switchyard's ctx. Both carry `writer`. */
export interface NodeContext {
  readonly writer?: (chunk: unknown) => void;
  /** Switchyard only: a durable step (LangGraph has no equivalent inside a node). */
  readonly step?: <T>(name: string, fn: () => T | Promise<T>) => Promise<T>;
  /** Switchyard: the config to invoke a graph with inside the node (LangGraph: the ctx itself). */
  readonly runnableConfig?: unknown;
}

export type NodeReturn<State> = Partial<State> | CommandLike | undefined | void;
export type NodeFn<Input, State> = (
  input: Input,
  ctx: NodeContext,
) => NodeReturn<State> | Promise<NodeReturn<State>>;
export type Route = string | SendLike | ReadonlyArray<string | SendLike>;

export interface Config {
  configurable?: { thread_id?: string; checkpoint_id?: string; checkpoint_ns?: string };
}
export type StreamMode = "values" | "updates" | "custom" | "debug";
export interface RunOptions extends Config {
  recursionLimit?: number;
  streamMode?: StreamMode | readonly StreamMode[];
}

export interface Snapshot<State> {
  values: State;
  next: readonly string[];
  tasks: ReadonlyArray<{
    name: string;
    result?: unknown;
    error?: { message?: string };
    interrupts?: ReadonlyArray<{ id: string; value: unknown }>;
    /** With getState(config, { subgraphs: true }): the child's own snapshot. */
    state?: Snapshot<unknown>;
  }>;
  config: Config;
  metadata?: { source?: string; step?: number };
  createdAt?: string;
  parentConfig?: Config;
}

export interface CompiledLike<State> {
  invoke(
    input: Partial<State> | null,
    config?: RunOptions,
  ): Promise<State & { __interrupt__?: unknown }>;
  /** LangGraph returns a promise of the stream, Switchyard the stream itself: always `await` it. */
  stream(
    input: Partial<State> | null,
    config?: RunOptions,
  ): AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>;
  getState(config: Config, options?: { subgraphs?: boolean }): Promise<Snapshot<State>>;
  getStateHistory(config: Config): AsyncIterable<Snapshot<State>>;
  updateState(config: Config, values: Partial<State>, asNode?: string): Promise<Config>;
}

export interface CompileOptions {
  checkpointer?: unknown;
  /** A node cache: Switchyard's MemoryCache, LangGraph's InMemoryCache. */
  cache?: unknown;
  interruptBefore?: string[];
  interruptAfter?: string[];
}

/** Node options both engines share. */
export interface NodeOptions {
  ends?: string[];
  cachePolicy?: { keyFunc?: (args: unknown[]) => string; ttl?: number };
}

/** A node in LangGraph's list form: `[name, fn, options?]`. */
export type NodeEntry<State> = [name: string, fn: NodeFn<State, State>, options?: NodeOptions];

/** A router: a function, or a `@langchain/core` Runnable. */
export type RouterLike<State> = ((state: State) => Route | Promise<Route>) | Runnable;

export interface GraphBuilder<State> {
  addNode<Input = State>(
    name: string,
    fn: NodeFn<Input, State>,
    options?: NodeOptions,
  ): GraphBuilder<State>;
  /** Several nodes at once: `{ a: fnA }` or `[["a", fnA, options]]`. */
  addNode(
    nodes: Record<string, NodeFn<State, State>> | Array<NodeEntry<State>>,
  ): GraphBuilder<State>;
  /** Nodes chained one after the other. */
  addSequence(
    nodes: Record<string, NodeFn<State, State>> | Array<NodeEntry<State>>,
  ): GraphBuilder<State>;
  addEdge(from: string | string[], to: string): GraphBuilder<State>;
  addConditionalEdges(
    source: string,
    router: RouterLike<State>,
    pathMap?: string[] | Record<string, string>,
  ): GraphBuilder<State>;
  addConditionalEdges(options: {
    source: string;
    path: RouterLike<State>;
    pathMap?: string[] | Record<string, string>;
  }): GraphBuilder<State>;
  compile(options?: CompileOptions): CompiledLike<State>;
}

type Shape = Record<string, z.ZodType>;
type StateOf<S extends Shape> = z.output<z.ZodObject<S>>;

export interface Engine {
  readonly name: EngineName;
  readonly START: string;
  readonly END: string;
  readonly Send: new (node: string, arg: unknown) => SendLike;
  readonly Command: new (init: CommandInit) => CommandLike;
  /** A StateGraph over `z.object(shape)`. */
  graph<S extends Shape>(shape: S): GraphBuilder<StateOf<S>>;
  /** A state key that folds writes with `fn`, starting from `initial()`. */
  reducer<T>(
    schema: z.ZodType<T>,
    fn: (current: T, update: T) => T,
    initial: () => T,
  ): z.ZodType<T>;
  /** Pauses the running node for a human; returns the resume value when the node runs again. */
  readonly interrupt: (value: unknown) => unknown;
  /** A state key of @langchain/core messages merged by id. */
  messages(): z.ZodType<BaseMessage[]>;
  checkpointer(): unknown;
  /** A node cache in memory. */
  cache(): unknown;
}

// The casts below are the adapter's whole job: each engine's own generic types are replaced by the
// shared structural ones above, which both engines satisfy at run time.

export const switchyard: Engine = {
  name: "switchyard",
  START: SWITCHYARD_START,
  END: SWITCHYARD_END,
  Send: SwitchyardSend,
  Command: SwitchyardCommand as unknown as Engine["Command"],
  graph: <S extends Shape>(shape: S) =>
    new SwitchyardStateGraph(z.object(shape)) as unknown as GraphBuilder<StateOf<S>>,
  reducer: (schema, fn, initial) => switchyardReducer(schema, fn, initial),
  interrupt: switchyardInterrupt,
  messages: () => switchyardMessages(),
  checkpointer: () => new MemoryCheckpointer(),
  cache: () => new MemoryCache(),
};

const LangGraphGraph = LangGraphStateGraph as unknown as new (schema: z.ZodObject) => unknown;

export const langgraph: Engine = {
  name: "langgraph",
  START: LANGGRAPH_START,
  END: LANGGRAPH_END,
  Send: LangGraphSend,
  Command: LangGraphCommand as unknown as Engine["Command"],
  graph: <S extends Shape>(shape: S) =>
    new LangGraphGraph(z.object(shape)) as GraphBuilder<StateOf<S>>,
  reducer: (schema, fn, initial) =>
    schema.clone().register(registry, { reducer: { fn }, default: initial }),
  interrupt: langGraphInterrupt,
  messages: () => z.custom<BaseMessage[]>().register(registry, { ...MessagesZodMeta }),
  checkpointer: () => new MemorySaver(),
  cache: () => new InMemoryCache(),
};

export const ENGINES: readonly Engine[] = [switchyard, langgraph];

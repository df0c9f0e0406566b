// The two engines behind one thin interface, so every scenario is written once. Both engines
// already share the builder's method names; an adapter only builds the state schema, declares
// reducer keys, opens a SQLite checkpointer and casts the engine's own classes to these types.
import type { z } from "zod";

export type EngineName = "switchyard" | "langgraph";

export const ENGINE_NAMES: readonly EngineName[] = ["switchyard", "langgraph"];

export type Shape = Record<string, z.ZodType>;
export type StateOf<S extends Shape> = z.output<z.ZodObject<S>>;

/** An engine's `Send` instance; scenarios only create them and hand them back to the engine. */
export interface SendLike {
  readonly node: string;
}

export type Route = string | SendLike | readonly SendLike[];

export interface RunConfig {
  configurable?: { thread_id: string };
  recursionLimit?: number;
}

export interface CompiledLike<State> {
  invoke(input: Partial<State> | ResumeLike, config?: RunConfig): Promise<State>;
  getState(config: RunConfig): Promise<{ values: State }>;
  getStateHistory(
    config: RunConfig,
    options?: { limit?: number },
  ): AsyncIterable<{ values: State }>;
}

/** An engine's `Command({ resume })`; scenarios only pass it back to `invoke`. */
export interface ResumeLike {
  readonly resume?: unknown;
}

export interface GraphBuilder<State> {
  addNode<Input = State>(
    name: string,
    fn: (input: Input) => Partial<State> | Promise<Partial<State>>,
  ): GraphBuilder<State>;
  addEdge(from: string, to: string): GraphBuilder<State>;
  addConditionalEdges(source: string, router: (state: State) => Route): GraphBuilder<State>;
  compile(options?: { checkpointer?: unknown }): CompiledLike<State>;
}

/** A file-backed SQLite checkpointer, in WAL mode with `synchronous = NORMAL`. */
export interface SqliteSaver {
  readonly checkpointer: unknown;
  close(): void;
}

export interface BenchEngine {
  readonly name: EngineName;
  readonly START: string;
  readonly END: string;
  readonly Send: new (node: string, arg: unknown) => SendLike;
  /** A StateGraph over `z.object(shape)`. */
  graph<S extends Shape>(shape: S): GraphBuilder<StateOf<S>>;
  /**
   * A StateGraph over one reducer key `count` (a + b, from 0), declared the engine's own way:
   * LangGraph's `Annotation.Root`, Switchyard's zod `reducer`.
   */
  counterGraph(): GraphBuilder<{ count: number }>;
  /** A state key that folds writes with `fn`, starting from `initial()`. */
  reducer<T>(
    schema: z.ZodType<T>,
    fn: (current: T, update: T) => T,
    initial: () => T,
  ): z.ZodType<T>;
  sqlite(path: string): SqliteSaver;
  /** Pauses the calling node until resumed; returns the resume value. */
  interrupt<T>(value: unknown): T;
  /** `new Command({ resume: value })`. */
  resume(value: unknown): ResumeLike;
}

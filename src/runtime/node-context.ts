import type { RunnableConfig } from "@langchain/core/runnables";
import type {
  Configurable,
  InterruptOptions,
  NodeContext,
  RunConfig,
  TokenUsage,
} from "../graph/types.js";
import { interruptIn, type AttemptScope } from "./interrupt.js";
import { stepIn } from "./step.js";
import type { TaskEnvironment } from "./task.js";
import { TokenStreamHandler } from "./token-stream.js";
import { addUsage } from "./usage.js";

/** Token counts a task reported over all its attempts (failed ones were paid for too). */
export interface SpentUsage {
  usage?: TokenUsage;
}

/**
 * The `ctx` a node's attempt receives. Its functions are made on first use (most nodes call none),
 * then kept, so `const { interrupt } = ctx` and `ctx.interrupt(…)` both work and one attempt
 * costs one object.
 */
export class TaskContext implements NodeContext {
  readonly configurable: Configurable;
  readonly config: RunConfig;
  readonly node: string;
  readonly superstep: number;
  readonly attempt: number;
  readonly taskId: string;
  readonly #env: TaskEnvironment;
  readonly #scope: AttemptScope;
  readonly #spent: SpentUsage;
  #writer: NodeContext["writer"] | undefined;
  #interrupt: NodeContext["interrupt"] | undefined;
  #step: NodeContext["step"] | undefined;
  #reportUsage: NodeContext["reportUsage"] | undefined;
  #runnableConfig: RunnableConfig | undefined;

  constructor(
    env: TaskEnvironment,
    scope: AttemptScope,
    readonly signal: AbortSignal,
    spent: SpentUsage,
  ) {
    this.configurable = env.configurable;
    this.config = env.config;
    this.node = scope.task.node;
    this.superstep = env.step;
    this.attempt = scope.number;
    this.taskId = scope.task.taskId;
    this.#env = env;
    this.#scope = scope;
    this.#spent = spent;
  }

  get writer(): NodeContext["writer"] {
    const env = this.#env;
    const node = this.node;
    return (this.#writer ??= (event: unknown) => env.writer(node, event));
  }

  get interrupt(): NodeContext["interrupt"] {
    const scope = this.#scope;
    return (this.#interrupt ??= <Resume>(value: unknown, options?: InterruptOptions<Resume>) =>
      interruptIn(scope, value, options));
  }

  get step(): NodeContext["step"] {
    const scope = this.#scope;
    return (this.#step ??= (name, fn) => stepIn(scope, name, fn));
  }

  get reportUsage(): NodeContext["reportUsage"] {
    const env = this.#env;
    const spent = this.#spent;
    const observer = this.#scope.task.observer;
    return (this.#reportUsage ??= (usage, call) => {
      const recorded = env.budget ? env.budget.record(usage, call?.model) : usage;
      spent.usage = addUsage(spent.usage, recorded);
      observer?.usage(usage, call?.model);
    });
  }

  /** What the node passes to `@langchain/core` calls: its signal, and the token stream when wanted. */
  get runnableConfig(): RunnableConfig {
    if (this.#runnableConfig) return this.#runnableConfig;
    const config: RunnableConfig = { signal: this.signal, configurable: this.configurable };
    // A graph invoked by the node writes the run's metadata (the server's run_id) too.
    const metadata = this.#env.config.metadata;
    if (metadata) config.metadata = metadata;
    const onToken = this.#env.onToken;
    if (onToken) {
      const node = this.node;
      const step = this.superstep;
      config.callbacks = [new TokenStreamHandler((chunk) => onToken(node, step, chunk))];
    }
    return (this.#runnableConfig = config);
  }
}

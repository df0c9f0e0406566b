import type { CompiledGraph, RunStore, ThreadStore } from "../index.js";
import type { ApiFetch } from "./api.js";

/** A graph the console can show and start (the server's assistants have this shape). */
export interface ConsoleGraph {
  readonly graph: CompiledGraph<never>;
  readonly description?: string;
}

/** What `createConsole` needs: the server's graphs and stores, and its API to act through. */
export interface ConsoleOptions {
  readonly graphs: Readonly<Record<string, ConsoleGraph>>;
  /** Read directly for the inbox, history and audit trail (nothing is written through it). */
  readonly checkpointer: ThreadStore;
  readonly runs: RunStore;
  /** The server's API (`app.fetch`): every change the console makes goes through it. */
  readonly api: ApiFetch;
  /** How often the change feed looks for changes, in ms (default 1000). */
  readonly pollMs?: number;
  /** How long an answer waits for the engine's verdict before saying "sent" (default 5000). */
  readonly answerWaitMs?: number;
}

/** The options with their defaults applied, as every page gets them. */
export interface ConsoleDeps {
  readonly graphs: ReadonlyMap<string, ConsoleGraph>;
  readonly checkpointer: ThreadStore;
  readonly runs: RunStore;
  readonly api: ApiFetch;
  readonly pollMs: number;
  readonly answerWaitMs: number;
}

export function consoleDeps(options: ConsoleOptions): ConsoleDeps {
  return {
    graphs: new Map(Object.entries(options.graphs)),
    checkpointer: options.checkpointer,
    runs: options.runs,
    api: options.api,
    pollMs: options.pollMs ?? 1000,
    answerWaitMs: options.answerWaitMs ?? 5000,
  };
}

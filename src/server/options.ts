import type { z } from "zod";
import type { CompiledGraph, RunQueue, RunStore, ThreadStore } from "../index.js";

/** A graph the server offers as an assistant (its `assistant_id` and `graph_id` are its name). */
export interface ServedGraph {
  /** Compiled with the same checkpointer the server is given. */
  readonly graph: CompiledGraph<never>;
  /** The state schema, for `GET /assistants/{id}/schemas`. */
  readonly schema?: z.ZodObject;
  readonly description?: string;
}

export interface ServerOptions {
  /** The assistants, by name. */
  readonly graphs: Readonly<Record<string, ServedGraph>>;
  /** Where the graphs keep their threads. */
  readonly checkpointer: ThreadStore;
  /** Where runs and thread metadata are kept. */
  readonly runs: RunStore;
  /**
   * With a queue the server executes nothing: it records and queues runs for `switchyard worker`
   * processes (a PostgresRunQueue over the same database as `runs`) and relays their stored
   * events. It then neither marks unfinished runs nor sweeps deadlines (the workers do both).
   */
  readonly queue?: RunQueue;
  /**
   * API keys by holder name. When given, every request needs `x-api-key`, the holder is the
   * `actor` of what the request does (audit log), and CORS is answered for browsers.
   */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /**
   * With API keys: the browser origins CORS answers (e.g. `https://chat.example.com`); default
   * any origin. Without keys there is no CORS at all.
   */
  readonly corsOrigins?: readonly string[];
  /** With API keys: at most this many requests per minute per key (default: no limit). */
  readonly requestsPerMinute?: number;
  /** The largest request body accepted, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * A run still running after this many milliseconds is stopped at its last checkpoint and
   * recorded as `timeout`, with an `error` event RUN_TIMEOUT (default 0: no limit).
   */
  readonly runTimeoutMs?: number;
  /**
   * Stored stream events of runs that ended more than this many milliseconds ago are deleted
   * (checked at start and hourly); default 7 days, 0 keeps them until their run is deleted.
   */
  readonly keepRunEventsMs?: number;
  /** Milliseconds between SSE heartbeat comments (default 10 000). */
  readonly heartbeatMs?: number;
  /**
   * Milliseconds between sweeps that apply the `onTimeout` of interrupts whose deadline passed
   * (`sweepExpired()` of every graph). Default 60 000; 0 turns the sweeps off.
   */
  readonly sweepEveryMs?: number;
  /** Where the server reports what it did on its own (deadline sweeps); default console.log. */
  readonly log?: (line: string) => void;
}

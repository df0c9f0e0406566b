import { existsSync } from "node:fs";
import {
  DatabaseNotFoundError,
  PostgresCheckpointer,
  SqliteCheckpointer,
  type CompiledGraph,
  type ThreadStore,
} from "../index.js";
import { CliError } from "./errors.js";
import { compileGraph, findGraphFile, loadGraph, type LoadedGraph } from "./graphs.js";
import { jsonOf } from "./printable.js";
import { projectPaths } from "./project.js";

/** The global options every command gets. */
export interface GlobalOptions {
  db?: string;
  postgres?: string;
  graphs?: string;
  graph?: string;
  json?: boolean;
  verbose?: boolean;
  exitCode?: boolean;
}

/** What a command works with: the database, the graphs folder, and how to print. */
export class CliContext {
  readonly dbPath: string;
  readonly dbFoundBy: string;
  readonly graphsDir: string;
  readonly json: boolean;
  /** --exit-code: a waiting or paused thread exits 3 instead of 0. */
  readonly exitCodes: boolean;
  /** --graph NAME: the graph of a thread that records none; `threads` lists only its threads. */
  readonly graphOption: string | undefined;
  /** The Postgres connection string when the database is a Postgres one (--postgres). */
  readonly postgres: string | undefined;
  private store: (ThreadStore & { close(): void | Promise<void> }) | undefined;

  constructor(
    options: GlobalOptions,
    readonly out: (text: string) => void,
  ) {
    const paths = projectPaths(options, process.env, process.cwd());
    this.dbPath = paths.dbPath;
    this.dbFoundBy = paths.dbFoundBy;
    this.postgres = paths.postgres;
    this.graphsDir = paths.graphsDir;
    this.json = options.json === true;
    this.exitCodes = options.exitCode === true;
    this.graphOption = options.graph;
  }

  /**
   * The database (SQLite, or Postgres with --postgres), opened on first use. Only commands that
   * start threads (`run`, `serve`) create it; the others refuse a missing file (DATABASE_NOT_FOUND)
   * or a Postgres database without Switchyard's tables (SCHEMA_NOT_FOUND) rather than create one.
   * `leaseMs` (how long a dead process keeps a thread) counts only when this call opens it.
   */
  checkpointer(options: { create?: boolean; leaseMs?: number } = {}): ThreadStore {
    if (this.store) return this.store;
    const lease = options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs };
    if (this.postgres !== undefined) {
      this.store = new PostgresCheckpointer(this.postgres, {
        create: options.create === true,
        ...lease,
      });
      return this.store;
    }
    if (options.create !== true && !existsSync(this.dbPath)) {
      throw new DatabaseNotFoundError(this.dbPath, this.dbFoundBy);
    }
    this.store = new SqliteCheckpointer(this.dbPath, lease);
    return this.store;
  }

  /** A graph file, loaded: for commands that need the graph but not the database (`draw`). */
  async graphFile(name: string): Promise<LoadedGraph> {
    return loadGraph(findGraphFile(this.graphsDir, name));
  }

  async graph(
    name: string,
    options: { create?: boolean } = {},
  ): Promise<{ loaded: LoadedGraph; compiled: CompiledGraph<never> }> {
    const loaded = await this.graphFile(name);
    return { loaded, compiled: compileGraph(loaded, this.checkpointer(options)) };
  }

  /** The compiled graph a thread was started with (by the name the thread is pinned to). */
  async graphOfThread(threadId: string): Promise<CompiledGraph<never>> {
    const info = await this.checkpointer().getThread(threadId);
    if (!info) {
      throw new CliError(
        "THREAD_NOT_FOUND",
        `Thread "${threadId}" does not exist in ${this.dbPath}. List threads with \`switchyard threads\`.`,
      );
    }
    const name = info.graph?.name ?? this.graphOption;
    if (name === undefined) {
      throw new CliError(
        "THREAD_HAS_NO_GRAPH",
        `Thread "${threadId}" has checkpoints but no record of the graph that runs it (its first run ` +
          `was stopped before the thread was pinned to its graph, or it was written from code without ` +
          `a graph name). Say which graph file it runs with --graph NAME, e.g. ` +
          `\`switchyard --graph <name> show ${threadId}\`; its next run pins it to that graph.`,
      );
    }
    return (await this.graph(name)).compiled;
  }

  /** Prints `data` as JSON with --json (see jsonOf for values JSON cannot hold), else the text. */
  print(data: unknown, text: () => string): void {
    this.out(this.json ? JSON.stringify(jsonOf(data), null, 2) : text());
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}

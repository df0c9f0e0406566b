import { resolve } from "node:path";
import { SqliteCheckpointer, type CompiledGraph } from "../index.js";
import { CliError } from "./errors.js";
import { compileGraph, findGraphFile, loadGraph, type LoadedGraph } from "./graphs.js";

/** The global options every command gets. */
export interface GlobalOptions {
  db?: string;
  graphs?: string;
  json?: boolean;
  verbose?: boolean;
}

/** What a command works with: the database, the graphs folder, and how to print. */
export class CliContext {
  readonly dbPath: string;
  readonly graphsDir: string;
  readonly json: boolean;
  private store: SqliteCheckpointer | undefined;

  constructor(
    options: GlobalOptions,
    readonly out: (text: string) => void,
  ) {
    this.dbPath = options.db ?? process.env.SWITCHYARD_DB ?? "checkpoints/switchyard.db";
    this.graphsDir = resolve(options.graphs ?? "graphs");
    this.json = options.json === true;
  }

  /** The SQLite database, opened on first use. */
  checkpointer(): SqliteCheckpointer {
    this.store ??= new SqliteCheckpointer(this.dbPath);
    return this.store;
  }

  async graph(name: string): Promise<{ loaded: LoadedGraph; compiled: CompiledGraph<never> }> {
    const loaded = await loadGraph(findGraphFile(this.graphsDir, name));
    return { loaded, compiled: compileGraph(loaded, this.checkpointer()) };
  }

  /** The compiled graph a thread was started with (by the name the thread is pinned to). */
  async graphOfThread(threadId: string): Promise<CompiledGraph<never>> {
    const info = await this.checkpointer().getThread(threadId);
    if (!info) {
      throw new CliError(
        "THREAD_NOT_FOUND",
        `Thread "${threadId}" does not exist in ${this.dbPath}.`,
      );
    }
    if (!info.graph) {
      throw new CliError(
        "THREAD_HAS_NO_GRAPH",
        `Thread "${threadId}" does not record which graph it runs.`,
      );
    }
    return (await this.graph(info.graph.name)).compiled;
  }

  /** Prints `data` as JSON with --json, else the human text. */
  print(data: unknown, text: () => string): void {
    this.out(this.json ? JSON.stringify(data, null, 2) : text());
  }

  close(): void {
    this.store?.close();
  }
}

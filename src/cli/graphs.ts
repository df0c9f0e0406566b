import { existsSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CompiledGraph,
  GraphBuildFailedError,
  StateGraph,
  type Checkpointer,
  type CompileOptions,
} from "../index.js";
import { CliError } from "./errors.js";

/** A graph file in the graphs folder: `graphs/<name>.ts`. */
export interface GraphFile {
  readonly name: string;
  readonly file: string;
}

/** What a graph module exports, once loaded. */
export interface LoadedGraph extends GraphFile {
  readonly description: string | undefined;
  /** Compiles the exported graph (a builder, or a compiled graph recompiled) with these options. */
  readonly compile: (options: { checkpointer?: Checkpointer }) => CompiledGraph<never>;
}

export function listGraphFiles(dir: string): GraphFile[] {
  if (!existsSync(dir)) {
    throw new CliError("GRAPHS_DIR_NOT_FOUND", `No graphs folder at ${dir}. Pass --graphs DIR.`);
  }
  return readdirSync(dir)
    .filter((entry) => entry.endsWith(".ts") && !entry.endsWith(".d.ts"))
    .sort()
    .map((entry) => ({ name: basename(entry, ".ts"), file: join(dir, entry) }));
}

export function findGraphFile(dir: string, name: string): GraphFile {
  const files = listGraphFiles(dir);
  const found = files.find((graph) => graph.name === name);
  if (!found) {
    const known = files.map((graph) => graph.name).join(", ") || "(none)";
    throw new CliError("GRAPH_NOT_FOUND", `No graph "${name}" in ${dir}. Graphs there: ${known}.`);
  }
  return found;
}

/**
 * Imports a graph module. It must export a StateGraph or a compiled graph as `graph` (or default),
 * or a function `buildGraph()` returning either; `description` and `compileOptions` are optional.
 */
export async function loadGraph(graph: GraphFile): Promise<LoadedGraph> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(graph.file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      "GRAPH_LOAD_FAILED",
      `Could not load ${graph.file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let candidate: unknown;
  if (typeof module.buildGraph === "function") {
    try {
      candidate = (module.buildGraph as () => unknown)();
    } catch (error) {
      throw new GraphBuildFailedError(graph.file, error);
    }
  } else {
    candidate = module.graph ?? module.default;
  }
  const compileOptions = (module.compileOptions as CompileOptions | undefined) ?? {};
  const description = typeof module.description === "string" ? module.description : undefined;
  if (candidate instanceof StateGraph) {
    const builder = candidate as StateGraph<never>;
    return {
      ...graph,
      description,
      compile: (options) => builder.compile({ ...compileOptions, ...options, name: graph.name }),
    };
  }
  if (candidate instanceof CompiledGraph) {
    const compiled = candidate as CompiledGraph<never>;
    return {
      ...graph,
      description,
      compile: (options) => compiled.recompile({ ...options, name: graph.name }),
    };
  }
  throw new CliError(
    "NOT_A_GRAPH",
    `${graph.file} does not export a graph. Export a StateGraph (or a compiled graph) as \`graph\` ` +
      `(or default), or a function \`buildGraph()\` that returns one.`,
  );
}

export function compileGraph(graph: LoadedGraph, checkpointer: Checkpointer): CompiledGraph<never> {
  return graph.compile({ checkpointer });
}

import type { BenchEngine, EngineName } from "./types.js";

/**
 * Imports one engine's adapter. Dynamic, so a child process measuring one engine's memory loads
 * only that engine's modules.
 */
export async function loadEngine(name: EngineName): Promise<BenchEngine> {
  const module: { engine: BenchEngine } =
    name === "switchyard" ? await import("./switchyard.js") : await import("./langgraph.js");
  return module.engine;
}

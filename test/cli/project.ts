// A throwaway project outside the repository, the way a user's own project looks: package.json,
// checkpoints/, graphs/, and node_modules where `switchyard` and `zod` are installed.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { REPO_ROOT } from "./run-cli.js";

export interface Project {
  readonly root: string;
  readonly graphs: string;
  /** Writes `graphs/<name>.ts`. */
  readonly writeGraph: (name: string, source: string) => void;
}

/**
 * A project folder with `switchyard` (this repository) and `zod` installed, deleted when the test
 * ends. `packageType` sets package.json's "type"; `null` writes no package.json at all.
 */
export function project(
  options: { packageType?: "module" | "commonjs" | null; checkpoints?: boolean } = {},
): Project {
  const root = mkdtempSync(join(tmpdir(), "switchyard-project-"));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const type = options.packageType === undefined ? "module" : options.packageType;
  if (type !== null) {
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "my-app", type }));
  }
  if (options.checkpoints !== false) mkdirSync(join(root, "checkpoints"));
  mkdirSync(join(root, "node_modules"));
  symlinkSync(REPO_ROOT, join(root, "node_modules", "switchyard"), "dir");
  symlinkSync(join(REPO_ROOT, "node_modules", "zod"), join(root, "node_modules", "zod"), "dir");
  const graphs = join(root, "graphs");
  mkdirSync(graphs);
  return {
    root,
    graphs,
    writeGraph: (name, source) => writeFileSync(join(graphs, `${name}.ts`), source),
  };
}

/** A one-node graph file importing `switchyard` as a user's project does. */
export const HELLO_GRAPH = `import { z } from "zod";
import { END, START, StateGraph } from "switchyard";

export const graph = new StateGraph(z.object({ greeting: z.string().optional() }))
  .addNode("hello", () => ({ greeting: "hello" }))
  .addEdge(START, "hello")
  .addEdge("hello", END);
`;

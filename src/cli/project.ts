import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Where the CLI reads and writes when --db / --graphs do not say. */
export interface ProjectPaths {
  readonly dbPath: string;
  readonly graphsDir: string;
  /** How the database path was chosen, for messages: "--db", "SWITCHYARD_DB" or the rule. */
  readonly dbFoundBy: string;
}

/**
 * The project folder, found the way git finds `.git`: from `cwd` upwards, the nearest folder with a
 * `checkpoints/` folder; failing that, the nearest with a `package.json`; failing both, `cwd`.
 * Its `checkpoints/switchyard.db` and `graphs/` are the defaults, from any folder inside it.
 */
export function findProjectRoot(cwd: string): string {
  const has = (folder: string, entry: string, directory: boolean): boolean => {
    const path = join(folder, entry);
    return existsSync(path) && statSync(path).isDirectory() === directory;
  };
  for (const [entry, directory] of [
    ["checkpoints", true],
    ["package.json", false],
  ] as const) {
    for (let folder = resolve(cwd); ; folder = dirname(folder)) {
      if (has(folder, entry, directory)) return folder;
      if (dirname(folder) === folder) break;
    }
  }
  return resolve(cwd);
}

export function projectPaths(
  options: { db?: string; graphs?: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
): ProjectPaths {
  let root: string | undefined;
  const projectRoot = (): string => (root ??= findProjectRoot(cwd));
  const graphsDir =
    options.graphs === undefined ? join(projectRoot(), "graphs") : resolve(cwd, options.graphs);
  if (options.db !== undefined) {
    return { dbPath: resolve(cwd, options.db), graphsDir, dbFoundBy: "given by --db" };
  }
  if (env.SWITCHYARD_DB) {
    return {
      dbPath: resolve(cwd, env.SWITCHYARD_DB),
      graphsDir,
      dbFoundBy: "given by SWITCHYARD_DB",
    };
  }
  return {
    dbPath: join(projectRoot(), "checkpoints", "switchyard.db"),
    graphsDir,
    dbFoundBy: `in the project folder ${projectRoot()}: the nearest folder, from ${resolve(cwd)} up, with checkpoints/ or else package.json`,
  };
}

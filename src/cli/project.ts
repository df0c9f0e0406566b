import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError, EXIT } from "./errors.js";

/** Where the CLI reads and writes when --db / --postgres / --graphs do not say. */
export interface ProjectPaths {
  /** The SQLite file, or for Postgres the connection string without its password (for messages). */
  readonly dbPath: string;
  readonly graphsDir: string;
  /** How the database was chosen, for messages: "--db", "SWITCHYARD_DB", "--postgres", … or the rule. */
  readonly dbFoundBy: string;
  /** The Postgres connection string, when the database is a Postgres one. */
  readonly postgres?: string;
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

/**
 * Which database: `--postgres URL` or `--db PATH` (not both), then SWITCHYARD_POSTGRES, then
 * SWITCHYARD_DB, then the project's `checkpoints/switchyard.db`.
 */
export function projectPaths(
  options: { db?: string; graphs?: string; postgres?: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
): ProjectPaths {
  let root: string | undefined;
  const projectRoot = (): string => (root ??= findProjectRoot(cwd));
  const graphsDir =
    options.graphs === undefined ? join(projectRoot(), "graphs") : resolve(cwd, options.graphs);
  if (options.postgres !== undefined && options.db !== undefined) {
    throw new CliError(
      "TWO_DATABASES",
      "--db and --postgres each name a database; give one of them.",
      EXIT.usage,
    );
  }
  const postgres =
    options.postgres !== undefined
      ? { url: options.postgres, foundBy: "given by --postgres" }
      : options.db === undefined && env.SWITCHYARD_POSTGRES
        ? { url: env.SWITCHYARD_POSTGRES, foundBy: "given by SWITCHYARD_POSTGRES" }
        : undefined;
  if (postgres) {
    return {
      dbPath: withoutPassword(postgres.url),
      graphsDir,
      dbFoundBy: postgres.foundBy,
      postgres: postgres.url,
    };
  }
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

/** A connection string for messages: never its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "the Postgres database given";
  }
}

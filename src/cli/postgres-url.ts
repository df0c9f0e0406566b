import { CliError, EXIT } from "./errors.js";

/** The Postgres connection string of `serve`/`worker`: --postgres, else SWITCHYARD_POSTGRES. */
export function postgresUrl(option: string | undefined, required: boolean): string | undefined {
  const url = option ?? process.env.SWITCHYARD_POSTGRES;
  if (url === undefined || url === "") {
    if (!required) return undefined;
    throw new CliError(
      "POSTGRES_REQUIRED",
      "A worker needs the fleet's Postgres database: pass --postgres URL (or set SWITCHYARD_POSTGRES), " +
        "e.g. `switchyard worker --postgres postgres://app@db/switchyard`.",
      EXIT.usage,
    );
  }
  return url;
}

/** Parses a positive whole number option, or a usage error naming it. */
export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new CliError(
      "INVALID_OPTION",
      `${name} must be a whole number above 0, got "${value}".`,
      EXIT.usage,
    );
  }
  return parsed;
}

/** Parses a non-negative number of seconds, or a usage error naming it. */
export function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new CliError(
      "INVALID_OPTION",
      `${name} must be a number of seconds, got "${value}".`,
      EXIT.usage,
    );
  }
  return parsed;
}

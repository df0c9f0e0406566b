import { CliError, EXIT } from "./errors.js";

/** The fleet's database for `worker`: --postgres (or SWITCHYARD_POSTGRES), else a usage error. */
export function requirePostgres(url: string | undefined): string {
  if (url !== undefined && url !== "") return url;
  throw new CliError(
    "POSTGRES_REQUIRED",
    "A worker needs the fleet's Postgres database: pass --postgres URL (or set SWITCHYARD_POSTGRES), " +
      "e.g. `switchyard worker --postgres postgres://app@db/switchyard`.",
    EXIT.usage,
  );
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

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

/** How a numeric option is read and, when it is not, what the usage error says. */
export interface NumberOption {
  /** The option as typed, e.g. "--lease-seconds". */
  readonly name: string;
  /** What it counts, e.g. "seconds", "days", "requests per minute". */
  readonly unit: string;
  /** Used when the option is absent. */
  readonly fallback: number;
  /** Only whole numbers. */
  readonly whole?: boolean;
  /** What 0 does (said in the error), e.g. "turns it off". */
  readonly zeroMeans?: string;
  /** The error's code (default INVALID_OPTION; some options have had their own since they came). */
  readonly code?: string;
}

/** Parses a number ≥ 0, or a usage error naming the option, its unit and what 0 means. */
export function nonNegative(value: string | undefined, option: NumberOption): number {
  return parse(value, option, 0, "");
}

/** Parses a number > 0, or a usage error naming the option and its unit. */
export function positive(value: string | undefined, option: NumberOption): number {
  return parse(value, option, Number.MIN_VALUE, "positive ");
}

/** Parses a whole number above 0 (a count: workers, concurrency), or a usage error naming it. */
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

function parse(value: string | undefined, option: NumberOption, min: number, kind: string): number {
  if (value === undefined) return option.fallback;
  const parsed = value.trim() === "" ? Number.NaN : Number(value);
  const whole = option.whole === true;
  if (!Number.isFinite(parsed) || parsed < min || (whole && !Number.isInteger(parsed))) {
    const zero = option.zeroMeans === undefined ? "" : ` (0 ${option.zeroMeans})`;
    throw new CliError(
      option.code ?? "INVALID_OPTION",
      `${option.name} must be a ${kind}${whole ? "whole " : ""}number of ${option.unit}${zero}, got "${value}".`,
      EXIT.usage,
    );
  }
  return parsed;
}

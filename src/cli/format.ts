/** Plain-text formatting for the CLI's human output. */
import { textOf } from "./printable.js";

/** A fixed-width table: header row, then rows; columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** One line of JSON (textOf's one-line form for what JSON cannot hold), shortened to `max`. */
export function summary(value: unknown, max = 60): string {
  const text = textOf(value, null);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "3m ago", "2h ago", "5d ago". */
export function age(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

export function indent(text: string, by = "  "): string {
  return text
    .split("\n")
    .map((line) => by + line)
    .join("\n");
}

/** A value given on the command line: JSON text, or `@file` holding JSON. */
export function parseJsonArgument(
  raw: string,
  option: string,
  read: (path: string) => string,
): unknown {
  const text = raw.startsWith("@") ? read(raw.slice(1)) : raw;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${option} must be JSON (or @file with JSON): ${(error as Error).message}`);
  }
}

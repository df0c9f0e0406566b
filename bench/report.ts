// Formats results as Markdown tables: readable in a terminal, pasteable into docs/performance.md.
import type { EngineName } from "./engines/types.js";
import type { EngineFigures, ReportedResult } from "./scenario.js";

const LABELS: Record<EngineName, string> = { switchyard: "Switchyard", langgraph: "LangGraph" };

export function formatScenario(result: ReportedResult): string {
  const long = result.engines.switchyard.fileBytes !== undefined;
  const header = ["engine", "median", "mean", "p25–p75", "n"];
  if (long) header.push("db file", "peak RSS", "first 100", "last 100", "last / first");
  const rows = (Object.keys(LABELS) as EngineName[]).map((engine) =>
    row(LABELS[engine], result.engines[engine], long),
  );
  const checks = result.checks.map(
    (check) =>
      `- ${check.label}: ${formatValue(check.value, check.target)} (target ${check.target}) — ${check.met ? "met" : "MISSED"}`,
  );
  return [
    `### ${result.id}: ${result.title}`,
    "",
    table([header, ...rows]),
    "",
    ...checks,
    `- load average: ${result.loadAverage.map((load) => load.toFixed(2)).join(" → ")}`,
    "",
  ].join("\n");
}

function row(label: string, figures: EngineFigures, long: boolean): string[] {
  const { time } = figures;
  const cells = [
    label,
    ms(time.median),
    ms(time.mean),
    `${ms(time.p25)}–${ms(time.p75)}`,
    String(time.samples),
  ];
  if (long) {
    cells.push(
      megabytes(figures.fileBytes ?? 0),
      megabytes(figures.maxRssBytes ?? 0),
      ms(figures.first100Ms ?? 0),
      ms(figures.last100Ms ?? 0),
      (figures.lastToFirst ?? 0).toFixed(2),
    );
  }
  return cells;
}

function table(rows: readonly string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((cells) => (cells[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  const [head = [], ...body] = rows;
  return [line(head), rule, ...body.map(line)].join("\n");
}

function formatValue(value: number, target: string): string {
  if (target.endsWith("×")) return `${value.toFixed(1)}×`;
  if (target.endsWith("MB")) return `${value.toFixed(2)} MB`;
  return value.toFixed(2);
}

/** Milliseconds with three significant digits (at least whole ms). */
export function ms(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3;
  return `${value.toFixed(digits)} ms`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

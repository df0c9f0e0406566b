import type { BenchEngine, EngineName } from "./engines/types.js";
import { timeAlternating, type TimingPlan } from "./measure.js";
import { summarize, type Summary } from "./stats.js";

export interface ScenarioContext {
  readonly engines: readonly BenchEngine[];
  readonly quick: boolean;
  readonly timing: TimingPlan;
  /** A scratch directory for database files, removed after the run. */
  readonly workDir: string;
}

/** What one engine measured in one scenario. Wall times are in ms, sizes in bytes. */
export interface EngineFigures {
  readonly time: Summary;
  readonly fileBytes?: number;
  readonly maxRssBytes?: number;
  /** Time of the first and the last 100 steps of a long run, and last / first. */
  readonly first100Ms?: number;
  readonly last100Ms?: number;
  readonly lastToFirst?: number;
}

/** A target from issue 7 and whether this run met it. */
export interface Check {
  readonly label: string;
  /** e.g. "≥ 40×" */
  readonly target: string;
  readonly value: number;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly engines: Readonly<Record<EngineName, EngineFigures>>;
  /** LangGraph's median time / Switchyard's. */
  readonly ratio: number;
  readonly checks: readonly Check[];
}

/** A result as printed: with the 1-minute load average before and after, as other work skews it. */
export interface ReportedResult extends ScenarioResult {
  readonly loadAverage: readonly [before: number, after: number];
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/** One engine's graph, ready to be timed. `run` should check its own result. */
export interface Prepared {
  readonly run: () => Promise<unknown>;
  readonly close: () => void;
}

export function ratioCheck(ratio: number, minimum: number): Check {
  return {
    label: "LangGraph / Switchyard",
    target: `≥ ${minimum}×`,
    value: ratio,
    met: ratio >= minimum,
  };
}

/** A scenario measured as the latency of one call, timed with tinybench on both engines. */
export function timedScenario(spec: {
  id: string;
  title: string;
  minRatio: number;
  prepare(engine: BenchEngine, workDir: string): Prepared;
}): Scenario {
  return {
    id: spec.id,
    title: spec.title,
    async run({ engines, timing, workDir }) {
      const prepared = engines.map((engine) => ({
        engine: engine.name,
        ...spec.prepare(engine, workDir),
      }));
      try {
        const samples = await timeAlternating(
          prepared.map(({ engine, run }) => ({ engine, run })),
          timing,
        );
        const time = (engine: EngineName) => summarize(samples.get(engine) ?? []);
        const figures = {
          switchyard: { time: time("switchyard") },
          langgraph: { time: time("langgraph") },
        };
        const ratio = figures.langgraph.time.median / figures.switchyard.time.median;
        return {
          id: spec.id,
          title: spec.title,
          engines: figures,
          ratio,
          checks: [ratioCheck(ratio, spec.minRatio)],
        };
      } finally {
        for (const { close } of prepared) close();
      }
    },
  };
}

/** Throws when a benchmarked run computed the wrong thing: a fast wrong answer is no result. */
export function expectValue(engine: BenchEngine, what: string, actual: unknown, expected: unknown) {
  if (actual !== expected) {
    throw new Error(
      `${engine.name}: expected ${what} to be ${String(expected)}, got ${String(actual)}`,
    );
  }
}

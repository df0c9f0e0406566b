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
  /** The target ratio (medians and means); undefined for a figure without a target. */
  minRatio: number | undefined;
  /** Fewer rounds or runs for a scenario whose one call takes seconds. */
  timing?: Partial<TimingPlan>;
  prepare(engine: BenchEngine, workDir: string, quick: boolean): Prepared | Promise<Prepared>;
}): Scenario {
  return {
    id: spec.id,
    title: spec.title,
    async run({ engines, timing, workDir, quick }) {
      const prepared: Array<Prepared & { engine: EngineName }> = [];
      for (const engine of engines) {
        prepared.push({ engine: engine.name, ...(await spec.prepare(engine, workDir, quick)) });
      }
      try {
        const plan = { ...timing, ...spec.timing };
        const samples = await timeAlternating(
          prepared.map(({ engine, run }) => ({ engine, run })),
          plan,
        );
        const time = (engine: EngineName) => summarize(samples.get(engine) ?? []);
        const figures = {
          switchyard: { time: time("switchyard") },
          langgraph: { time: time("langgraph") },
        };
        const ratio = figures.langgraph.time.median / figures.switchyard.time.median;
        const meanRatio = figures.langgraph.time.mean / figures.switchyard.time.mean;
        const checks =
          spec.minRatio === undefined
            ? [ratioCheck(ratio, 0), { ...ratioCheck(meanRatio, 0), label: "the same, means" }]
            : [
                ratioCheck(ratio, spec.minRatio),
                { ...ratioCheck(meanRatio, spec.minRatio), label: "the same, means" },
              ];
        return { id: spec.id, title: spec.title, engines: figures, ratio, checks };
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

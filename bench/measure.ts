import { Bench } from "tinybench";
import type { EngineName } from "./engines/types.js";

/** How long to time each engine: `rounds` tinybench runs each, alternating which engine goes first. */
export interface TimingPlan {
  readonly rounds: number;
  /** Time budget of one round, in ms; a round runs at least `iterations` times. */
  readonly timeMs: number;
  readonly iterations: number;
  /** Untimed runs before every round, so each round starts warm whatever ran before it. */
  readonly warmupMs: number;
  readonly warmupIterations: number;
}

export const FULL_TIMING: TimingPlan = {
  rounds: 8,
  timeMs: 500,
  iterations: 5,
  warmupMs: 100,
  warmupIterations: 3,
};

export const QUICK_TIMING: TimingPlan = {
  rounds: 2,
  timeMs: 0,
  iterations: 2,
  warmupMs: 0,
  warmupIterations: 1,
};

export interface Subject {
  readonly engine: EngineName;
  readonly run: () => Promise<unknown>;
}

/**
 * Times every subject's `run` in `plan.rounds` rounds, reversing the engine order each round so
 * neither engine always runs on a heap (or a page cache) the other just left. Returns every
 * latency sample (ms) per engine.
 */
export async function timeAlternating(
  subjects: readonly Subject[],
  plan: TimingPlan,
): Promise<Map<EngineName, number[]>> {
  const samples = new Map<EngineName, number[]>(subjects.map((s) => [s.engine, []]));
  for (let round = 0; round < plan.rounds; round += 1) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      samples.get(subject.engine)?.push(...(await timeOnce(subject, plan)));
    }
  }
  return samples;
}

async function timeOnce(subject: Subject, plan: TimingPlan): Promise<readonly number[]> {
  const bench = new Bench({
    time: plan.timeMs,
    iterations: plan.iterations,
    warmup: plan.warmupIterations > 0,
    warmupTime: plan.warmupMs,
    warmupIterations: plan.warmupIterations,
    retainSamples: true,
    throws: true,
  });
  bench.add(subject.engine, subject.run);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result?.state !== "completed" || !result.latency.samples) {
    throw new Error(`${subject.engine}: tinybench did not complete (${result?.state})`);
  }
  return result.latency.samples;
}

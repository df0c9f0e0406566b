/** Median, mean and interquartile range of a set of measurements. */
export interface Summary {
  readonly median: number;
  readonly mean: number;
  readonly p25: number;
  readonly p75: number;
  readonly samples: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("summarize: no measurements");
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    samples: sorted.length,
  };
}

/** Linear interpolation between the closest ranks of an ascending list. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (position - below);
}

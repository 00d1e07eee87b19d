/** Medians of repeated runs, and latency percentiles. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
  /** True when the slowest and fastest run differ by more than UNSTABLE_SPREAD. */
  unstable: boolean;
}

/** max > min × (1 + this) marks a measurement as unstable. */
export const UNSTABLE_SPREAD = 0.2;

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no runs to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  return { median: median(sorted), min, max, runs: values.length, unstable: max > min * (1 + UNSTABLE_SPREAD) };
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The p-th percentile (0-100) of ascending values, nearest-rank; undefined for no values. */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]!;
}

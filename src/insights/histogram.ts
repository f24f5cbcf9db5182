// The fixed log-scale histogram of durations that the DORA rollup (src/store/dora-rollup.ts) keeps per period,
// and the median read from merged histograms. Bin 0 holds durations of 0 or less (negative ones count as 0);
// bin i ≥ 1 holds the durations in (MIN·γ^(i-2), MIN·γ^(i-1)] seconds, MIN being the databases' millisecond.
// A bin's value is the point of its range that is at most α = (γ-1)/(γ+1) away from every value in it,
// relatively: so is a median read from the histograms, and the mean of two such values (an even count).
// The bins are part of the stored data: changing GAMMA or MIN needs a migration that rebuilds the rollup.

/** The ratio of a bin's upper bound to its lower one. */
export const GAMMA = 1.04;
/** The largest relative error of a value read from a bin: (γ-1)/(γ+1), about 1.96 %. */
export const RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);
const MIN_SECONDS = 0.001;
const LOG_GAMMA = Math.log(GAMMA);

/** The bin of a duration in seconds. */
export function binOf(seconds: number): number {
  if (!(seconds > 0)) return 0;
  // Durations are whole milliseconds; the rounding keeps a bound (MIN·γ^k) in its own bin despite floating point.
  const exponent = Math.log(seconds / MIN_SECONDS) / LOG_GAMMA;
  return Math.max(1, Math.ceil(exponent - 1e-9) + 1);
}

/** The value standing for every duration of a bin, in seconds. */
export function valueOfBin(bin: number): number {
  if (bin <= 0) return 0;
  const upper = MIN_SECONDS * GAMMA ** (bin - 1);
  return (2 * upper) / (GAMMA + 1);
}

/** A histogram: how many durations each bin holds. */
export type Histogram = Map<number, number>;

/** Adds `count` durations of `bin` to a histogram. */
export function addToHistogram(histogram: Histogram, bin: number, count: number): void {
  const total = (histogram.get(bin) ?? 0) + count;
  if (total === 0) histogram.delete(bin);
  else histogram.set(bin, total);
}

/**
 * The median of the durations a histogram holds, as median() in insights.service.ts defines it (the mean of
 * the two middle values of an even count), each value read as its bin's; null when it holds none.
 */
export function medianOfHistogram(histogram: Histogram): number | null {
  const bins = [...histogram.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = bins.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  // The 0-based ranks of the middle values.
  const ranks = total % 2 === 1 ? [(total - 1) / 2] : [total / 2 - 1, total / 2];
  const values = ranks.map((rank) => {
    let seen = 0;
    for (const [bin, count] of bins) {
      seen += count;
      if (rank < seen) return valueOfBin(bin);
    }
    return valueOfBin(bins[bins.length - 1]![0]);
  });
  const value = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.round(value * 1000) / 1000;
}

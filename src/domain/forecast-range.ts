import { seededRandom } from './random.js';

/**
 * The expected range of each week's inflow: its 10th and 90th percentile when every invoice is paid
 * in at most one bucket, independently of the others, with its own chances per bucket.
 *
 * Computed by a Monte Carlo simulation with a fixed seed: each draw picks, for every invoice, the
 * bucket it is paid in (or none), and adds its amount there. Exact convolution would need a grid fine
 * enough for one small invoice yet wide enough for the sum of thousands (or a normal approximation,
 * which is wrong exactly when one large invoice dominates a week). The simulation handles both, its
 * cost is invoices × draws, and with a fixed seed the same book always gives the same range.
 * The percentiles of 400+ draws are within about 2 percentile points of the exact ones.
 */
export interface WeekRange {
  /** Integer minor units. */
  p10: number;
  p90: number;
}

/** Draws for a small book; fewer for a large one so the work stays near MAX_WORK. */
const MAX_DRAWS = 2000;
const MIN_DRAWS = 400;
const MAX_WORK = 4_000_000;
const SEED = 20261204;

export function weeklyRanges(payments: readonly { amount: number; bucketChances: readonly number[] }[], buckets: number): WeekRange[] {
  const uncertain = payments.filter((p) => p.bucketChances.some((c) => c > 1e-6));
  const draws = Math.max(MIN_DRAWS, Math.min(MAX_DRAWS, Math.floor(MAX_WORK / Math.max(1, uncertain.length))));
  const sums = new Float64Array(draws * buckets);
  const random = seededRandom(SEED);
  const cumulative = new Float64Array(buckets);
  for (const p of uncertain) {
    let total = 0;
    for (let b = 0; b < buckets; b++) cumulative[b] = total += p.bucketChances[b]!;
    for (let d = 0; d < draws; d++) {
      const u = random();
      if (u >= total) continue;
      let b = 0;
      while (u >= cumulative[b]!) b++;
      sums[d * buckets + b]! += p.amount;
    }
  }
  const ranges: WeekRange[] = [];
  const week = new Float64Array(draws);
  for (let b = 0; b < buckets; b++) {
    for (let d = 0; d < draws; d++) week[d] = sums[d * buckets + b]!;
    week.sort();
    ranges.push({ p10: Math.round(quantile(week, 0.1)), p90: Math.round(quantile(week, 0.9)) });
  }
  return ranges;
}

/** Linear interpolation between the two nearest order statistics. */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

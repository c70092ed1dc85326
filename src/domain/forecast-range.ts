import { firstAbove } from './sorted.js';

/**
 * The expected range of each week's inflow: its 10th and 90th percentile when every invoice is paid
 * in at most one bucket, independently of the others, with its own chances per bucket (so a week's
 * inflow is a sum of independent "amount with chance p, else nothing" terms).
 *
 * Computed, per week, exactly where it matters and by the central limit theorem where it does not:
 * - the BIG_INVOICES invoices with the largest variance a²·p·(1−p) are convolved exactly on a grid
 *   of GRID_CELLS cells (a large invoice makes the distribution lumpy: a normal curve would be wrong
 *   exactly when one invoice dominates a week);
 * - all the others together are a normal curve with their summed mean and variance (each is small
 *   next to the sum, so the sum is close to normal).
 * The percentiles of the combination are found by bisection on its distribution function. With
 * 12,000 open invoices this takes milliseconds, and it is deterministic (no random draws).
 */
export interface WeekRange {
  /** Integer minor units. */
  p10: number;
  p90: number;
}

const BIG_INVOICES = 64;
const GRID_CELLS = 2048;

interface Term {
  amount: number;
  chance: number;
}

export function weeklyRanges(payments: readonly { amount: number; bucketChances: readonly number[] }[], buckets: number): WeekRange[] {
  const ranges: WeekRange[] = [];
  const amounts = new Float64Array(payments.length);
  const chances = new Float64Array(payments.length);
  const variances = new Float64Array(payments.length);
  for (let b = 0; b < buckets; b++) {
    let n = 0;
    for (const p of payments) {
      const chance = Math.min(1, p.bucketChances[b]!);
      if (!(chance > 0 && p.amount > 0)) continue;
      amounts[n] = p.amount;
      chances[n] = chance;
      variances[n] = p.amount * p.amount * chance * (1 - chance);
      n += 1;
    }
    ranges.push(weekRange(amounts.subarray(0, n), chances.subarray(0, n), variances.subarray(0, n)));
  }
  return ranges;
}

/**
 * The BIG_INVOICES terms of largest variance (convolved exactly) and the mean and variance of the rest.
 * The cut is found by a numeric sort of the variances alone, not a sort of 12,000 term objects.
 */
function splitBig(amounts: Float64Array, chances: Float64Array, variances: Float64Array): { big: Term[]; mean: number; spread: number } {
  const sorted = variances.length > BIG_INVOICES ? variances.slice().sort() : undefined;
  const threshold = sorted ? sorted[sorted.length - BIG_INVOICES]! : -Infinity;
  // Terms equal to the threshold fill what the larger ones leave, so exactly BIG_INVOICES are convolved.
  let tiesLeft = sorted ? BIG_INVOICES - (sorted.length - firstAbove(sorted, threshold)) : 0;
  const big: Term[] = [];
  let mean = 0;
  let spread = 0;
  for (let i = 0; i < amounts.length; i++) {
    const v = variances[i]!;
    if (v > threshold || (v === threshold && tiesLeft-- > 0)) big.push({ amount: amounts[i]!, chance: chances[i]! });
    else {
      mean += amounts[i]! * chances[i]!;
      spread += v;
    }
  }
  return { big, mean, spread };
}

function weekRange(amounts: Float64Array, chances: Float64Array, variances: Float64Array): WeekRange {
  if (amounts.length === 0) return { p10: 0, p90: 0 };
  const { big, mean, spread } = splitBig(amounts, chances, variances);
  const lumps = convolve(big);
  const sd = Math.sqrt(spread);
  const cells = massCells(lumps, sd);
  const cdf = (x: number) => {
    let f = 0;
    for (const cell of cells) {
      const rest = x - cell.at;
      f += cell.mass * (sd > 0 ? normalCdf((rest - mean) / sd) : rest >= mean - 1e-9 ? 1 : 0);
    }
    return f;
  };
  const top = cells.reduce((m, c) => Math.max(m, c.at), 0) + mean + 8 * sd;
  const quantile = (q: number) => Math.round(Math.min(top, Math.max(0, bisect(cdf, q, 0, top))));
  return { p10: quantile(0.1), p90: quantile(0.9) };
}

/**
 * Only the cells with mass (a sum of a few invoices leaves most of the grid empty), each at the mean of
 * the sums it holds. Cells closer together than a tenth of the normal part's spread are merged (at their
 * mean): the normal curve blurs them into one anyway, and the quantile search evaluates every cell.
 */
function massCells(lumps: { mass: Float64Array; value: Float64Array }, sd: number): { mass: number; at: number }[] {
  const cells: { mass: number; at: number }[] = [];
  const mergeWithin = sd / 10;
  let start = -Infinity;
  for (let j = 0; j < lumps.mass.length; j++) {
    const mass = lumps.mass[j]!;
    if (mass <= 1e-9) continue;
    const at = lumps.value[j]! / mass;
    const last = cells[cells.length - 1];
    if (last && at - start < mergeWithin) {
      last.at = (last.at * last.mass + at * mass) / (last.mass + mass);
      last.mass += mass;
    } else {
      cells.push({ mass, at });
      start = at;
    }
  }
  return cells;
}

/**
 * The exact distribution of a few terms on a grid: mass[j] = P(sum falls in cell j), and value[j] the
 * sum of (exact sum × probability) in it, so a cell's sums are placed at their mean, not rounded to
 * the grid (invoices that are certain add up to the cent).
 */
function convolve(terms: readonly Term[]): { mass: Float64Array; value: Float64Array } {
  const total = terms.reduce((s, t) => s + t.amount, 0);
  const cell = Math.max(1, Math.ceil(total / GRID_CELLS));
  const size = Math.ceil(total / cell) + 1;
  const mass = new Float64Array(size);
  const value = new Float64Array(size);
  mass[0] = 1;
  let reach = 0;
  for (const t of terms) {
    const shift = Math.round(t.amount / cell);
    reach = Math.min(size - 1, reach + shift);
    for (let j = reach; j >= 0; j--) {
      const from = j - shift;
      const stays = 1 - t.chance;
      mass[j] = mass[j]! * stays + (from >= 0 ? mass[from]! * t.chance : 0);
      value[j] = value[j]! * stays + (from >= 0 ? (value[from]! + mass[from]! * t.amount) * t.chance : 0);
    }
  }
  return { mass: mass.subarray(0, reach + 1), value: value.subarray(0, reach + 1) };
}

/** The smallest x (to half a minor unit, or a millionth of the span) with cdf(x) ≥ q, for a non-decreasing cdf. */
function bisect(cdf: (x: number) => number, q: number, lo: number, hi: number): number {
  if (cdf(lo) >= q - 1e-12) return lo;
  const precision = Math.max(0.5, (hi - lo) * 1e-6);
  while (hi - lo > precision) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= q - 1e-12) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Standard normal distribution function (Abramowitz and Stegun 26.2.17, error below 1e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const tail = density * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}

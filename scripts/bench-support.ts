/** Latency figures for the bench scripts. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function latencySummary(values: readonly number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
}

export function printSummary(label: string, values: readonly number[], width = 28): void {
  const { n, p50, p95, max } = latencySummary(values);
  console.log(`${label.padEnd(width)} n=${n}  p50=${p50.toFixed(1)} ms  p95=${p95.toFixed(1)} ms  max=${max.toFixed(1)} ms`);
}

/** mulberry32, shared with the forecast (src/domain/random.ts). */
export { seededRandom } from '../src/domain/random.js';

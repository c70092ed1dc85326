/**
 * How close past weekly forecasts came to what was actually collected. Pure.
 *
 * Each posted forecast is judged on its first week only (the week it is most used for): the amount
 * it expected in that week against the payments recorded in it. Per currency, over the latest
 * `maxWeeks` evaluated weeks, the error is the weighted absolute percentage error
 * Σ|actual − expected| / Σ actual, so a big week counts more than a quiet one and one week with
 * nothing collected does not divide by zero.
 */
export interface EvaluatedWeek {
  /** The forecast's slot key (ISO week), for ordering: later keys are more recent. */
  slotKey: string;
  currency: string;
  /** Minor units the forecast expected in its first week. */
  expected: number;
  /** Minor units actually collected in that week. */
  actual: number;
  /** YYYY-MM-DD: the week's first day (for the chart). */
  start?: string;
}

export interface CurrencyAccuracy {
  currency: string;
  weeks: number;
  /** Whole percent (rounded); null when nothing was collected in those weeks although something was expected. */
  withinPercent: number | null;
}

export const ACCURACY_WEEKS = 8;

export function forecastAccuracy(evaluated: readonly EvaluatedWeek[], maxWeeks = ACCURACY_WEEKS): CurrencyAccuracy[] {
  const byCurrency = new Map<string, EvaluatedWeek[]>();
  for (const w of evaluated) byCurrency.set(w.currency, [...(byCurrency.get(w.currency) ?? []), w]);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, weeks]) => {
      const recent = [...weeks].sort((a, b) => b.slotKey.localeCompare(a.slotKey)).slice(0, maxWeeks);
      const error = recent.reduce((s, w) => s + Math.abs(w.actual - w.expected), 0);
      const collected = recent.reduce((s, w) => s + w.actual, 0);
      const withinPercent = collected > 0 ? Math.round((100 * error) / collected) : error === 0 ? 0 : null;
      return { currency, weeks: recent.length, withinPercent };
    });
}

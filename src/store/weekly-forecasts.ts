import type { Queryable } from './db.js';

/** One currency of a posted weekly forecast: what it expected per week (minor units). */
export interface StoredForecastCurrency {
  currency: string;
  weeks: { start: string; end: string; expected: number }[];
}

export interface StoredWeeklyForecast {
  slotKey: string;
  slotAt: Date;
  asOf: string;
  currencies: StoredForecastCurrency[];
}

/** Stores the forecast of a slot once: the first process to post it wins, a repeat changes nothing. */
export async function saveWeeklyForecast(db: Queryable, forecast: StoredWeeklyForecast, now: Date): Promise<void> {
  await db.query(`INSERT INTO weekly_forecasts (slot_key, slot_at, as_of, currencies, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slot_key) DO NOTHING`, [
    forecast.slotKey,
    forecast.slotAt,
    forecast.asOf,
    JSON.stringify(forecast.currencies),
    now,
  ]);
}

/** The most recent stored forecasts before a slot, newest first. */
export async function weeklyForecastsBefore(db: Queryable, slotAt: Date, limit: number): Promise<StoredWeeklyForecast[]> {
  const { rows } = await db.query<{ slot_key: string; slot_at: Date; as_of: string; currencies: StoredForecastCurrency[] }>(
    `SELECT slot_key, slot_at, as_of, currencies FROM weekly_forecasts WHERE slot_at < $1 ORDER BY slot_at DESC LIMIT $2`,
    [slotAt, limit],
  );
  return rows.map((r) => ({ slotKey: r.slot_key, slotAt: r.slot_at, asOf: r.as_of, currencies: r.currencies }));
}

/** Payments recorded in [from, to), summed per currency (minor units). */
export async function collectedBetween(db: Queryable, from: Date, to: Date): Promise<Map<string, number>> {
  const { rows } = await db.query<{ currency: string; amount: number }>(
    `SELECT currency, sum(amount)::bigint AS amount FROM payments WHERE paid_at >= $1 AND paid_at < $2 GROUP BY currency`,
    [from, to],
  );
  return new Map(rows.map((r) => [r.currency.trim(), Number(r.amount)]));
}

import { buildForecast, survivalSamples, type ForecastInvoice } from '../../src/domain/forecast.js';
import { weeklyRanges } from '../../src/domain/forecast-range.js';
import { seededRandom } from '../../src/domain/random.js';
import { countPayment, detectRun, emptyRunCounts, nearestRunDay, nextRunDay, runTargets } from '../../src/domain/payment-runs.js';
import { curveFor, DEFAULT_SURVIVAL_OPTIONS, empiricalPriorStrength, fitSurvival, LATENESS_MIN, paymentOutlook, type SurvivalSample } from '../../src/domain/survival.js';

const ASOF = '2026-03-02';
const sample = (exit: number, paid: boolean, customer = 'A', weight = 1): SurvivalSample => ({ customer, entry: -30, exit, paid, weight });
/** No smoothing, no recency, no shrinkage: the hazards are plain Kaplan-Meier. */
const plain = { halfLifeDays: 1e9, priorStrength: 0, smoothingDays: 0 };
const survivalAt = (s: Float64Array, lateness: number) => s[lateness - LATENESS_MIN]!;
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x, 0);

/** An invoice of `customer` issued `terms` days before its due date, paid `late` days after it (null: open). */
const invoice = (customer: string, number: string, due: string, late: number | null, amount = 100000, terms = 30): ForecastInvoice => {
  const at = (days: number) => new Date(Date.parse(`${due}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
  return { customer, number, invoiceDate: at(-terms), dueDate: due, amount, currency: 'USD', paidDate: late === null ? null : at(late) };
};

describe('survival model', () => {
  test('without smoothing, recency or shrinkage it is Kaplan-Meier, censored invoices counted as "not paid yet"', () => {
    // Paid at lateness 0, 2, 5; one still open at lateness 1 (censored).
    const model = fitSurvival([sample(0, true), sample(1, false), sample(2, true), sample(5, true)], plain);
    const s = curveFor(model, 'A').survival;
    expect(survivalAt(s, -1)).toBe(1);
    expect(survivalAt(s, 0)).toBeCloseTo(0.75); // 1 of 4 at risk paid
    expect(survivalAt(s, 1)).toBeCloseTo(0.75); // the censored one leaves without paying
    expect(survivalAt(s, 2)).toBeCloseTo(0.375); // 1 of 2
    expect(survivalAt(s, 5)).toBeCloseTo(0.375 * 0.02); // 1 of 1, capped at 0.98
  });

  test('the outlook is conditional on being unpaid so far and its chances add up to one', () => {
    const model = fitSurvival([sample(0, true), sample(1, false), sample(2, true), sample(5, true)], plain);
    const fresh = paymentOutlook(curveFor(model, 'A'), -1, 10);
    expect(Array.from(fresh.daily.slice(0, 6)).map((p) => +p.toFixed(4))).toEqual([0.25, 0, 0.375, 0, 0, 0.3675]);
    // Unpaid through lateness 2: only the payment at 5 is left.
    const late = paymentOutlook(curveFor(model, 'A'), 2, 10);
    expect(late.daily[2]).toBeCloseTo(0.98);
    expect(sum(late.daily) + late.never).toBeCloseTo(1);
    expect(late.medianLateness).toBe(5);
  });

  test('open invoices that are long overdue make the model less sure of payment than paid history alone', () => {
    const paidOnly = Array.from({ length: 10 }, (_, i) => invoice('A', `P${i}`, `2025-0${1 + (i % 9)}-10`, 5));
    const stuck = Array.from({ length: 10 }, (_, i) => invoice('A', `S${i}`, `2025-12-0${1 + (i % 9)}`, null));
    const open = invoice('A', 'X', '2026-02-28', null);
    const chance = (rows: ForecastInvoice[]) => sum(buildForecast(rows, ASOF).payments.find((p) => p.number === 'X')!.bucketChances);
    // Unpaid 2 days after due: from paid history alone it is paid within days; the stuck ones say many never are.
    expect(chance([...paidOnly, open])).toBeGreaterThan(0.9);
    expect(chance([...paidOnly, ...stuck, open])).toBeLessThan(0.7);
  });

  test('a thin client follows the pooled curve, a client with a long history its own', () => {
    const pooled = Array.from({ length: 40 }, (_, i) => invoice(`P${i % 8}`, `P${i}`, '2025-10-01', 20));
    const thin = [invoice('Thin', 'T1', '2025-11-01', 0)];
    const thick = Array.from({ length: 12 }, (_, i) => invoice('Thick', `K${i}`, '2025-11-01', 0));
    const model = fitSurvival(survivalSamples([...pooled, ...thin, ...thick], ASOF), { ...DEFAULT_SURVIVAL_OPTIONS, priorStrength: 6 });
    const median = (customer: string) => paymentOutlook(curveFor(model, customer), -31, 200).medianLateness!;
    expect(median('Thick')).toBeLessThanOrEqual(2);
    expect(median('Thin')).toBeGreaterThanOrEqual(15);
    expect(median('Unknown')).toBeGreaterThanOrEqual(18);
  });

  test('the empirical prior: clients that differ a lot from each other get little of the pool, noisy similar ones much', () => {
    const client = (lateness: number[]) => ({ paid: lateness.length, paidSum: lateness.reduce((s, x) => s + x, 0), paidSquares: lateness.reduce((s, x) => s + x * x, 0) });
    const distinct = [client([0, 1, 2, 1]), client([20, 21, 19, 20]), client([40, 41, 39, 42])];
    const alike = [client([0, 20, 10, 5]), client([15, 2, 18, 6]), client([9, 1, 19, 12])];
    expect(empiricalPriorStrength(distinct)).toBe(0.25); // the lower bound
    expect(empiricalPriorStrength(alike)).toBe(30); // no spread between clients beyond the noise: the upper bound
    expect(empiricalPriorStrength([client([1, 2])])).toBe(30); // one client: nothing to compare
  });

  test('recent behaviour counts more than old', () => {
    // Two years ago 30 days late, lately on time.
    const old = Array.from({ length: 20 }, (_, i) => invoice('A', `O${i}`, `2024-0${1 + (i % 9)}-15`, 30));
    const recent = Array.from({ length: 6 }, (_, i) => invoice('A', `R${i}`, `2026-0${1 + (i % 2)}-0${1 + i}`, 0));
    const model = fitSurvival(survivalSamples([...old, ...recent], ASOF));
    expect(paymentOutlook(curveFor(model, 'A'), -31, 200).medianLateness).toBeLessThanOrEqual(3);
  });

  test('each invoice spreads over the weeks; the 30 days and later add up to the open and scheduled amounts', () => {
    const history = Array.from({ length: 30 }, (_, i) => invoice('A', `H${i}`, `2025-${String(1 + (i % 12)).padStart(2, '0')}-10`, (i % 4) * 5));
    const open = [invoice('A', 'X1', '2026-03-05', null, 123457), invoice('A', 'X2', '2026-02-20', null, 50001), invoice('A', 'X3', '2026-03-25', null, 99999, 10)];
    const f = buildForecast([...history, ...open], ASOF);
    const usd = f.currencies[0]!;
    expect(usd.total30d).toBe(sum(usd.weeks.map((w) => w.expected)));
    expect(usd.total30d + usd.later).toBe(123457 + 50001 + 99999);
    const x1 = f.payments.find((p) => p.number === 'X1')!;
    expect(x1.bucketChances.filter((c) => c > 0.05).length).toBeGreaterThan(1); // no single date
    // A week of small chances can have p90 below its mean (nothing comes in 9 times out of 10).
    for (const w of usd.weeks) expect(w.range.p10).toBeLessThanOrEqual(w.range.p90);
    expect(usd.weeks[0]!.range.p90).toBeGreaterThan(usd.weeks[0]!.range.p10);
  });
});

describe('weekly range', () => {
  test('one invoice with even odds: nothing or all of it; certain ones add exactly', () => {
    expect(weeklyRanges([{ amount: 1000, bucketChances: [0.5, 0] }], 2)).toEqual([
      { p10: 0, p90: 1000 },
      { p10: 0, p90: 0 },
    ]);
    expect(
      weeklyRanges(
        [
          { amount: 300, bucketChances: [0, 1] },
          { amount: 200, bucketChances: [0, 1] },
        ],
        2,
      )[1],
    ).toEqual({ p10: 500, p90: 500 });
  });

  test('many small invoices: the normal curve; one large one on top: a lumpy mixture', () => {
    const small = Array.from({ length: 400 }, () => ({ amount: 100, bucketChances: [0.5] }));
    // Mean 20,000, sd 100 * sqrt(400 * 0.25) = 1,000: p10/p90 = 20,000 -/+ 1,281.6.
    expect(weeklyRanges(small, 1)).toEqual([{ p10: 18719, p90: 21282 }]);
    // Plus 1,000.00 at even odds: p10 is the 20th percentile of the lower half (20,000 - 841.6),
    // p90 the 80th of the upper half (120,000 + 841.6).
    const [mixed] = weeklyRanges([...small, { amount: 100000, bucketChances: [0.5] }], 1);
    expect(Math.abs(mixed!.p10 - 19158)).toBeLessThanOrEqual(2);
    expect(Math.abs(mixed!.p90 - 120842)).toBeLessThanOrEqual(2);
  });

  test('a book of mixed sizes and chances: the percentiles of a 10,000-draw simulation', () => {
    const random = seededRandom(11);
    const payments = Array.from({ length: 400 }, (_, i) => ({ amount: 1000 + Math.floor(random() * (i % 50 === 0 ? 2_000_000 : 300_000)), bucketChances: [random()] }));
    const draws = new Float64Array(10_000);
    for (let d = 0; d < draws.length; d++) for (const p of payments) if (random() < p.bucketChances[0]!) draws[d]! += p.amount;
    draws.sort();
    const sd = Math.sqrt(payments.reduce((v, p) => v + p.amount ** 2 * p.bucketChances[0]! * (1 - p.bucketChances[0]!), 0));
    const [range] = weeklyRanges(payments, 1);
    // Within 5 % of a standard deviation: the simulation's own error is about 2 %.
    expect(Math.abs(range!.p10 - draws[1000]!)).toBeLessThan(0.05 * sd);
    expect(Math.abs(range!.p90 - draws[9000]!)).toBeLessThan(0.05 * sd);
  });
});

describe('payment runs', () => {
  const counted = (dates: string[]) => {
    const counts = emptyRunCounts();
    for (const d of dates) countPayment(counts, d);
    return counts;
  };

  test('found when most recent payments fall near a month end or on one weekday, not by chance', () => {
    // 2026-01-30 Fri, 02-27 Fri, 03-31 Tue, 05-01 Fri (first of the month), 05-29 Fri.
    expect(detectRun(counted(['2026-01-30', '2026-02-27', '2026-03-31', '2026-05-01', '2026-05-29', '2026-04-14']))).toEqual({ kind: 'month-end' });
    // Thursdays: 01-08, 01-22, 02-05, 02-19, 03-05 (and one Tuesday).
    expect(detectRun(counted(['2026-01-08', '2026-01-22', '2026-02-05', '2026-02-19', '2026-03-05', '2026-03-10']))).toEqual({ kind: 'weekday', weekday: 4 });
    expect(detectRun(counted(['2026-01-05', '2026-01-13', '2026-01-21', '2026-02-04', '2026-02-12', '2026-02-18']))).toBeNull();
    expect(detectRun(counted(['2026-01-30', '2026-02-27', '2026-03-31']))).toBeNull(); // too few
    // Working days only (no weekday above 70 %): 10 payments Monday to Friday; 9 are too few, 1 weekend in 10 too many.
    const weekdays = ['2026-01-05', '2026-01-13', '2026-01-21', '2026-01-29', '2026-02-06', '2026-02-09', '2026-02-17', '2026-02-25', '2026-03-05', '2026-03-13'];
    expect(detectRun(counted(weekdays))).toEqual({ kind: 'business-days' });
    expect(detectRun(counted(weekdays.slice(1)))).toBeNull();
    expect(detectRun(counted([...weekdays.slice(1), '2026-03-14']))).toBeNull(); // a Saturday
  });

  test('run days: the month end (Monday after, when it is a weekend) or the weekday; the nearest, never before the earliest', () => {
    const monthEnd = { kind: 'month-end' } as const;
    expect(nextRunDay('2026-03-10', monthEnd)).toBe('2026-03-31');
    expect(nextRunDay('2026-02-10', monthEnd)).toBe('2026-03-02'); // 02-28 is a Saturday
    expect(nearestRunDay('2026-03-10', monthEnd, '2026-01-01')).toBe('2026-03-02');
    expect(nearestRunDay('2026-03-10', monthEnd, '2026-03-05')).toBe('2026-03-31');
    expect(nearestRunDay('2026-03-16', { kind: 'weekday', weekday: 4 }, '2026-01-01')).toBe('2026-03-19');
    const workingDays = { kind: 'business-days' } as const;
    expect(nearestRunDay('2026-03-18', workingDays, '2026-01-01')).toBe('2026-03-18'); // a Wednesday stays
    expect(nearestRunDay('2026-03-14', workingDays, '2026-01-01')).toBe('2026-03-13'); // Saturday: the Friday before
    expect(nearestRunDay('2026-03-15', workingDays, '2026-01-01')).toBe('2026-03-16'); // Sunday: the Monday after
    expect(nearestRunDay('2026-03-14', workingDays, '2026-03-14')).toBe('2026-03-16'); // Friday is before the earliest
  });

  test('each day of the horizon goes to its nearest run day, never before the first day', () => {
    // 2026-03-25 .. 2026-04-03. The run window is the last 3 days of a month and the first 2 of the next
    // (03-29 .. 04-02): those stay. 03-25 .. 03-28 go to 03-31 (the run before, 03-02, is before the first
    // day), and so does 04-03 (nearer than 04-30); with 8 days, 04-03 is past the end.
    expect(Array.from(runTargets('2026-03-25', { kind: 'month-end' }, 10))).toEqual([6, 6, 6, 6, 4, 5, 6, 7, 8, 6]);
    expect(Array.from(runTargets('2026-03-25', { kind: 'weekday', weekday: 4 }, 8))).toEqual([1, 1, 1, 1, 1, 8, 8, 8]); // Thursdays 03-26 and 04-02: Sunday is nearer the one before
  });

  test('a chance just past the horizon whose nearest run day is inside it counts within the 30 days', () => {
    // Client M always pays 35 days late; its open invoice was due 2026-03-01, so its payment is expected on
    // 04-05, four days past the horizon (03-03 .. 04-01). M pays in month-end runs: the nearest run is 03-31.
    const model = fitSurvival(
      Array.from({ length: 10 }, () => sample(35, true, 'M')),
      plain,
    );
    const open = invoice('M', 'X', '2026-03-01', null);
    const runs = new Map([['M', { kind: 'month-end' } as const]]);
    const within = (withRuns: boolean) =>
      buildForecast([open], ASOF, 'survival', undefined, { survival: model, paidCount: 10, runs: withRuns ? runs : new Map() }).payments[0]!.bucketChances;
    expect(sum(within(false))).toBeCloseTo(0);
    expect(within(true)[4]).toBeGreaterThan(0.95); // the 2-day bucket 03-31 .. 04-01 (a hazard is at most 0.98)
  });
});

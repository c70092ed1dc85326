import { formatMajorWithCode, money, parseMajor, percentOf, toMajorString } from './money.js';

/**
 * A client's late fee (off unless the client has one). Amounts are minor units in the client's currency.
 *
 * - `flat`: a fixed amount each time a fee applies; `percent`: basis points of the open balance
 *   (500 = 5 %), rounded half up to the currency's minor unit.
 * - `graceDays`: days after the due date that stay free; the first fee goes with a reminder sent
 *   `graceDays` or more days after the due date (and never on or before the due date itself).
 * - `per`: `step` charges once with every reminder step sent after the grace period, `invoice` once
 *   per invoice (a waived fee is not charged again).
 * - `cap`: the most all fees of one invoice may add up to (waived fees do not count); null: no cap.
 */
export type LateFeeSettings = ({ kind: 'flat'; amount: number } | { kind: 'percent'; basisPoints: number }) & {
  graceDays: number;
  per: 'step' | 'invoice';
  cap: number | null;
};

/** A fee already added to the invoice. `stepIndex` null: a fee of a "once per invoice" setting. */
export interface AppliedFee {
  stepIndex: number | null;
  amount: number;
  waived: boolean;
}

export interface LateFeeInput {
  /** What the client still owes on the invoice itself (fees not included), minor units. */
  balance: number;
  currency: string;
  /** Business days past the due date today (negative before it). */
  daysOverdue: number;
  /** The reminder step going out now. */
  stepIndex: number;
  settings: LateFeeSettings | null | undefined;
  applied: readonly AppliedFee[];
}

export type LateFeeDecision = { add: true; amount: number; stepIndex: number | null; reason: string } | { add: false; reason: string };

/** Whether the reminder step going out now carries a late fee, and how much. Pure. */
export function decideLateFee(input: LateFeeInput): LateFeeDecision {
  const s = input.settings;
  if (!s) return { add: false, reason: 'no late fee for this client' };
  if (input.balance <= 0) return { add: false, reason: 'nothing is owed' };
  if (input.daysOverdue <= 0 || input.daysOverdue < s.graceDays)
    return { add: false, reason: `within the grace period (${Math.max(0, input.daysOverdue)} of ${s.graceDays} days past due)` };
  if (s.per === 'invoice' && input.applied.length) return { add: false, reason: 'the once-per-invoice fee was charged already' };
  if (s.per === 'step' && input.applied.some((f) => f.stepIndex === input.stepIndex)) return { add: false, reason: 'this step was charged already' };

  const full = s.kind === 'flat' ? s.amount : percentOf(money(input.balance, input.currency), s.basisPoints).amount;
  const charged = input.applied.filter((f) => !f.waived).reduce((total, f) => total + f.amount, 0);
  const room = s.cap === null ? full : Math.max(0, s.cap - charged);
  const amount = Math.min(full, room);
  if (amount <= 0) return { add: false, reason: s.cap !== null && room <= 0 ? 'the cap is reached' : 'the fee rounds to nothing' };
  const how = s.kind === 'flat' ? 'flat fee' : `${basisPointsText(s.basisPoints)} of ${formatMajorWithCode(money(input.balance, input.currency))}`;
  return { add: true, amount, stepIndex: s.per === 'step' ? input.stepIndex : null, reason: amount < full ? `${how}, capped` : how };
}

/** 500 → "5%", 125 → "1.25%": exact, no float. */
export function basisPointsText(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(bp % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}%`;
}

/**
 * Percent text as written in the clients file or the settings modal ("5", "1.25", "5%") to basis
 * points, exactly; null when it is not a percentage above 0 and at most 100 with two decimals.
 */
export function parsePercent(text: string | number): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(String(text).trim());
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp > 0 && bp <= 10_000 ? bp : null;
}

/** A late fee as written (clients file, settings modal): a percent or an amount in major units, and the rest. */
export interface LateFeeText {
  percent?: string | number;
  amount?: string | number;
  graceDays: number;
  per: 'step' | 'invoice';
  cap?: string | number | null;
}

/** The written fee in basis points and minor units of `currency`, or the field at fault and why. */
export function lateFeeFrom(t: LateFeeText, currency: string): { ok: true; fee: LateFeeSettings } | { ok: false; field: 'percent' | 'amount' | 'cap'; problem: string } {
  const positive = (value: string | number): number | string => {
    try {
      const amount = parseMajor(value, currency).amount;
      return amount > 0 ? amount : 'must be more than zero';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
  const cap = t.cap === undefined || t.cap === null || t.cap === '' ? null : positive(t.cap);
  if (typeof cap === 'string') return { ok: false, field: 'cap', problem: cap };
  const common = { graceDays: t.graceDays, per: t.per, cap };
  if (t.amount !== undefined) {
    const amount = positive(t.amount);
    return typeof amount === 'string' ? { ok: false, field: 'amount', problem: amount } : { ok: true, fee: { kind: 'flat', amount, ...common } };
  }
  const basisPoints = parsePercent(t.percent ?? '');
  if (basisPoints === null) return { ok: false, field: 'percent', problem: `"${String(t.percent ?? '')}" is not a percentage above 0 and at most 100 (two decimals at most)` };
  return { ok: true, fee: { kind: 'percent', basisPoints, ...common } };
}

/** The fee as people write it back ("5%" or "25.00"), for the settings modal. */
export function lateFeeText(fee: LateFeeSettings, currency: string): { fee: string; cap: string } {
  return {
    fee: fee.kind === 'percent' ? basisPointsText(fee.basisPoints) : toMajorString(money(fee.amount, currency)),
    cap: fee.cap === null ? '' : toMajorString(money(fee.cap, currency)),
  };
}

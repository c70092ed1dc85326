import { renderReminderEmail } from '../../src/email/templates.js';
import type { LateFeeFacts } from '../../src/email/template-fields.js';
import { invoiceView } from './blocks-fixtures.js';
import { basisPointsText, decideLateFee, parsePercent, type AppliedFee, type LateFeeInput, type LateFeeSettings } from '../../src/domain/late-fees.js';

const percent = (basisPoints: number, more: Partial<LateFeeSettings> = {}): LateFeeSettings =>
  ({ kind: 'percent', basisPoints, graceDays: 7, per: 'step', cap: null, ...more }) as LateFeeSettings;
const flat = (amount: number, more: Partial<LateFeeSettings> = {}): LateFeeSettings => ({ kind: 'flat', amount, graceDays: 7, per: 'step', cap: null, ...more }) as LateFeeSettings;
const input = (settings: LateFeeSettings | null, more: Partial<LateFeeInput> = {}): LateFeeInput => ({
  balance: 100_000,
  currency: 'USD',
  daysOverdue: 10,
  stepIndex: 1,
  settings,
  applied: [],
  ...more,
});
const fee = (stepIndex: number | null, amount: number, waived = false): AppliedFee => ({ stepIndex, amount, waived });
const amountOf = (i: LateFeeInput) => {
  const d = decideLateFee(i);
  return d.add ? d.amount : 0;
};

describe('decideLateFee', () => {
  test('off unless the client has a late fee', () => {
    expect(decideLateFee(input(null))).toEqual({ add: false, reason: 'no late fee for this client' });
  });

  test('flat: the amount as set, once per step', () => {
    expect(decideLateFee(input(flat(2500)))).toEqual({ add: true, amount: 2500, stepIndex: 1, reason: 'flat fee' });
    expect(amountOf(input(flat(2500), { applied: [fee(0, 2500)] }))).toBe(2500);
    expect(decideLateFee(input(flat(2500), { applied: [fee(1, 2500)] }))).toEqual({ add: false, reason: 'this step was charged already' });
  });

  test('percent: basis points of the open balance, rounded half up on the minor unit', () => {
    expect(decideLateFee(input(percent(500)))).toMatchObject({ add: true, amount: 5000, reason: '5% of 1,000.00 USD' });
    // 1.25 % of 10.10 = 0.12625 → 0.13; of 10.00 = 0.125 → 0.13 (half up); of 9.96 = 0.1245 → 0.12.
    expect(amountOf(input(percent(125), { balance: 1010 }))).toBe(13);
    expect(amountOf(input(percent(125), { balance: 1000 }))).toBe(13);
    expect(amountOf(input(percent(125), { balance: 996 }))).toBe(12);
    // The biggest amount duebot holds stays exact (BigInt inside).
    expect(amountOf(input(percent(333), { balance: 999_999_999_999_999 }))).toBe(33_300_000_000_000);
  });

  test('zero- and three-decimal currencies round on their own minor unit', () => {
    // ¥12,345 × 2.5 % = ¥308.625 → ¥309.
    expect(decideLateFee(input(percent(250), { balance: 12_345, currency: 'JPY' }))).toMatchObject({ add: true, amount: 309, reason: '2.5% of 12,345 JPY' });
    // 1.0005 KWD (10005 fils) × 5 % = 500.25 fils → 500.
    expect(amountOf(input(percent(500), { balance: 10_005, currency: 'KWD' }))).toBe(500);
  });

  test('grace: nothing before or on the due date, nor within the grace days; from the last grace day on', () => {
    expect(decideLateFee(input(percent(500), { daysOverdue: 3 }))).toEqual({ add: false, reason: 'within the grace period (3 of 7 days past due)' });
    expect(amountOf(input(percent(500), { daysOverdue: 6 }))).toBe(0);
    expect(amountOf(input(percent(500), { daysOverdue: 7 }))).toBe(5000);
    expect(amountOf(input(percent(500, { graceDays: 0 }), { daysOverdue: 0 }))).toBe(0);
    expect(amountOf(input(percent(500, { graceDays: 0 }), { daysOverdue: -2 }))).toBe(0);
    expect(amountOf(input(percent(500, { graceDays: 0 }), { daysOverdue: 1 }))).toBe(5000);
  });

  test('once per invoice: the first step after the grace period only, even after a waiver', () => {
    const once = percent(500, { per: 'invoice' });
    expect(decideLateFee(input(once))).toMatchObject({ add: true, amount: 5000, stepIndex: null });
    expect(decideLateFee(input(once, { applied: [fee(null, 5000)] }))).toEqual({ add: false, reason: 'the once-per-invoice fee was charged already' });
    expect(amountOf(input(once, { applied: [fee(null, 5000, true)] }))).toBe(0);
  });

  test('cap: the last fee is cut to what is left; waived fees do not count', () => {
    const capped = flat(4000, { cap: 10_000 });
    expect(amountOf(input(capped, { applied: [fee(0, 4000)] }))).toBe(4000);
    expect(decideLateFee(input(capped, { stepIndex: 2, applied: [fee(0, 4000), fee(1, 4000)] }))).toEqual({
      add: true,
      amount: 2000,
      stepIndex: 2,
      reason: 'flat fee, capped',
    });
    expect(decideLateFee(input(capped, { stepIndex: 3, applied: [fee(0, 4000), fee(1, 4000), fee(2, 2000)] }))).toEqual({ add: false, reason: 'the cap is reached' });
    expect(amountOf(input(capped, { stepIndex: 3, applied: [fee(0, 4000, true), fee(1, 4000), fee(2, 2000)] }))).toBe(4000);
  });

  test('nothing owed, or a fee that rounds to nothing, adds nothing', () => {
    expect(decideLateFee(input(percent(500), { balance: 0 }))).toEqual({ add: false, reason: 'nothing is owed' });
    expect(decideLateFee(input(percent(1), { balance: 40 }))).toEqual({ add: false, reason: 'the fee rounds to nothing' });
  });
});

describe('percent text', () => {
  test('parsePercent: exact basis points, at most two decimals, above 0 and at most 100', () => {
    expect(parsePercent('5')).toBe(500);
    expect(parsePercent('5%')).toBe(500);
    expect(parsePercent(1.25)).toBe(125);
    expect(parsePercent('0.5')).toBe(50);
    expect(parsePercent('100')).toBe(10_000);
    for (const bad of ['0', '100.01', '1.234', '-5', '5e1', 'five', '']) expect(parsePercent(bad)).toBeNull();
  });

  test('basisPointsText', () => {
    expect([500, 125, 50, 10_000, 1].map(basisPointsText)).toEqual(['5%', '1.25%', '0.5%', '100%', '0.01%']);
  });
});

describe('late fee in the shipped reminder wording', () => {
  const ctx = { businessName: 'Pixel & Co', timezone: 'UTC' };
  const view = invoiceView({ total: 100_000, amountPaid: 0, dueDate: '2026-12-02', paymentUrl: 'https://pay.example/i/1' });
  const firm = (lateFees?: LateFeeFacts) => renderReminderEmail(view, 'firm', ctx, { today: '2026-12-10', finalMode: 'pause', stepNumber: 2, ...(lateFees ? { lateFees } : {}) });

  test('without a fee nothing is said of one', () => {
    expect(firm().text).not.toMatch(/late fee|now due/i);
    expect(firm({ open: 0, added: 0, link: null }).text).toBe(firm().text);
  });

  test('with open fees: the fee, its own payment link and the total now due, in text and HTML', () => {
    const email = firm({ open: 5000, added: 5000, link: 'https://pay.example/f1' });
    expect(email.text).toContain('Amount due: $1,000.00');
    expect(email.text).toContain('Late fee: $50.00 (its own invoice, pay it here: https://pay.example/f1)\nTotal now due: $1,050.00');
    expect(email.html).toContain('Total now due: $1,050.00');
    // A link that is not a web link is left out, never rendered.
    expect(firm({ open: 5000, added: 0, link: 'javascript:alert(1)' }).text).toContain('Late fee: $50.00\nTotal now due: $1,050.00');
  });

  test('in the client’s language: German wording and formats for the fee and the new total', () => {
    const email = renderReminderEmail(
      view,
      'firm',
      { ...ctx, locale: 'de' },
      { today: '2026-12-10', finalMode: 'pause', stepNumber: 2, lateFees: { open: 5000, added: 5000, link: null } },
    );
    expect(email.text.replace(/\s/g, ' ')).toContain('Verzugsgebühr: 50,00 $ Jetzt insgesamt fällig: 1.050,00 $');
    for (const locale of ['fr', 'es', 'nl'] as const) {
      const text = renderReminderEmail(
        view,
        'firm',
        { ...ctx, locale },
        { today: '2026-12-10', finalMode: 'pause', stepNumber: 2, lateFees: { open: 5000, added: 5000, link: null } },
      ).text;
      expect(text.replace(/\s/g, ' ')).toMatch(/50,00 .*1.?050,00 /s);
    }
  });
});

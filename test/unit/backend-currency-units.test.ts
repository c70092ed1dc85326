import { rescaleExact, rescaleRounded, decimalAmount } from '../../src/providers/invoicing/currency-units.js';
import { fromStripeAmount, stripeExponent, toStripeAmount } from '../../src/providers/invoicing/stripe-currency.js';
import { fromQuickBooksAmount, toQuickBooksAmount, toQuickBooksUnitPrice } from '../../src/providers/invoicing/quickbooks-currency.js';
import { fromFreshBooksAmount, toFreshBooksAmount } from '../../src/providers/invoicing/freshbooks-currency.js';
import { BackendError } from '../../src/providers/invoicing/errors.js';

/** Each back-end's own exponent table and conversion, from duebot's ISO 4217 minor units and back. */
describe('shared arithmetic', () => {
  test('rescaling is exact or says it is not', () => {
    expect(rescaleExact(1500, 0, 2)).toBe(150000);
    expect(rescaleExact(150000, 2, 0)).toBe(1500);
    expect(rescaleExact(150050, 2, 0)).toBeNull();
    expect(rescaleExact(-1250, 3, 2)).toBe(-125);
  });
  test('rounding (only for amounts a back-end computed) is half away from zero', () => {
    expect(rescaleRounded(150050, 2, 0)).toBe(1501);
    expect(rescaleRounded(150049, 2, 0)).toBe(1500);
    expect(rescaleRounded(-150050, 2, 0)).toBe(-1501);
  });
  test('decimal back-ends get the currency decimals cut to what they keep', () => {
    expect(decimalAmount('X', 2, 1250, 'KWD')).toBe('1.25');
    expect(decimalAmount('X', 2, 5, 'USD')).toBe('0.05');
    expect(decimalAmount('X', 2, -1250, 'KWD')).toBe('-1.25');
    expect(() => decimalAmount('X', 2, 1255, 'KWD')).toThrow(/1\.255 KWD cannot be sent to X exactly: X keeps 2 decimals of KWD/);
  });
});

describe('Stripe', () => {
  test.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['MGA', 0],
    ['ISK', 2],
    ['HUF', 2],
    ['TWD', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['XOF', 0],
    ['UGX', 0],
    ['KRW', 0],
  ])('%s has %i decimals at Stripe', (currency, exp) => {
    expect(stripeExponent(currency)).toBe(exp);
  });

  test.each([
    // [currency, duebot minor units (ISO), Stripe amount]
    ['USD', 150000, 150000],
    ['EUR', 98050, 98050],
    ['JPY', 150000, 150000],
    ['ISK', 1500, 150000],
    ['MGA', 150000, 1500],
    ['KWD', 1250, 1250],
    ['HUF', 150000, 150000],
  ])('%s %i ↔ Stripe %i', (currency, minor, stripe) => {
    expect(toStripeAmount(minor, currency)).toBe(stripe);
    expect(fromStripeAmount(stripe, currency)).toBe(minor);
  });

  test('amounts Stripe cannot hold are refused with a reason, not rounded', () => {
    const kwd = (() => {
      try {
        toStripeAmount(1255, 'KWD');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(kwd).toBeInstanceOf(BackendError);
    expect(kwd).toMatchObject({ code: 'invalid', retryable: false, message: expect.stringContaining('the last of the three KWD decimals to be 0') });
    expect(() => toStripeAmount(150050, 'MGA')).toThrow(/1,500\.50 MGA cannot be sent to Stripe exactly: Stripe takes MGA with 0 decimals/);
    expect(() => toStripeAmount(1001, 'TND')).toThrow(BackendError);
  });

  test('a Stripe amount below duebot unit (ISK cents) reads back rounded', () => {
    expect(fromStripeAmount(150050, 'ISK')).toBe(1501);
  });
});

describe('QuickBooks (JSON numbers, two decimals kept)', () => {
  test.each([
    ['USD', 150000, 1500],
    ['EUR', 98050, 980.5],
    ['JPY', 150000, 150000],
    ['ISK', 1500, 1500],
    ['MGA', 150000, 1500],
    ['KWD', 1250, 1.25],
  ])('%s %i ↔ %d', (currency, minor, qbo) => {
    expect(toQuickBooksAmount(minor, currency)).toBe(qbo);
    expect(fromQuickBooksAmount(qbo, currency)).toBe(minor);
  });
  test('a third KWD decimal is refused (QuickBooks would round it); unit prices keep it', () => {
    expect(() => toQuickBooksAmount(1255, 'KWD')).toThrow(/QuickBooks keeps 2 decimals of KWD/);
    expect(toQuickBooksUnitPrice(1255, 'KWD')).toBe(1.255);
  });
});

describe('FreshBooks (decimal strings, two decimals kept)', () => {
  test.each([
    ['USD', 150000, '1500.00'],
    ['EUR', 98050, '980.50'],
    ['JPY', 150000, '150000'],
    ['ISK', 1500, '1500'],
    ['MGA', 150000, '1500.00'],
    ['KWD', 1250, '1.25'],
  ])('%s %i ↔ "%s"', (currency, minor, fb) => {
    expect(toFreshBooksAmount(minor, currency)).toBe(fb);
    expect(fromFreshBooksAmount(fb, currency)).toBe(minor);
  });
  test('FreshBooks answers with two decimals whatever the currency: read back exactly', () => {
    expect(fromFreshBooksAmount('150000.00', 'JPY')).toBe(150000);
    expect(fromFreshBooksAmount('1.25', 'KWD')).toBe(1250);
    expect(() => toFreshBooksAmount(1255, 'KWD')).toThrow(/FreshBooks keeps 2 decimals of KWD/);
  });
});

import { DEFAULT_INVOICE_AMOUNT_CEILING, invoiceCeiling, overCeilingReason } from '../../src/domain/amount-ceiling.js';
import { money } from '../../src/domain/money.js';

describe('per-invoice ceiling', () => {
  test('the business ceiling is whole major units of the invoice currency (default 1,000,000)', () => {
    expect(DEFAULT_INVOICE_AMOUNT_CEILING).toBe('1000000');
    expect(invoiceCeiling('USD')).toEqual(money(100_000_000, 'USD'));
    expect(invoiceCeiling('JPY', '5000000')).toEqual(money(5_000_000, 'JPY'));
    expect(invoiceCeiling('KWD', '1000')).toEqual(money(1_000_000, 'KWD'));
  });

  test("a client's own ceiling (minor units) wins over the business one", () => {
    expect(invoiceCeiling('EUR', '1000000', 500_000)).toEqual(money(500_000, 'EUR'));
    expect(invoiceCeiling('EUR', '1000000', null)).toEqual(money(100_000_000, 'EUR'));
  });

  test('only a total above the ceiling is held, with the reason a person reads', () => {
    const ceiling = invoiceCeiling('USD');
    expect(overCeilingReason(money(100_000_000, 'USD'), ceiling)).toBeNull();
    expect(overCeilingReason(money(100_000_001, 'USD'), ceiling)).toBe('over the 1,000,000.00 USD ceiling: check the amount');
    expect(overCeilingReason(money(200_000_000, 'USD'), ceiling)).toBe('over the 1,000,000.00 USD ceiling: check the amount');
  });
});

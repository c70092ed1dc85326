import { invoiceNinjaCredits } from '../../src/providers/invoicing/invoiceninja.js';
import { currencyTable, fromInvoiceNinjaAmount, toInvoiceNinjaAmount } from '../../src/providers/invoicing/invoiceninja-currency.js';

/** Invoice Ninja applies credits through payments: what of a payment is credit, per invoice. */
describe('invoiceNinjaCredits', () => {
  test('credits of one payment cover its invoice rows in order; the rest is money', () => {
    const payments = [
      {
        id: 'p1',
        paymentables: [
          { invoice_id: 'A', amount: 100, refunded: 0 },
          { invoice_id: 'B', amount: 50, refunded: 0 },
          { credit_id: 'C1', amount: 120, refunded: 0 },
        ],
      },
    ];
    expect(invoiceNinjaCredits('A', payments, 'USD')).toEqual([{ id: 'C1', amount: 10000 }]);
    expect(invoiceNinjaCredits('B', payments, 'USD')).toEqual([{ id: 'C1', amount: 2000 }]);
  });

  test('deleted payments count for nothing; refunds lower what was applied; plain payments are no credit', () => {
    const payments = [
      {
        id: 'p1',
        is_deleted: true,
        paymentables: [
          { invoice_id: 'A', amount: 40 },
          { credit_id: 'C1', amount: 40 },
        ],
      },
      {
        id: 'p2',
        paymentables: [
          { invoice_id: 'A', amount: 30, refunded: 10 },
          { credit_id: 'C2', amount: 30, refunded: 10 },
        ],
      },
      { id: 'p3', paymentables: [{ invoice_id: 'A', amount: 500 }] },
    ];
    expect(invoiceNinjaCredits('A', payments, 'USD')).toEqual([{ id: 'C2', amount: 2000 }]);
  });
});

describe('Invoice Ninja currency units', () => {
  const { byCode } = currencyTable([
    { id: 1, code: 'USD', precision: '2' },
    { id: 45, code: 'JPY', precision: '0' },
    { id: 89, code: 'KWD', precision: '3' },
    { id: 77, code: 'BHD', precision: '2' },
    { id: 99, code: 'bad', precision: 'x' },
  ]);
  test('its own precision decides what can be sent exactly', () => {
    expect(toInvoiceNinjaAmount(150050, byCode.get('USD')!)).toBe(1500.5);
    expect(toInvoiceNinjaAmount(1500, byCode.get('JPY')!)).toBe(1500);
    expect(toInvoiceNinjaAmount(1255, byCode.get('KWD')!)).toBe(1.255);
    expect(() => toInvoiceNinjaAmount(1255, byCode.get('BHD')!)).toThrow(/1\.255 BHD cannot be sent to Invoice Ninja exactly/);
    expect(byCode.has('BAD')).toBe(false);
  });
  test('amounts it computed read back in ISO minor units, float noise cut', () => {
    expect(fromInvoiceNinjaAmount(0.1 + 0.2, 'USD')).toBe(30);
    expect(fromInvoiceNinjaAmount(123.75, 'USD')).toBe(12375);
    expect(fromInvoiceNinjaAmount(1.25, 'BHD')).toBe(1250);
    expect(fromInvoiceNinjaAmount(undefined, 'USD')).toBe(0);
  });
});

import { unrecordedCredits } from '../../src/domain/backend-credits.js';
import { quickbooksApplied } from '../../src/providers/invoicing/quickbooks.js';
import { freshbooksCredits } from '../../src/providers/invoicing/freshbooks.js';

const none = { total: 0, ids: new Set<string>() };

describe('unrecordedCredits: a back-end credit counts once', () => {
  test('credits listed one by one: the new ones, by id', () => {
    const shown = {
      amountCredited: 700,
      credits: [
        { id: 'cn_1', amount: 400 },
        { id: 'cn_2', amount: 300 },
      ],
    };
    expect(unrecordedCredits(shown, none, 10_000)).toEqual([
      { backendCreditId: 'cn_1', amount: 400 },
      { backendCreditId: 'cn_2', amount: 300 },
    ]);
    expect(unrecordedCredits(shown, { total: 400, ids: new Set(['cn_1']) }, 10_000)).toEqual([{ backendCreditId: 'cn_2', amount: 300 }]);
    expect(unrecordedCredits(shown, { total: 700, ids: new Set(['cn_1', 'cn_2']) }, 10_000)).toEqual([]);
  });

  test('a credit recorded without its id (before ids were kept) is not taken for a new one: the totals decide', () => {
    const shown = {
      amountCredited: 700,
      credits: [
        { id: 'cn_old', amount: 400 },
        { id: 'cn_new', amount: 300 },
      ],
    };
    expect(unrecordedCredits(shown, { total: 400, ids: new Set() }, 10_000)).toEqual([{ backendCreditId: 'cn_new', amount: 300 }]);
    expect(unrecordedCredits(shown, { total: 700, ids: new Set() }, 10_000)).toEqual([]);
  });

  test('never more than the open balance; nothing when the back-end shows less than recorded', () => {
    expect(unrecordedCredits({ amountCredited: 500, credits: [{ id: 'a', amount: 500 }] }, none, 300)).toEqual([]);
    expect(unrecordedCredits({ amountCredited: 100, credits: [] }, { total: 400, ids: new Set(['x']) }, 10_000)).toEqual([]);
  });

  test('not listed one by one: keyed by the cumulative total', () => {
    expect(unrecordedCredits({ amountCredited: 500 }, { total: 200, ids: new Set() }, 10_000)).toEqual([{ backendCreditId: 'total:500', amount: 300 }]);
  });
});

describe('QuickBooks: what was applied, split into money and credits', () => {
  const inv = (id: string) => ({ TxnId: id, TxnType: 'Invoice' });
  const memo = (id: string) => ({ TxnId: id, TxnType: 'CreditMemo' });

  test('a $0 payment applying a memo is all credit; a cash payment all money', () => {
    const zero = {
      Id: '7',
      TotalAmt: 0,
      Line: [
        { Amount: 400, LinkedTxn: [inv('130')] },
        { Amount: 400, LinkedTxn: [memo('90')] },
      ],
    };
    const cash = { Id: '8', TotalAmt: 300, Line: [{ Amount: 300, LinkedTxn: [inv('130')] }] };
    expect(quickbooksApplied('130', 70000, [zero, cash], [], 'USD')).toEqual({ paid: 30000, credits: [{ id: 'Payment/7', amount: 40000 }] });
  });

  test('a mixed payment over two invoices: its memo covers the invoice lines first, in line order', () => {
    const mixed = {
      Id: '9',
      TotalAmt: 700,
      Line: [
        { Amount: 500, LinkedTxn: [inv('131')] },
        { Amount: 400, LinkedTxn: [inv('130')] },
        { Amount: 200, LinkedTxn: [memo('91')] },
      ],
    };
    expect(quickbooksApplied('131', 50000, [mixed], [], 'USD')).toEqual({ paid: 30000, credits: [{ id: 'Payment/9', amount: 20000 }] });
    expect(quickbooksApplied('130', 40000, [mixed], [], 'USD')).toEqual({ paid: 40000, credits: [] });
  });

  test('a memo linked to the invoice directly covers what no payment explains', () => {
    expect(quickbooksApplied('130', 25000, [], [{ Id: '92', TotalAmt: 250 }], 'USD')).toEqual({ paid: 0, credits: [{ id: 'CreditMemo/92', amount: 25000 }] });
  });
});

test('FreshBooks: "Credit" payments (not deleted) are credits, the others money', () => {
  const payments = [
    { id: 1, type: 'Check', amount: { amount: '100.00', code: 'USD' }, visState: 0 },
    { id: 2, type: 'Credit', amount: { amount: '40.00', code: 'USD' }, visState: 0 },
    { id: 3, type: 'Credit', amount: { amount: '10.00', code: 'USD' }, visState: 1 },
    { id: 4, type: 'Other', fromCredit: true, amount: { amount: '5.00', code: 'USD' }, visState: 0 },
  ];
  expect(freshbooksCredits(payments, 'USD')).toEqual([
    { id: '2', amount: 4000 },
    { id: '4', amount: 500 },
  ]);
});

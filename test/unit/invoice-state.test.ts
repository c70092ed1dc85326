import { InvalidTransitionError, formatInvoiceNumber, isOpen, isSettled, line, nextStatus, totalOf } from '../../src/domain/invoice.js';
import type { InvoiceStatus } from '../../src/domain/types.js';

describe('invoice state machine', () => {
  test('a draft is approved, sent, then paid in full', () => {
    let s: InvoiceStatus = 'draft';
    s = nextStatus(s, { type: 'approve' });
    expect(s).toBe('approved');
    s = nextStatus(s, { type: 'markSent' });
    expect(s).toBe('sent');
    s = nextStatus(s, { type: 'recordPayment', amountPaid: 50000, total: 150000 });
    expect(s).toBe('partially_paid');
    s = nextStatus(s, { type: 'recordPayment', amountPaid: 150000, total: 150000 });
    expect(s).toBe('paid');
  });

  test('only drafts can be approved, edited or discarded', () => {
    expect(nextStatus('draft', { type: 'discard' })).toBe('discarded');
    expect(nextStatus('draft', { type: 'edit' })).toBe('draft');
    for (const from of ['approved', 'sent', 'paid', 'discarded', 'void'] as InvoiceStatus[]) {
      expect(() => nextStatus(from, { type: 'approve' })).toThrow(InvalidTransitionError);
      expect(() => nextStatus(from, { type: 'edit' })).toThrow(/cannot edit/);
      expect(() => nextStatus(from, { type: 'discard' })).toThrow(InvalidTransitionError);
    }
  });

  test('a stale smaller payment snapshot never un-pays an invoice', () => {
    expect(nextStatus('paid', { type: 'recordPayment', amountPaid: 100, total: 150000 })).toBe('paid');
    expect(nextStatus('paid', { type: 'recordPayment', amountPaid: 150000, total: 150000 })).toBe('paid');
  });

  test('a payment that arrives before the sent bookkeeping still counts', () => {
    expect(nextStatus('approved', { type: 'recordPayment', amountPaid: 150000, total: 150000 })).toBe('paid');
    expect(nextStatus('approved', { type: 'recordPayment', amountPaid: 0, total: 150000 })).toBe('approved');
  });

  test('payments cannot land on drafts or discarded invoices', () => {
    expect(() => nextStatus('draft', { type: 'recordPayment', amountPaid: 1, total: 2 })).toThrow(InvalidTransitionError);
    expect(() => nextStatus('discarded', { type: 'recordPayment', amountPaid: 1, total: 2 })).toThrow(InvalidTransitionError);
  });

  test('void and uncollectible', () => {
    expect(nextStatus('sent', { type: 'void' })).toBe('void');
    expect(nextStatus('void', { type: 'void' })).toBe('void');
    expect(nextStatus('partially_paid', { type: 'markUncollectible' })).toBe('uncollectible');
    expect(nextStatus('uncollectible', { type: 'void' })).toBe('void');
    expect(() => nextStatus('paid', { type: 'void' })).toThrow(InvalidTransitionError);
    expect(() => nextStatus('draft', { type: 'markUncollectible' })).toThrow(InvalidTransitionError);
  });

  test('open and settled', () => {
    expect(isOpen('sent')).toBe(true);
    expect(isOpen('partially_paid')).toBe(true);
    expect(isOpen('draft')).toBe(false);
    expect(isSettled('paid')).toBe(true);
    expect(isSettled('credited')).toBe(true);
    expect(isSettled('sent')).toBe(false);
  });

  test('lines and totals are exact', () => {
    const lines = [line('Design', '2.5', 15000, 'USD'), line('Build', '1', 120000, 'USD'), line('Fix', '0.333', 10000, 'USD')];
    expect(lines.map((l) => l.amount)).toEqual([37500, 120000, 3330]);
    expect(totalOf(lines, 'USD')).toBe(160830);
    expect(totalOf([], 'USD')).toBe(0);
  });

  test('numbers are zero padded with the prefix', () => {
    expect(formatInvoiceNumber('INV-', 42)).toBe('INV-0042');
    expect(formatInvoiceNumber('ACME-', 12345)).toBe('ACME-12345');
  });
});

import type { ContextBlock, HeaderBlock, SectionBlock } from '@slack/types';
import { agingMessage } from '../../blocks/aging.js';
import { messageProblems } from '../../blocks/limits.js';
import { buildAgingReport } from '../../src/domain/aging.js';
import type { AgingInput } from '../../src/domain/aging.js';
import type { AgingReport } from '../../src/domain/types.js';

const TZ = 'Europe/Berlin';
const NOW = new Date('2026-12-20T10:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const sections = (blocks: ReturnType<typeof agingMessage>['blocks']) => blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text!.text);

function invoice(number: string, clientName: string, currency: string, total: number, sentDaysAgo: number, dueDate: string, amountPaid = 0): AgingInput {
  return { number, clientName, currency, total, amountPaid, status: amountPaid ? 'partially_paid' : 'sent', sentAt: daysAgo(sentDaysAgo), dueDate };
}

describe('agingMessage with two currencies', () => {
  const report = buildAgingReport(
    [
      invoice('INV-0001', 'Acme Corp', 'USD', 150000, 3, '2027-01-02'),
      invoice('INV-0002', 'Beta GmbH', 'EUR', 98000, 5, '2027-01-04'),
      invoice('INV-0003', 'Acme Corp', 'USD', 200000, 20, '2026-12-10', 50000),
      invoice('INV-0004', 'Gamma & Sons', 'EUR', 40000, 45, '2026-11-20'),
      invoice('INV-0005', 'Paid Ltd', 'USD', 10000, 40, '2026-11-30', 10000),
    ],
    NOW,
    TZ,
  );
  const message = agingMessage(report, { timezone: TZ });
  const [table, overdue] = sections(message.blocks);

  test('header with the date', () => {
    expect((message.blocks[0] as HeaderBlock).text.text).toBe('Receivables aging · Dec 20, 2026');
  });

  test('one row per bucket; a bucket with several currencies lists each; empty buckets say none', () => {
    expect(table!.split('\n')).toEqual([
      '*4 open invoices* · €1,380.00 · $3,000.00',
      '_By days since sending:_',
      '*0-7 days* — 2 invoices · €980.00 · $1,500.00',
      '*8-14 days* — none',
      '*15-30 days* — 1 invoice · $1,500.00',
      '*30+ days* — 1 invoice · €400.00',
    ]);
  });

  test('largest overdue first, with number, client, balance and days overdue', () => {
    expect(overdue!.split('\n')).toEqual([
      '*Largest overdue*',
      '• *INV-0003* · Acme Corp · $1,500.00 · 10 days overdue',
      '• *INV-0004* · Gamma &amp; Sons · €400.00 · 30 days overdue',
    ]);
  });

  test('text fallback summarises every bucket; limits hold', () => {
    expect(message.text).toBe(
      'Receivables aging as of Dec 20, 2026: 4 open invoices, €1,380.00 · $3,000.00. 0-7: 2 (€980.00 · $1,500.00), 8-14: 0, 15-30: 1 ($1,500.00), 30+: 1 (€400.00)',
    );
    expect(messageProblems(message)).toEqual([]);
  });
});

test('nothing open: one friendly line', () => {
  const message = agingMessage(buildAgingReport([], NOW, TZ), { timezone: TZ });
  expect(message.text).toBe(':tada: Nothing open as of Dec 20, 2026: every invoice sent has been paid.');
  expect(message.blocks).toHaveLength(1);
  expect(messageProblems(message)).toEqual([]);
});

test('open but nothing overdue says so', () => {
  const message = agingMessage(buildAgingReport([invoice('INV-0001', 'Acme', 'USD', 1000, 2, '2027-01-01')], NOW, TZ), { timezone: TZ });
  const contexts = message.blocks.filter((b): b is ContextBlock => b.type === 'context');
  expect(JSON.stringify(contexts)).toContain('Nothing is past its due date.');
  expect(JSON.stringify(message.blocks)).not.toContain('Largest overdue');
});

test('long client names and many currencies stay within limits', () => {
  const report: AgingReport = {
    asOf: NOW,
    openCount: 500,
    buckets: (['0-7', '8-14', '15-30', '30+'] as const).map((label) => ({
      label,
      count: 125,
      totals: ['AUD', 'CAD', 'CHF', 'EUR', 'GBP', 'JPY', 'NZD', 'SEK', 'USD'].map((currency) => ({ currency, amount: 123456789 })),
    })),
    largestOverdue: Array.from({ length: 5 }, (_, i) => ({ number: `INV-${i}`, clientName: 'X'.repeat(1000), currency: 'USD', balance: 1000, daysOverdue: 99 })),
  };
  const message = agingMessage(report, { timezone: TZ });
  expect(messageProblems(message)).toEqual([]);
  expect(sections(message.blocks)[0]).toContain('¥123,456,789');
});

import type { HeaderBlock, SectionBlock } from '@slack/types';
import { clientSummaryMessage, stepLabel } from '../../blocks/client-summary.js';
import { clientStats } from '../../src/domain/client-stats.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import { messageProblems } from '../../blocks/limits.js';

const acme: Client = {
  id: 'acme',
  name: 'Acme Ltd',
  emails: ['ap@acme.example', 'cfo@acme.example'],
  currency: 'USD',
  paymentTermsDays: 7,
  provider: 'stripe',
  asanaProjectGids: ['1200'],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause',
  autoSend: false,
};
const sent = new Date('2026-11-01T10:00:00Z');
const at = (days: number) => new Date(sent.getTime() + days * 86_400_000);

test('stats: open balance per currency, overdue count, mean days to pay of the paid ones', () => {
  const stats = clientStats(
    [
      { status: 'sent', currency: 'USD', total: 100_000, amountPaid: 0, dueDate: '2026-11-08', sentAt: sent, paidAt: null },
      { status: 'partially_paid', currency: 'USD', total: 50_000, amountPaid: 20_000, dueDate: '2026-12-30', sentAt: sent, paidAt: null },
      { status: 'sent', currency: 'EUR', total: 7_500, amountPaid: 0, dueDate: '2026-12-30', sentAt: sent, paidAt: null },
      { status: 'paid', currency: 'USD', total: 10_000, amountPaid: 10_000, dueDate: '2026-11-08', sentAt: sent, paidAt: at(3) },
      { status: 'paid', currency: 'USD', total: 10_000, amountPaid: 10_000, dueDate: '2026-11-08', sentAt: sent, paidAt: at(10) },
    ],
    '2026-11-20',
  );
  expect(stats).toEqual({
    openBalances: [
      { currency: 'EUR', amount: 7_500 },
      { currency: 'USD', amount: 130_000 },
    ],
    openCount: 3,
    overdueCount: 1,
    averageDaysToPay: 6.5,
    paidCount: 2,
  });
  expect(clientStats([], '2026-11-20')).toEqual({ openBalances: [], openCount: 0, overdueCount: 0, averageDaysToPay: null, paidCount: 0 });
});

test('the summary shows contacts, terms, provider, schedule, final mode, auto-send and the numbers', () => {
  const stats = {
    openBalances: [
      { currency: 'EUR', amount: 7_500 },
      { currency: 'USD', amount: 130_000 },
    ],
    openCount: 3,
    overdueCount: 1,
    averageDaysToPay: 6.5,
    paidCount: 2,
  };
  const message = clientSummaryMessage(acme, stats);
  expect((message.blocks[0] as HeaderBlock).text.text).toBe('Acme Ltd');
  const fields = message.blocks.flatMap((b) => ((b as SectionBlock).fields ?? []).map((f) => f.text));
  expect(fields).toEqual([
    '*Contacts*\nap@acme.example, cfo@acme.example',
    '*Terms*\nNet 7 days, USD',
    '*Provider*\nStripe',
    '*Final mode*\npause: the final notice says work is paused; the owner gets a task and a DM',
    '*Auto-send*\nOff: approvers send each draft',
    '*Reminder schedule*\n• Day 7 after sending: friendly reminder\n• Day 14 after sending: past-due notice\n• Day 30 after sending: final notice',
    '*Open balance*\n€75.00 · $1,300.00 (3 invoices)',
    '*Overdue*\n1 invoice',
    '*Average days to pay*\n6.5 days (2 paid invoices)',
  ]);
  expect(message.text).toBe('Acme Ltd: €75.00 · $1,300.00 open, 1 overdue');
  expect(messageProblems(message)).toEqual([]);
  expect(stepLabel({ day: -3, from: 'due', tone: 'friendly' })).toBe('3 days before due: friendly reminder');
  expect(stepLabel({ day: 0, from: 'due', tone: 'firm' })).toBe('On the due date: past-due notice');
});

test('huge or hostile client data stays within Block Kit limits and escaped', () => {
  const big: Client = {
    ...acme,
    id: 'x'.repeat(500),
    name: '<!channel> ' + 'N'.repeat(500),
    emails: Array.from({ length: 400 }, (_, i) => `person${i}@a-very-long-domain-name.example`),
    reminderSchedule: Array.from({ length: 200 }, (_, i) => ({ day: i + 1, from: 'delivery' as const, tone: 'friendly' as const })),
  };
  const stats = {
    openBalances: Array.from({ length: 150 }, (_, i) => ({ currency: i % 2 ? 'USD' : 'EUR', amount: 999_999_999_99 })),
    openCount: 150,
    overdueCount: 150,
    averageDaysToPay: 123.4,
    paidCount: 9999,
  };
  const message = clientSummaryMessage(big, stats);
  expect(messageProblems(message)).toEqual([]);
  // The header is plain text (Slack never parses mentions there); mrkdwn parts and the fallback are escaped.
  expect(JSON.stringify([message.text, ...message.blocks.slice(1)])).not.toContain('<!channel>');
  expect(message.text).toMatch(/^&lt;!channel&gt; N+/);
});

import type { SectionBlock } from '@slack/types';
import {
  editedNote,
  escalationNote,
  finalNoticePauseNote,
  invoiceSentNote,
  ownerEscalationDm,
  paymentNote,
  reminderSentNote,
  reminderSkippedNote,
  statusChangeNote,
  unknownOutcomeNote,
} from '../../blocks/thread.js';
import type { ThreadPost } from '../../blocks/thread.js';
import { messageProblems } from '../../blocks/limits.js';

const TZ = 'America/Los_Angeles';
const body = (p: ThreadPost) => (p.blocks?.[0] as SectionBlock).text!.text;

function expectValid(p: ThreadPost): void {
  expect(p.text.trim()).not.toBe('');
  expect(body(p)).toBe(p.text);
  expect(messageProblems(p)).toEqual([]);
}

describe('paymentNote', () => {
  const base = { amount: 150000, currency: 'USD', daysAfterSending: 10, fullyPaid: true, balance: 0, timezone: TZ };

  test('full payment reads "Paid $1,500.00 on Dec 3, 2026 — 10 days after sending"', () => {
    // 02:00 UTC on Dec 4 is still Dec 3 in Los Angeles.
    const note = paymentNote({ ...base, paidAt: new Date('2026-12-04T02:00:00Z') });
    expect(note.text).toBe(':white_check_mark: Paid $1,500.00 on Dec 3, 2026 — 10 days after sending. Reminders stopped.');
    expectValid(note);
  });

  test('one day, and the same day', () => {
    expect(paymentNote({ ...base, paidAt: new Date('2026-12-03T20:00:00Z'), daysAfterSending: 1 }).text).toContain('— 1 day after sending');
    expect(paymentNote({ ...base, paidAt: new Date('2026-12-03T20:00:00Z'), daysAfterSending: 0 }).text).toContain('— the day it was sent');
  });

  test('partial payment names what is still open', () => {
    const note = paymentNote({ ...base, amount: 50000, fullyPaid: false, balance: 100000, paidAt: new Date('2026-12-03T20:00:00Z') });
    expect(note.text).toBe(':heavy_minus_sign: Partial payment of $500.00 on Dec 3, 2026 — 10 days after sending. $1,000.00 still open; reminders continue for the balance.');
    expect(note.text).not.toMatch(/Paid in full|Reminders stopped/);
    expectValid(note);
  });

  test('other currencies', () => {
    expect(paymentNote({ ...base, amount: 98000, currency: 'EUR', paidAt: new Date('2026-12-03T20:00:00Z') }).text).toContain('Paid €980.00 on Dec 3, 2026');
  });
});

describe('invoiceSentNote', () => {
  test('approved by a person: mention, recipients, payment link', () => {
    const note = invoiceSentNote({ number: 'INV-0042', recipients: ['ap@acme.example', 'cfo@acme.example'], paymentUrl: 'https://pay.example/i/1', approvedBy: 'U0APPROVER' });
    expect(note.text).toBe(':email: Invoice INV-0042 sent to ap@acme.example, cfo@acme.example, approved by <@U0APPROVER> · <https://pay.example/i/1|Payment link>');
    expectValid(note);
  });

  test('auto-send, no link yet', () => {
    const note = invoiceSentNote({ number: 'INV-0043', recipients: ['ap@acme.example'], paymentUrl: null, approvedBy: null });
    expect(note.text).toBe(':email: Invoice INV-0043 sent automatically to ap@acme.example (auto-send client)');
    expect(note.text).not.toMatch(/<@|Payment link/);
    expectValid(note);
  });
});

describe('reminders', () => {
  test.each([
    ['friendly', 'friendly reminder'],
    ['firm', 'past-due notice'],
    ['final', 'final notice'],
  ] as const)('%s reminder', (tone, label) => {
    const note = reminderSentNote({ stepNumber: 2, tone, recipients: ['ap@acme.example'], balance: 60000, currency: 'USD' });
    expect(note.text).toBe(`:bell: Reminder 2 (${label}) sent to ap@acme.example · balance $600.00`);
    expectValid(note);
  });

  test('skipped reminder gives the reason, escaped', () => {
    const note = reminderSkippedNote({ stepNumber: 3, reason: 'invoice is disputed <see thread>' });
    expect(note.text).toBe(':zzz: Reminder 3 not sent: invoice is disputed &lt;see thread&gt;');
    expectValid(note);
  });
});

describe('escalation', () => {
  test('with a task link, the owner is mentioned', () => {
    const note = escalationNote({ taskUrl: 'https://app.asana.com/0/1/2', ownerUserId: 'U0OWNER' });
    expect(note.text).toBe(':rotating_light: Escalated: <https://app.asana.com/0/1/2|Escalation task> created; <@U0OWNER> notified by DM.');
    expectValid(note);
  });

  test('without a task', () => {
    expect(escalationNote({ taskUrl: null, ownerUserId: 'U0OWNER' }).text).toBe(':rotating_light: Escalated: <@U0OWNER> notified by DM.');
  });

  test('final-notice pause note', () => {
    const note = finalNoticePauseNote();
    expect(note.text).toMatch(/paused until payment/);
    expectValid(note);
  });

  test('owner DM: client, number, balance, days, task link', () => {
    const note = ownerEscalationDm({
      number: 'INV-0042',
      clientName: 'Acme & Sons',
      balance: 150000,
      currency: 'USD',
      daysSinceSent: 31,
      permalinkText: 'https://app.asana.com/0/1/2',
    });
    expect(note.text).toContain('*Acme &amp; Sons* has not paid invoice INV-0042 ($1,500.00 open) 31 days after sending.');
    expect(note.text).toContain('<https://app.asana.com/0/1/2|Open the escalation task>');
    expectValid(note);
    expect(ownerEscalationDm({ number: 'INV-1', clientName: 'A', balance: 1, currency: 'USD', daysSinceSent: 1, permalinkText: null }).text).not.toContain('<http');
  });
});

describe('state changes', () => {
  test.each([
    ['void', 'U0DANA', ':no_entry_sign: Invoice voided by <@U0DANA>. No further reminders.'],
    ['uncollectible', null, ':x: Invoice marked uncollectible. No further reminders.'],
    ['discarded', 'U0DANA', ':wastebasket: Draft discarded by <@U0DANA>; it will not be sent. Its number stays used so the sequence has no gaps.'],
  ] as const)('%s', (status, by, expected) => {
    const note = statusChangeNote({ status, by });
    expect(note.text).toBe(expected);
    expectValid(note);
  });

  test('edited: a Slack user is mentioned, any other actor is shown as text', () => {
    expect(editedNote({ by: 'U0DANA' }).text).toBe(':pencil2: Draft edited by <@U0DANA>.');
    expect(editedNote({ by: 'api:<script>' }).text).toBe(':pencil2: Draft edited by api:&lt;script&gt;.');
  });

  test('unknown outcome asks a human and says it will not be retried', () => {
    const note = unknownOutcomeNote({ what: 'The invoice email', since: new Date('2026-12-03T14:05:09Z') });
    expect(note.text).toMatch(/^:warning: \*Needs a human:\* The invoice email was in progress at 2026-12-03 14:05 UTC/);
    expect(note.text).toContain('may or may not have gone out');
    expect(note.text).toContain('will not be retried automatically');
    expectValid(note);
  });
});

test('very long recipient lists stay within the section limit', () => {
  const recipients = Array.from({ length: 500 }, (_, i) => `person${i}@example.com`);
  const note = reminderSentNote({ stepNumber: 1, tone: 'friendly', recipients, balance: 100, currency: 'USD' });
  expect(messageProblems(note)).toEqual([]);
  expect(note.text).toContain('person0@example.com');
});

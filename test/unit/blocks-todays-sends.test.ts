import { messageProblems } from '../../blocks/limits.js';
import { MAX_LISTED_ROWS, parseStepValue, previewMessage, stepValue, TODAYS_SEND_NOW, TODAYS_SKIP, todaysSendsMessage, type TodaysSendRow } from '../../blocks/todays-sends.js';
import { clientSummaryMessage, EMAIL_STATEMENT } from '../../blocks/client-summary.js';

const INVOICE = '0b7c3f6e-1d2a-4c5b-9e8f-001122334455';
const row = (i: number, state: TodaysSendRow['state'] = { kind: 'waiting' }): TodaysSendRow => ({
  invoiceId: INVOICE,
  stepIndex: i,
  clientName: `Client <${i}> & co`,
  number: `INV-${String(i).padStart(4, '0')}`,
  tone: 'friendly',
  plannedAt: new Date('2026-12-07T10:00:00Z'),
  grouped: i % 2 === 0,
  state,
});

describe("today's sends list", () => {
  test('each waiting step has Skip, Snooze (1/3/7 days) and Preview; Send now once; outside text escaped', () => {
    const message = todaysSendsMessage({ day: '2026-12-07', rows: [row(1), row(2)], timezone: 'UTC' });
    expect(messageProblems(message)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Client &lt;1&gt; &amp; co');
    expect(json).toContain('10:00 UTC');
    expect(json).toContain('Snooze 7 days');
    expect(json.match(new RegExp(TODAYS_SKIP, 'g'))).toHaveLength(2);
    expect(json.match(new RegExp(TODAYS_SEND_NOW, 'g'))).toHaveLength(1);
  });

  test('what was done replaces the buttons; nothing waiting, no Send now', () => {
    const message = todaysSendsMessage({
      day: '2026-12-07',
      rows: [row(1, { kind: 'skipped', by: 'UAPPROVER1' }), row(2, { kind: 'snoozed', until: new Date('2026-12-08T10:00:00Z') }), row(3, { kind: 'sent' })],
      timezone: 'UTC',
      sentNowBy: 'UAPPROVER1',
    });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('skipped by <@UAPPROVER1>');
    expect(json).toContain('snoozed to Dec 8, 2026');
    expect(json).not.toContain(TODAYS_SKIP);
    expect(json).not.toContain(TODAYS_SEND_NOW);
    expect(json).toContain('Sent now by <@UAPPROVER1>');
  });

  test('a long day stays within 50 blocks and says how many are not shown', () => {
    const message = todaysSendsMessage({ day: '2026-12-07', rows: Array.from({ length: 40 }, (_, i) => row(i)), timezone: 'UTC' });
    expect(messageProblems(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(`${40 - MAX_LISTED_ROWS} more steps not shown`);
  });

  test('button values round-trip; anything else is refused', () => {
    expect(parseStepValue(stepValue('2026-12-07', INVOICE, 2))).toEqual({ day: '2026-12-07', invoiceId: INVOICE, stepIndex: 2, days: null });
    expect(parseStepValue(`${stepValue('2026-12-07', INVOICE, 2)}|3`)?.days).toBe(3);
    for (const bad of ['', '2026-12-07', `2026-12-07|${INVOICE}`, `x|${INVOICE}|1`, `2026-12-07|${INVOICE}|1|3|4`, `2026-12-07|'; drop table|1`])
      expect(parseStepValue(bad)).toBeNull();
  });

  test('the preview escapes the email and cannot close its code block early', () => {
    const text = previewMessage({ number: 'INV-1', subject: '<b>hi</b>', text: 'a ``` b <!channel>' }).text;
    expect(text).toContain('&lt;b&gt;');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text.match(/```/g)).toHaveLength(2);
  });
});

describe('client summary: Email statement', () => {
  const client = {
    id: 'acme',
    name: 'Acme',
    emails: ['ap@acme.example'],
    currency: 'USD',
    paymentTermsDays: 7,
    provider: 'stripe' as const,
    asanaProjectGids: [],
    reminderSchedule: [],
    finalMode: 'pause' as const,
    autoSend: false,
  };
  const stats = (openCount: number) => ({ openBalances: [], openCount, overdueCount: 0, averageDaysToPay: null, paidCount: 0 }) as never;

  test('offered with a confirm dialog when something is open, not otherwise', () => {
    const open = clientSummaryMessage(client, stats(2));
    expect(messageProblems(open)).toEqual([]);
    expect(JSON.stringify(open.blocks)).toMatch(new RegExp(`"action_id":"${EMAIL_STATEMENT}".*"confirm"`));
    expect(JSON.stringify(clientSummaryMessage(client, stats(0)).blocks)).not.toContain(EMAIL_STATEMENT);
  });
});

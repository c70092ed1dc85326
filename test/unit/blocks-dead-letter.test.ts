import { deadLetterMessage, eventSummary, retryAnswerText } from '../../blocks/dead-letter.js';
import { ageText, inboxBlocks } from '../../blocks/inbox-status.js';
import { RETRY_DEAD_LETTER } from '../../blocks/dead-letter-ids.js';
import type { InboxEvent } from '../../src/store/inbox.js';

const t0 = new Date('2026-11-02T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const event = (over: Partial<InboxEvent> = {}): InboxEvent => ({
  id: 42,
  source: 'asana',
  externalId: 'e1',
  kind: 'task_changed',
  payload: { taskId: '6101', tool: 'asana' },
  receivedAt: t0,
  processedAt: null,
  attempts: 9,
  lastError: 'Asana GET /tasks/6101 answered 503: injected 503',
  nextAttemptAt: at(4320),
  retryWindowStart: t0,
  windowAttempts: 9,
  deadAt: at(4320),
  retriedBy: null,
  deadLetterMessage: null,
  ...over,
});
const tz = { timezone: 'UTC' };
const json = (x: unknown) => JSON.stringify(x);

describe('dead-letter blocks', () => {
  test('the summary names what the event was, every outside value escaped', () => {
    expect(eventSummary(event({ payload: { taskId: '6101', tool: 'clickup', task: { name: 'Launch <!channel>' } } }))).toBe('ClickUp task 6101 "Launch &lt;!channel&gt;"');
    expect(eventSummary(event({ source: 'email', kind: 'inbound_email', payload: { from: '"M" <m@x.example>', subject: 'Re: <https://evil.example|INV-0001>' } }))).toBe(
      'email from "M" &lt;m@x.example&gt;, subject "Re: &lt;https://evil.example|INV-0001&gt;"',
    );
    expect(eventSummary(event({ source: 'stripe', kind: 'backend_event', payload: { type: 'invoice.paid', providerInvoiceId: 'in_1' } }))).toBe(
      'Stripe event invoice.paid for invoice in_1',
    );
    // A payload of the wrong shape never throws.
    expect(eventSummary(event({ payload: null }))).toBe('Asana task ?');
  });

  test('a dead letter: what, when, attempts, the escaped and clipped error, and Retry with the event id', () => {
    const long = `<!here> ${'x'.repeat(5000)} \`\`\` end`;
    const message = deadLetterMessage(event({ lastError: long }), tz);
    const text = json(message.blocks);
    expect(text).toContain('Gave up on a stored event');
    expect(text).toContain('Asana task 6101');
    expect(text).toContain('Nov 2, 2026');
    expect(text).toContain('*Attempts:* 9');
    expect(text).toContain('&lt;!here&gt;');
    expect(text).not.toContain('<!here>');
    // A fence inside the error cannot close the code block early.
    expect(json(deadLetterMessage(event({ lastError: 'bad ``` *bold* <b>' }), tz))).toContain("```bad ''' *bold* &lt;b&gt;```");
    expect(text.length).toBeLessThan(3000);
    expect(message.blocks).toContainEqual({ type: 'actions', elements: [expect.objectContaining({ action_id: RETRY_DEAD_LETTER, value: '42' })] });
  });

  test('after a Retry: back in the queue (no button) or done, naming who retried', () => {
    const retrying = json(deadLetterMessage(event({ deadAt: null, retriedBy: 'UAPPROVER1', nextAttemptAt: at(4400) }), tz));
    expect(retrying).toContain('Retried by <@UAPPROVER1>: failed again');
    expect(retrying).toContain('next attempt about Nov 5, 2026');
    expect(retrying).not.toContain(RETRY_DEAD_LETTER);
    const done = json(deadLetterMessage(event({ deadAt: null, retriedBy: 'UAPPROVER1', processedAt: at(4400) }), tz));
    expect(done).toContain('Dead letter done');
    expect(done).toContain('<@UAPPROVER1>');
    expect(done).not.toContain(RETRY_DEAD_LETTER);
    const again = json(deadLetterMessage(event({ retriedBy: 'UAPPROVER1' }), tz));
    expect(again).toContain('again, after a Retry by <@UAPPROVER1>');
    expect(again).toContain(RETRY_DEAD_LETTER);
  });

  test('the answer to the clicker', () => {
    expect(retryAnswerText({ outcome: 'retrying', error: '<b>', nextAttemptAt: at(5) }, tz)).toMatch(
      /failed again \(&lt;b&gt;\); it is back in the backoff queue, next attempt about Nov 2, 2026, 10:05 AM/,
    );
    expect(retryAnswerText({ outcome: 'not_dead', state: 'queued' }, tz)).toMatch(/already back in the queue/);
  });
});

describe('inbox section of /invoices status', () => {
  test('ages read as minutes, hours or days', () => {
    expect([ageText(59_000), ageText(45 * 60_000), ageText(5 * 3_600_000 + 20 * 60_000), ageText(3 * 3_600_000), ageText(80 * 3_600_000)]).toEqual([
      '0 min',
      '45 min',
      '5 h 20 min',
      '3 h',
      '3 days',
    ]);
  });

  test('all clear', () => {
    const text = json(inboxBlocks({ waiting: 0, oldestWaitingSince: null, nextAttemptAt: null, deadLetters: 0, newestDead: [], checkedAt: t0 }, tz));
    expect(text).toContain('Nothing waiting');
    expect(text).toContain('No dead letters');
    expect(text).not.toContain(RETRY_DEAD_LETTER);
  });

  test('the backlog with its oldest age and next attempt; the newest dead letters each with Retry, older ones pointed to', () => {
    const blocks = inboxBlocks(
      { waiting: 2, oldestWaitingSince: t0, nextAttemptAt: at(200), deadLetters: 7, newestDead: [event({ id: 7 }), event({ id: 6 })], checkedAt: at(190) },
      tz,
    );
    const text = json(blocks);
    expect(text).toContain('2 events waiting to be processed; the oldest arrived 3 h 10 min ago, next attempt Nov 2, 2026, 1:20 PM');
    expect(text).toContain('7 dead letters');
    expect(blocks.filter((b) => json(b).includes(RETRY_DEAD_LETTER)).map((b) => (b as { accessory: { value: string } }).accessory.value)).toEqual(['7', '6']);
    expect(text).toContain('The 5 older ones carry the same button');
  });
});

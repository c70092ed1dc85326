import { classifyReply, resolvePromisedDate, stripQuotedReply, type ReplyKind } from '../../src/domain/reply-classifier.js';

// Wednesday 25 November 2026, 10:00 UTC (05:00 in New York, still the 25th).
const asOf = new Date('2026-11-25T10:00:00Z');
const tz = 'America/New_York';
const classify = (text: string, subject = 'Re: Invoice #INV-0001', headers: Record<string, string> = {}) => classifyReply({ text, subject, headers }, asOf, tz);

describe('stripQuotedReply', () => {
  test('keeps what the client wrote and drops the quoted history', () => {
    const body = 'Hi,\r\n\r\nThe amount is wrong.\r\n\r\nOn Mon, Nov 2, 2026 at 9:00 AM Billing <billing@pixelco.example> wrote:\r\n> Invoice INV-0001\r\n> Total $1,500.00\r\n';
    expect(stripQuotedReply(body)).toBe('Hi,\n\nThe amount is wrong.');
  });
  test('an empty body stays empty', () => {
    expect(stripQuotedReply('')).toBe('');
  });
});

describe('classifyReply', () => {
  test.each<[string, ReplyKind, string | null]>([
    ['The amount is wrong, we agreed on $1,200.', 'dispute', 'amount'],
    ['You overcharged us for March.', 'dispute', 'amount'],
    ['We were charged twice for this.', 'dispute', 'amount'],
    ['This work is out of scope of our agreement.', 'dispute', 'scope'],
    ['We never asked for the extra landing page.', 'dispute', 'scope'],
    ['The site is not working on mobile, so we will not pay yet.', 'dispute', 'quality'],
    ['The deliverable is incomplete.', 'dispute', 'quality'],
    ['This milestone was not approved by our PM.', 'dispute', 'not_approved'],
    ["It hasn't been signed off yet.", 'dispute', 'not_approved'],
    ['We dispute this invoice.', 'dispute', 'other'],
    ["We won't pay this.", 'dispute', 'other'],
  ])('dispute: %s', (text, kind, reason) => {
    const c = classify(text);
    expect(c.kind).toBe(kind);
    expect(c.reason).toBe(reason);
    expect(c.explanation).toMatch(/^Dispute \(.+\): the reply says ".+"$/);
  });

  test.each<[string, string]>([
    ['We will pay on the 15th.', '2026-12-15'],
    ['We will pay on the 28th', '2026-11-28'],
    ['We will pay on the 25th', '2026-11-25'],
    ['I will pay by Friday.', '2026-11-27'],
    ['We will settle it next week.', '2026-12-04'],
    ['Payment will be made on December 3.', '2026-12-03'],
    ['We will pay on 2026-12-10.', '2026-12-10'],
    ["We'll transfer the money on Dec 1", '2026-12-01'],
    ['We plan to pay on January 5.', '2027-01-05'],
  ])('promise to pay: %s → %s', (text, date) => {
    const c = classify(text);
    expect(c).toMatchObject({ kind: 'promise', promisedDate: date, reason: null });
    expect(c.explanation).toContain(date);
  });

  test('the as-of date is the business date, not the UTC date', () => {
    // 03:00 UTC on the 26th is still the 25th in New York: "the 25th" is today, not next month.
    const c = classifyReply({ text: 'We will pay on the 25th', subject: '', headers: {} }, new Date('2026-11-26T03:00:00Z'), tz);
    expect(c.promisedDate).toBe('2026-11-25');
  });

  test.each<[Record<string, string>, string, RegExp]>([
    [{ 'Auto-Submitted': 'auto-replied' }, 'Re: Invoice', /Auto-Submitted: auto-replied/],
    [{ 'auto-submitted': 'auto-generated' }, 'Re: Invoice', /Auto-Submitted/],
    [{ 'X-Autoreply': 'yes' }, 'Re: Invoice', /X-Autoreply/],
    [{ Precedence: 'auto_reply' }, 'Re: Invoice', /Precedence: auto_reply/],
    [{ precedence: 'bulk' }, 'Re: Invoice', /Precedence: bulk/],
    [{}, 'Out of Office: back on Monday', /subject starts with "Out of Office"/],
    [{}, 'Automatic reply: Invoice #INV-0001', /Automatic reply/],
  ])('auto-reply %#', (headers, subject, why) => {
    const c = classify('I am away until Monday and will pay on the 15th. The amount is wrong.', subject, headers);
    expect(c.kind).toBe('auto_reply');
    expect(c.explanation).toMatch(why);
  });

  test('Auto-Submitted: no is a person writing', () => {
    expect(classify('Thanks!', 'Re: Invoice', { 'Auto-Submitted': 'no' }).kind).toBe('other');
  });

  test.each(['Can you send the invoice as PDF?', 'Which PO number should we use', 'Is this for the October work?'])('question: %s', (text) => {
    expect(classify(text).kind).toBe('question');
  });

  test('a promise without a date is not a snooze', () => {
    const c = classify('We will pay soon.');
    expect(c.kind).toBe('other');
    expect(c.explanation).toMatch(/no date/);
  });

  test('a promise dated in the past is not a snooze', () => {
    expect(classify('We will pay on 2026-11-01.')).toMatchObject({ kind: 'other', promisedDate: null });
  });

  test('a dispute wins over a promise in the same reply', () => {
    expect(classify('We will pay on the 15th but the amount is wrong.').kind).toBe('dispute');
  });

  test('plain thanks is other', () => {
    expect(classify('Thanks, received.')).toMatchObject({ kind: 'other', reason: null, promisedDate: null });
  });
});

describe('resolvePromisedDate', () => {
  test.each<[string, string | null]>([
    ['on the 31st', '2026-12-31'],
    ['the 1st', '2026-12-01'],
    ['by Monday', '2026-11-30'],
    ['yesterday', null],
    ['nothing here', null],
  ])('%s → %s', (text, ymd) => {
    expect(resolvePromisedDate(text, asOf, tz)?.ymd ?? null).toBe(ymd);
  });
});

import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { invoiceMessage, MAX_LINES_SHOWN } from '../../blocks/invoice-message.js';
import { APPROVE_INVOICE, DISCARD_INVOICE, EDIT_INVOICE } from '../../blocks/ids.js';
import { messageProblems } from '../../blocks/limits.js';
import type { InvoiceStatus } from '../../src/domain/types.js';
import { invoiceView, line, manyLines } from './blocks-fixtures.js';

const TZ = 'America/New_York';
const NOW = new Date('2026-12-03T15:00:00Z'); // Dec 3 in New York
const opts = { timezone: TZ, now: NOW };

const header = (blocks: KnownBlock[]) => (blocks.find((b) => b.type === 'header') as HeaderBlock).text.text;
const fields = (blocks: KnownBlock[]) => (blocks.find((b) => b.type === 'section' && (b as SectionBlock).fields) as SectionBlock).fields!.map((f) => f.text);
const sectionTexts = (blocks: KnownBlock[]) => blocks.filter((b): b is SectionBlock => b.type === 'section' && !!(b as SectionBlock).text).map((b) => b.text!.text);
const contextTexts = (blocks: KnownBlock[]) =>
  blocks.filter((b): b is ContextBlock => b.type === 'context').map((b) => (b.elements as { text: string }[]).map((e) => e.text).join(' '));
const actions = (blocks: KnownBlock[]) => blocks.filter((b): b is ActionsBlock => b.type === 'actions');
const allText = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe('invoiceMessage: a draft', () => {
  const { text, blocks } = invoiceMessage(
    invoiceView({
      lines: [line('Design sprint', '1', 120000, 120000), line('Extra revisions', '2.5', 12000, 30000)],
      total: 150000,
    }),
    opts,
  );

  test('header names the invoice and the client', () => {
    expect(header(blocks)).toBe('Invoice INV-0042 · Acme Corp');
  });

  test('fields: milestone linked to the source, total, due date with days left, recipients', () => {
    expect(fields(blocks)).toEqual([
      '*Milestone*\n<https://app.asana.com/0/123/456|Milestone 2 - Design>',
      // The back-end adds the customer's tax when the invoice is created there.
      '*Total*\n$1,500.00 + tax',
      '*Due*\nDec 24, 2026 (in 21 days)',
      '*To*\nap@acme.example, cfo@acme.example',
    ]);
  });

  test('lines read as description, quantity × unit price, amount', () => {
    const table = sectionTexts(blocks)[0]!;
    expect(table.split('\n')).toEqual(['• Design sprint — 1 × $1,200.00 = *$1,200.00*', '• Extra revisions — 2.5 × $120.00 = *$300.00*']);
  });

  test('status says it waits for approval', () => {
    expect(sectionTexts(blocks)[1]).toBe(':hourglass_flowing_sand: Waiting for approval');
  });

  test('Approve & send (primary, confirmed), Edit, Discard (danger, confirmed), each carrying the invoice id', () => {
    const [block, ...rest] = actions(blocks);
    expect(rest).toHaveLength(0);
    const [approve, edit, discard] = block!.elements as Button[];
    expect(block!.elements).toHaveLength(3);
    expect(approve).toMatchObject({ action_id: APPROVE_INVOICE, value: 'inv_01HX', style: 'primary', text: { text: 'Approve & send' } });
    expect(approve!.confirm?.text.text).toBe('$1,500.00 + tax, due Dec 24, 2026, will be emailed to ap@acme.example, cfo@acme.example.');
    expect(approve!.confirm?.title?.text).toBe('Send INV-0042?');
    expect(edit).toMatchObject({ action_id: EDIT_INVOICE, value: 'inv_01HX', text: { text: 'Edit' } });
    expect(edit!.style).toBeUndefined();
    expect(edit!.confirm).toBeUndefined();
    expect(discard).toMatchObject({ action_id: DISCARD_INVOICE, value: 'inv_01HX', style: 'danger', text: { text: 'Discard' } });
    expect(discard!.confirm?.title?.text).toBe('Discard this draft?');
  });

  test('text fallback carries number, client, total and state; limits hold', () => {
    expect(text).toBe('Invoice INV-0042 · Acme Corp · $1,500.00 · Waiting for approval');
    expect(messageProblems({ text, blocks })).toEqual([]);
  });

  test('no payment link yet and no warning', () => {
    expect(allText(blocks)).not.toMatch(/Payment link|:warning:/);
  });
});

describe('invoiceMessage: the status line fits the state', () => {
  const sentAt = new Date('2026-12-03T03:30:00Z'); // still Dec 2 in New York
  const paidAt = new Date('2026-12-13T18:00:00Z');
  test.each<[InvoiceStatus, Partial<Parameters<typeof invoiceView>[0]>, string]>([
    ['approved', {}, ':outbox_tray: Sending…'],
    ['sent', { sentAt }, ':email: Sent Dec 2, 2026 · Balance $1,500.00'],
    ['partially_paid', { sentAt, amountPaid: 50000 }, ':heavy_minus_sign: Partially paid: $500.00 of $1,500.00 · Balance $1,000.00'],
    ['paid', { sentAt, paidAt, amountPaid: 150000 }, ':white_check_mark: Paid in full Dec 13, 2026'],
    ['credited', { sentAt, total: 0, amountPaid: 0 }, ':receipt: Settled by credit · nothing paid'],
    ['credited', { sentAt, total: 50000, amountPaid: 50000 }, ':receipt: Settled: $500.00 paid, the rest credited'],
    ['void', {}, ':no_entry_sign: Void'],
    ['uncollectible', {}, ':x: Marked uncollectible'],
    ['discarded', {}, ':wastebasket: Discarded · not sent'],
  ])('%s', (status, extra, expected) => {
    const message = invoiceMessage(invoiceView({ status, ...extra }), opts);
    expect(sectionTexts(message.blocks)).toContain(expected);
    expect(message.text).toContain(expected.replace(/^:[a-z_]+: /, ''));
    expect(messageProblems(message)).toEqual([]);
  });

  test('a draft over its ceiling says why it is held, and Approve confirms that very total', () => {
    const reason = 'over the 1,000,000.00 USD ceiling: check the amount';
    const view = invoiceView({ total: 200_000_000, lines: [line('Platform', '1', 200_000_000, 200_000_000)], overCeiling: reason });
    const { blocks } = invoiceMessage(view, opts);
    expect(contextTexts(blocks)).toContain(`:octagonal_sign: *Held for a human, never sent by itself:* ${reason}. Approving asks you to confirm this total.`);
    const approve = (actions(blocks)[0]!.elements as Button[])[0]!;
    expect(approve.value).toBe('inv_01HX:200000000');
    expect(approve.confirm?.title?.text).toBe('Over the ceiling: send INV-0042?');
    expect(approve.confirm?.text.text).toMatch(/^:warning: over the 1,000,000\.00 USD ceiling: check the amount\.\n\$2,000,000\.00/);
    expect(messageProblems(invoiceMessage(view, opts))).toEqual([]);
    // Under the ceiling: no warning, the plain id.
    const plain = invoiceMessage(invoiceView({ overCeiling: null }), opts).blocks;
    expect(allText(plain)).not.toMatch(/ceiling|octagonal_sign/);
    expect((actions(plain)[0]!.elements as Button[])[0]!.value).toBe('inv_01HX');
  });

  test.each<InvoiceStatus>(['approved', 'paid', 'void', 'uncollectible', 'discarded'])('no buttons once %s', (status) => {
    const { blocks } = invoiceMessage(invoiceView({ status, sentAt, paymentUrl: 'https://pay.example/i/1' }), opts);
    expect(actions(blocks)).toHaveLength(0);
    expect(allText(blocks)).not.toMatch(/"type":"button"|approve_invoice|discard_invoice|edit_invoice/);
  });

  test.each<InvoiceStatus>(['sent', 'partially_paid'])('awaiting money (%s): only the dispute control, never the draft buttons', (status) => {
    const open = invoiceMessage(invoiceView({ status, sentAt }), opts);
    expect(actions(open.blocks).map((a) => JSON.stringify(a))).toEqual([expect.stringContaining('"action_id":"mark_disputed"')]);
    expect(allText(open.blocks)).not.toMatch(/approve_invoice|discard_invoice|edit_invoice/);
    const disputed = invoiceMessage(invoiceView({ status, sentAt, disputed: true }), opts);
    expect(JSON.stringify(actions(disputed.blocks))).toContain('"action_id":"resolve_dispute"');
    expect(JSON.stringify(actions(disputed.blocks))).toContain('Resolve: amount stands');
    expect(JSON.stringify(disputed.blocks)).toContain('Disputed');
  });

  test('disputed and paused flags follow the state', () => {
    const { blocks, text } = invoiceMessage(invoiceView({ status: 'sent', sentAt, disputed: true, paused: true }), opts);
    expect(sectionTexts(blocks)).toContain(':email: Sent Dec 2, 2026 · Balance $1,500.00 · Disputed · Reminders paused');
    expect(text).toMatch(/Disputed · Reminders paused$/);
  });

  test('attention becomes a ⚠️ context line, escaped', () => {
    const { blocks } = invoiceMessage(invoiceView({ status: 'approved', attention: 'Unknown outcome of <send> & email' }), opts);
    expect(contextTexts(blocks)).toContain(':warning: Unknown outcome of &lt;send&gt; &amp; email');
  });

  test('payment link once known, not on a draft', () => {
    const url = 'https://invoice.stripe.com/i/acct_1/test_abc';
    expect(contextTexts(invoiceMessage(invoiceView({ status: 'sent', sentAt, paymentUrl: url }), opts).blocks)).toContain(`:link: <${url}|Payment link>`);
    expect(allText(invoiceMessage(invoiceView({ status: 'draft', paymentUrl: url }), opts).blocks)).not.toContain(url);
    expect(allText(invoiceMessage(invoiceView({ status: 'void', paymentUrl: url }), opts).blocks)).not.toContain(url);
  });
});

describe('invoiceMessage: details', () => {
  test('due date: today, overdue, or just the date once settled', () => {
    const due = (status: InvoiceStatus, dueDate: string) => fields(invoiceMessage(invoiceView({ status, dueDate }), opts).blocks)[2];
    expect(due('sent', '2026-12-03')).toBe('*Due*\nDec 3, 2026 (today)');
    expect(due('sent', '2026-11-30')).toBe('*Due*\nNov 30, 2026 (*3 days overdue*)');
    expect(due('partially_paid', '2026-12-02')).toBe('*Due*\nDec 2, 2026 (*1 day overdue*)');
    expect(due('paid', '2026-11-30')).toBe('*Due*\nNov 30, 2026');
  });

  test('milestone without a source link is plain text; mrkdwn control characters are escaped', () => {
    const { blocks } = invoiceMessage(invoiceView({ sourceUrl: null, milestone: 'Phase <1> & QA', lines: [line('R&D <beta>', '1', 100, 100)] }), opts);
    expect(fields(blocks)[0]).toBe('*Milestone*\nPhase &lt;1&gt; &amp; QA');
    expect(sectionTexts(blocks)[0]).toContain('R&amp;D &lt;beta&gt;');
  });

  test('zero-decimal currency', () => {
    const { text, blocks } = invoiceMessage(invoiceView({ currency: 'JPY', total: 120000, lines: [line('Translation', '3', 40000, 120000)] }), opts);
    expect(text).toContain('¥120,000');
    expect(sectionTexts(blocks)[0]).toBe('• Translation — 3 × ¥40,000 = *¥120,000*');
  });

  test('a 40-line invoice shows 15 lines and summarises the rest, within Slack limits', () => {
    const lines = manyLines(40);
    const message = invoiceMessage(invoiceView({ lines }), opts);
    const table = sectionTexts(message.blocks)[0]!.split('\n');
    expect(table).toHaveLength(MAX_LINES_SHOWN + 1);
    expect(table[0]).toContain('Item 1 ');
    expect(table[14]).toContain('Item 15 ');
    expect(table[15]).toBe('_…and 25 more lines_');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(messageProblems(message)).toEqual([]);
  });

  test('40 lines with 500-character descriptions and 200 recipients still fit every text limit', () => {
    const message = invoiceMessage(
      invoiceView({
        lines: manyLines(40, 500),
        recipients: Array.from({ length: 200 }, (_, i) => `person${i}@a-rather-long-client-domain.example`),
        clientName: 'C'.repeat(200),
        attention: 'A'.repeat(5000),
        milestone: 'M'.repeat(1000),
      }),
      opts,
    );
    expect(messageProblems(message)).toEqual([]);
    const table = sectionTexts(message.blocks)[0]!;
    expect(table).toMatch(/_…and \d+ more lines_$/);
    expect(header(message.blocks).length).toBeLessThanOrEqual(150);
  });

  test('one line left over reads singular', () => {
    const table = sectionTexts(invoiceMessage(invoiceView({ lines: manyLines(16) }), opts).blocks)[0]!;
    expect(table).toMatch(/_…and 1 more line_$/);
  });
});

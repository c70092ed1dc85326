import { blocksToText, DIVIDER_TEXT, mrkdwnToText } from '../../blocks/render-text.js';
import { invoiceMessage } from '../../blocks/invoice-message.js';
import { editInvoiceModal } from '../../blocks/edit-modal.js';
import { paymentNote } from '../../blocks/thread.js';
import { invoiceView, line } from './blocks-fixtures.js';

describe('mrkdwnToText', () => {
  test.each([
    ['<https://pay.example/i/1|Payment link>', 'Payment link (https://pay.example/i/1)'],
    ['<mailto:ap@acme.example|ap@acme.example>', 'ap@acme.example (mailto:ap@acme.example)'],
    ['see <https://example.com>', 'see https://example.com'],
    ['approved by <@U0DANA>', 'approved by @U0DANA'],
    ['in <#C0BILL|billing>, <!here>', 'in #billing, @here'],
    ['R&amp;D &lt;beta&gt;', 'R&D <beta>'],
    ['*Total*\n$1,500.00', 'Total\n$1,500.00'],
    ['(*3 days overdue*)', '(3 days overdue)'],
    [':warning: check :unknown_emoji: at 10:30:00', '⚠️ check :unknown_emoji: at 10:30:00'],
  ])('%j → %j', (input, expected) => {
    expect(mrkdwnToText(input)).toBe(expected);
  });
});

test('every kind of block', () => {
  const text = blocksToText([
    { type: 'header', text: { type: 'plain_text', text: 'Invoice INV-1 · A*B*' } },
    { type: 'section', text: { type: 'mrkdwn', text: 'Body <https://x.example|x>' }, accessory: { type: 'button', text: { type: 'plain_text', text: 'Open' } } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Due*\nDec 24, 2026' },
        { type: 'plain_text', text: 'To\na@x.example\nb@x.example' },
      ],
    },
    { type: 'divider' },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: ':link: one' },
        { type: 'image', image_url: 'https://i', alt_text: 'logo' },
      ],
    },
    {
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Go' } },
        { type: 'datepicker', placeholder: { type: 'plain_text', text: 'Pick' } },
      ],
    },
    { type: 'input', label: { type: 'plain_text', text: 'Due date' }, element: { type: 'datepicker', initial_date: '2027-01-15' } },
    { type: 'rich_text', elements: [] },
  ]);
  expect(text.split('\n')).toEqual([
    '== Invoice INV-1 · A*B* ==',
    'Body x (https://x.example) [Open]',
    'Due: Dec 24, 2026 | To: a@x.example, b@x.example',
    DIVIDER_TEXT,
    '🔗 one [image: logo]',
    '[Go] [Pick]',
    'Due date: 2027-01-15',
    '(rich_text)',
  ]);
});

test('a draft invoice message reads well in a console', () => {
  const { blocks } = invoiceMessage(invoiceView({ lines: [line('Design sprint', '1', 150000, 150000)], provider: 'stripe' }), {
    timezone: 'UTC',
    now: new Date('2026-12-03T12:00:00Z'),
  });
  expect(blocksToText(blocks)).toBe(
    [
      '== Invoice INV-0042 · Acme Corp ==',
      'Milestone: Milestone 2 - Design (https://app.asana.com/0/123/456) | Total: $1,500.00 + tax | Due: Dec 24, 2026 (in 21 days) | To: ap@acme.example, cfo@acme.example',
      '• Design sprint — 1 × $1,500.00 = $1,500.00',
      '🧾 _Tax as set on the customer in Stripe, added when sent_',
      '⏳ Waiting for approval',
      '[Approve & send] [Edit] [Discard]',
    ].join('\n'),
  );
});

test('a sent invoice shows its payment link and only the dispute control', () => {
  const { blocks } = invoiceMessage(invoiceView({ status: 'sent', sentAt: new Date('2026-12-03T12:00:00Z'), paymentUrl: 'https://pay.example/i/1' }), {
    timezone: 'UTC',
    now: new Date('2026-12-04T12:00:00Z'),
  });
  const text = blocksToText(blocks);
  expect(text).toContain('📧 Sent Dec 3, 2026 · Balance $1,500.00');
  expect(text).toContain('🔗 Payment link (https://pay.example/i/1)');
  expect(text.match(/\[[^\]]+\]/g)).toEqual(['[Mark disputed]']);
});

test('thread notes and modals render too', () => {
  const note = paymentNote({ amount: 150000, currency: 'USD', paidAt: new Date('2026-12-13T12:00:00Z'), daysAfterSending: 10, fullyPaid: true, balance: 0, timezone: 'UTC' });
  expect(blocksToText(note.blocks!)).toBe('✅ Paid $1,500.00 on Dec 13, 2026 — 10 days after sending. Reminders stopped.');
  expect(blocksToText(editInvoiceModal(invoiceView()).blocks).split('\n')).toEqual([
    'Lines (USD): Design sprint | 1 | 1500.00',
    'Due date: 2026-12-24',
    'Send to: ap@acme.example, cfo@acme.example',
  ]);
});

import { invoiceListMessage } from '../../blocks/invoice-list.js';
import { invoiceDetailMessage, HISTORY_SHOWN } from '../../blocks/invoice-detail.js';
import { messageProblems } from '../../blocks/limits.js';
import { invoiceView } from './blocks-fixtures.js';

const options = { timezone: 'UTC', now: new Date('2026-12-30T12:00:00Z') };

describe('/invoices list message', () => {
  test('one line per invoice with amount, state and days overdue; drafts are never "overdue"', () => {
    const sent = invoiceView({ number: 'INV-0007', status: 'sent', sentAt: new Date('2026-11-20T10:00:00Z'), dueDate: '2026-12-24' });
    const draft = invoiceView({ number: 'INV-0008', status: 'draft', dueDate: '2026-12-01' });
    const msg = invoiceListMessage({ title: 'Open invoices', invoices: [draft, sent], more: false }, options);
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain('*INV-0007* · Acme Corp · Milestone 2 - Design · $1,500.00 · Sent Nov 20, 2026');
    expect(json).toContain('6 days overdue');
    expect(json).toMatch(/INV-0008[^•]*Waiting for approval/);
    expect(json).not.toMatch(/INV-0008[^•]*overdue/);
    expect(msg.text).toBe('Open invoices: 2 invoices');
    expect(messageProblems(msg)).toEqual([]);
  });

  test('an empty answer says so; a cut list says it shows the newest', () => {
    expect(invoiceListMessage({ title: 'Disputed invoices', invoices: [], more: false }, options).text).toBe('Disputed invoices: none.');
    const many = Array.from({ length: 30 }, (_, i) => invoiceView({ number: `INV-${1000 + i}`, clientName: 'C'.repeat(200), milestone: 'M'.repeat(300) }));
    const msg = invoiceListMessage({ title: 'Open invoices', invoices: many, more: true }, options);
    expect(JSON.stringify(msg.blocks)).toContain('Showing the newest 30');
    expect(messageProblems(msg)).toEqual([]);
  });
});

describe('/invoices show message', () => {
  test('the invoice without its buttons, the reminder plan with states, and the history', () => {
    const view = invoiceView({ status: 'sent', sentAt: new Date('2026-11-20T10:00:00Z') });
    const msg = invoiceDetailMessage(
      view,
      [
        { tone: 'friendly', dueAt: new Date('2026-11-27T10:00:00Z'), status: 'sent', note: null },
        { tone: 'firm', dueAt: new Date('2026-12-04T10:00:00Z'), status: 'skipped', note: 'the invoice is disputed' },
      ],
      [
        { at: new Date('2026-11-20T09:00:00Z'), actor: 'asana', action: 'drafted' },
        { at: new Date('2026-11-27T10:00:01Z'), actor: 'scheduler', action: 'reminder_sent' },
      ],
      options,
    );
    const json = JSON.stringify(msg.blocks);
    expect(json).not.toContain('approve_invoice');
    expect(json).toContain('1. friendly reminder · Nov 27, 2026 · sent');
    expect(json).toContain('2. past-due notice · Dec 4, 2026 · skipped (the invoice is disputed)');
    expect(json).toContain('Nov 27, 2026 · reminder sent · scheduler');
    expect(messageProblems(msg)).toEqual([]);
  });

  test('a long history shows the latest entries and says how many are hidden', () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ at: new Date(Date.UTC(2026, 10, 1 + (i % 28))), actor: 'system', action: `step_${i}` }));
    const msg = invoiceDetailMessage(invoiceView(), [], history, options);
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain(`_${40 - HISTORY_SHOWN} earlier entries not shown_`);
    expect(json).toContain('step 39');
    expect(json).not.toContain('step 0 ');
    expect(json).toContain('Planned when the invoice is sent');
    expect(messageProblems(msg)).toEqual([]);
  });
});

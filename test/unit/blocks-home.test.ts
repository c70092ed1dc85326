import type { SectionBlock } from '@slack/types';
import { HOME_MAX_BLOCKS, homeNotAllowedView, homeView } from '../../blocks/home.js';
import { blockProblems } from '../../blocks/limits.js';
import { buildAgingReport } from '../../src/domain/aging.js';
import type { HomeDashboard } from '../../src/usecases/home-dashboard.js';

const NOW = new Date('2026-12-20T10:00:00Z');
const TZ = 'Europe/Berlin';
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

function dashboard(over: Partial<HomeDashboard> = {}): HomeDashboard {
  return {
    asOf: NOW,
    dsoWindowDays: 90,
    currencies: [
      { currency: 'EUR', openCount: 1, outstanding: 80000, overdueCount: 1, overdue: 80000, dso: 90 },
      { currency: 'USD', openCount: 2, outstanding: 130000, overdueCount: 1, overdue: 100000, dso: 62 },
    ],
    aging: buildAgingReport(
      [
        { number: 'INV-0001', clientName: 'Acme', currency: 'USD', total: 100000, amountPaid: 0, status: 'sent', sentAt: daysAgo(10), dueDate: '2026-12-17' },
        { number: 'INV-0002', clientName: 'Acme', currency: 'USD', total: 50000, amountPaid: 20000, status: 'partially_paid', sentAt: daysAgo(2), dueDate: '2026-12-25' },
      ],
      NOW,
      TZ,
    ),
    attention: {
      total: 1,
      rows: [{ id: 'x', number: 'INV-0003', clientName: 'Globex <&> Co', currency: 'EUR', balance: 80000, dueDate: '2026-12-14', reasons: ['disputed', 'escalated'] }],
    },
    nextReminders: [{ number: 'INV-0001', clientName: 'Acme', currency: 'USD', balance: 100000, tone: 'firm', dueAt: new Date('2026-12-21T08:00:00Z') }],
    clients: [
      { id: 'acme', name: 'Acme', open: [{ currency: 'USD', outstanding: 130000, openCount: 2, overdueCount: 1 }] },
      { id: 'beta', name: 'Beta', open: [] },
      { id: 'globex', name: 'Globex <&> Co', open: [{ currency: 'EUR', outstanding: 80000, openCount: 1, overdueCount: 1 }] },
    ],
    ...over,
  };
}
const text = (view: ReturnType<typeof homeView>) => JSON.stringify(view.blocks);
const accessories = (view: ReturnType<typeof homeView>) =>
  view.blocks.filter((b): b is SectionBlock => b.type === 'section' && Boolean(b.accessory)).map((b) => b.accessory as { action_id: string; value: string });

describe('homeView', () => {
  test('totals, DSO, aging, attention and next reminders, within Slack limits', () => {
    const view = homeView(dashboard(), { timezone: TZ, approver: true });
    expect(view.type).toBe('home');
    expect(blockProblems(view.blocks, HOME_MAX_BLOCKS)).toEqual([]);
    const all = text(view);
    expect(all).toContain('Receivables · Dec 20, 2026');
    expect(all).toContain('*Outstanding (USD)*\\n$1,300.00 · 2 invoices');
    expect(all).toContain('*Overdue*\\n$1,000.00 · 1 invoice');
    expect(all).toContain('*DSO*\\n62 days');
    expect(all).toContain('*Outstanding (EUR)*\\n€800.00 · 1 invoice');
    expect(all).toContain('*8-14 days* — 1 invoice · $1,000.00');
    expect(all).toContain('*Needs attention* (1)\\n• *INV-0003* · Globex &lt;&amp;&gt; Co · €800.00 · disputed, escalated');
    expect(all).toContain('the past-due notice for *INV-0001* · Acme · $1,000.00');
    expect(all).toContain('DSO = open receivables ÷ invoiced in the last 90 days × 90');
  });

  test('approvers get one settings button per client (value = client id), overdue clients first; viewers get none', () => {
    const approver = homeView(dashboard(), { timezone: TZ, approver: true });
    expect(accessories(approver)).toEqual([
      expect.objectContaining({ action_id: 'open_client_settings', value: 'acme' }),
      expect.objectContaining({ action_id: 'open_client_settings', value: 'globex' }),
      expect.objectContaining({ action_id: 'open_client_settings', value: 'beta' }),
    ]);
    expect(text(approver)).toContain('*Beta* · nothing open');
    const viewer = homeView(dashboard(), { timezone: TZ, approver: false });
    expect(accessories(viewer)).toEqual([]);
    expect(text(viewer)).toContain('*Acme* · $1,300.00 open (2 invoices, 1 overdue)');
    expect(text(viewer)).toContain('view only');
  });

  test('hundreds of clients: as many as fit in 100 blocks, then a line saying how many are left out', () => {
    const clients = Array.from({ length: 300 }, (_, i) => ({
      id: `c${i}`,
      name: `${'Very long client name '.repeat(8)}${i}`,
      open: i === 299 ? [{ currency: 'USD', outstanding: 100, openCount: 1, overdueCount: 1 }] : [],
    }));
    const view = homeView(dashboard({ clients }), { timezone: TZ, approver: true });
    expect(view.blocks).toHaveLength(HOME_MAX_BLOCKS);
    expect(blockProblems(view.blocks, HOME_MAX_BLOCKS)).toEqual([]);
    const buttons = accessories(view);
    expect(buttons[0]!.value).toBe('c299'); // the one with an overdue invoice
    expect(text(view)).toContain(`${300 - buttons.length} more clients not shown`);
  });

  test('nothing outstanding, no reminders, no clients; many currencies and a long attention list are summed up', () => {
    const empty = homeView(dashboard({ currencies: [], aging: buildAgingReport([], NOW, TZ), attention: { total: 0, rows: [] }, nextReminders: [], clients: [] }), {
      timezone: TZ,
      approver: false,
    });
    expect(text(empty)).toContain('Nothing outstanding');
    expect(text(empty)).toContain('None scheduled');
    expect(text(empty)).toContain('No clients yet');
    expect(blockProblems(empty.blocks, HOME_MAX_BLOCKS)).toEqual([]);

    const currencies = ['AUD', 'CAD', 'CHF', 'EUR', 'GBP', 'JPY', 'USD'].map((currency) => ({ currency, openCount: 1, outstanding: 1000, overdueCount: 0, overdue: 0, dso: null }));
    const many = homeView(dashboard({ currencies, attention: { total: 25, rows: dashboard().attention.rows } }), { timezone: TZ, approver: false });
    expect(text(many)).toContain('Also outstanding: ¥1,000 (¥0 overdue) · $10.00 ($0.00 overdue)');
    expect(text(many)).toContain('*DSO*\\n—');
    expect(text(many)).toContain('…and 24 more');
  });
});

test('homeNotAllowedView names the billing channel and shows no figures', () => {
  const view = homeNotAllowedView('CBILLING1');
  expect(view).toEqual({ type: 'home', blocks: [expect.objectContaining({ type: 'section' })] });
  expect(text(view)).toContain('<#CBILLING1>');
});

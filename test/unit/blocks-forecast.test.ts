import type { HeaderBlock, SectionBlock } from '@slack/types';
import { balanceSetMessage, forecastMessage, type ForecastView } from '../../blocks/forecast.js';
import { messageProblems } from '../../blocks/limits.js';
import { buildForecast, emptyCurrencyForecast, type ForecastInvoice } from '../../src/domain/forecast.js';
import { projectCashPosition } from '../../src/domain/cash-position.js';

const inv = (number: string, dueDate: string, amount: number, currency = 'USD'): ForecastInvoice => ({
  customer: 'Acme',
  number,
  invoiceDate: '2026-02-01',
  dueDate,
  amount,
  currency,
  paidDate: null,
});
const ASOF = '2026-03-02';

describe('forecastMessage', () => {
  // No history: each invoice expected on its due date; the overdue one a week after as-of (03-09).
  const forecast = buildForecast([inv('1', '2026-03-04', 150000), inv('2', '2026-02-20', 20000), inv('3', '2026-03-20', 98000, 'EUR')], ASOF);
  const usd = forecast.currencies.find((c) => c.currency === 'USD')!;
  const eur = forecast.currencies.find((c) => c.currency === 'EUR')!;
  const view: ForecastView = {
    asOf: ASOF,
    currencies: [
      { forecast: eur, startingBalance: null, projected: null },
      { forecast: usd, startingBalance: 1000000, projected: projectCashPosition(usd.weeks, 1000000) },
    ],
  };
  const message = forecastMessage(view);
  const sections = message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text!.text);

  test('tools whose upcoming milestones are left out are named in the context line, and when nothing is expected', () => {
    const notes = ['clickup did not answer within 2 s: its upcoming milestones are not included.'];
    const withNotes = forecastMessage({ ...view, notes });
    expect(JSON.stringify(withNotes.blocks.at(-1))).toContain(`:warning: ${notes[0]}`);
    expect(JSON.stringify(message.blocks.at(-1))).not.toContain(':warning:');
    expect(forecastMessage({ asOf: ASOF, currencies: [], notes }).text).toContain(notes[0]);
    expect(messageProblems(withNotes)).toEqual([]);
  });

  test('header, one section per currency with weekly table, overdue and projected balance', () => {
    expect((message.blocks[0] as HeaderBlock).text.text).toBe('Cash-flow forecast · next 30 days from Mar 2, 2026');
    expect(sections).toHaveLength(2);
    const [eurText, usdText] = sections as [string, string];
    expect(eurText).toContain('*EUR* · expected in the next 30 days *€980.00*');
    expect(eurText).toContain('No starting balance set: `/invoices balance &lt;amount&gt; EUR`');
    expect(eurText).not.toContain('Bank balance');
    expect(usdText).toContain('Overdue now: *$200.00* (1 invoice)');
    expect(usdText).toContain('Starting balance $10,000.00');
    const rows = usdText.split('```')[1]!.trim().split('\n');
    expect(rows).toEqual([
      'Week              Expected in   Bank balance',
      'Mar 3 – Mar 9       $1,700.00     $11,700.00',
      'Mar 10 – Mar 16         $0.00     $11,700.00',
      'Mar 17 – Mar 23         $0.00     $11,700.00',
      'Mar 24 – Mar 30         $0.00     $11,700.00',
      'Mar 31 – Apr 1          $0.00     $11,700.00',
      'Next 30 days        $1,700.00     $11,700.00',
    ]);
    expect(message.text).toBe('Cash-flow forecast as of Mar 2, 2026: EUR €980.00 expected, €0.00 overdue; USD $1,700.00 expected, $200.00 overdue');
    expect(messageProblems(message)).toEqual([]);
  });

  test('many currencies stay within Slack limits and say how many are hidden', () => {
    const codes = Array.from({ length: 20 }, (_, i) => `X${String.fromCharCode(65 + i)}A`);
    const many = forecastMessage({ asOf: ASOF, currencies: codes.map((c) => ({ forecast: emptyCurrencyForecast(ASOF, c), startingBalance: 5, projected: [5, 5, 5, 5, 5] })) });
    expect(messageProblems(many)).toEqual([]);
    expect(JSON.stringify(many.blocks.at(-1))).toContain('8 more currencies not shown');
  });

  test('nothing to forecast', () => {
    expect(forecastMessage({ asOf: ASOF, currencies: [] }).text).toContain('Nothing open or scheduled as of Mar 2, 2026');
    expect(balanceSetMessage(1250050, 'USD').text).toContain('$12,500.50');
  });
});

describe('forecastMessage with the cash position', () => {
  const base = buildForecast([inv('1', '2026-03-04', 150000)], ASOF).currencies[0]!;
  // The distribution model's range per week (filled by hand until that model lands).
  const usd = { ...base, weeks: base.weeks.map((w, i) => ({ ...w, range: { p10: i === 0 ? 100000 : 0, p90: i === 0 ? 150000 : 20000 } })) };
  const outflows = [50000, 0, 250000, 0, 0];
  const view: ForecastView = {
    asOf: ASOF,
    currencies: [{ forecast: usd, startingBalance: 300000, outflows, projected: projectCashPosition(usd.weeks, 300000, outflows) }],
    outflowsFrom: ['QuickBooks'],
  };
  const message = forecastMessage(view);
  const section = (message.blocks.find((b) => b.type === 'section') as SectionBlock).text!.text;

  test('bills due per week, the likely range and the balance after inflows less bills', () => {
    expect(section).toContain('Bills due in the next 30 days: *$3,000.00*');
    expect(section.split('```')[1]!.trim().split('\n')).toEqual([
      'Week              Expected in            Likely range   Bills due   Bank balance',
      'Mar 3 – Mar 9       $1,500.00   $1,000.00 – $1,500.00     $500.00      $4,000.00',
      'Mar 10 – Mar 16         $0.00         $0.00 – $200.00       $0.00      $4,000.00',
      'Mar 17 – Mar 23         $0.00         $0.00 – $200.00   $2,500.00      $1,500.00',
      'Mar 24 – Mar 30         $0.00         $0.00 – $200.00       $0.00      $1,500.00',
      'Mar 31 – Apr 1          $0.00         $0.00 – $200.00       $0.00      $1,500.00',
      'Next 30 days        $1,500.00                           $3,000.00      $1,500.00',
    ]);
    expect(JSON.stringify(message.blocks.at(-1))).toContain('Outflows: bills due in QuickBooks');
    expect(messageProblems(message)).toEqual([]);
  });

  test('without a back-end that reads bills: inflows only, and it says which back-ends cannot', () => {
    const inflowsOnly = forecastMessage({
      asOf: ASOF,
      currencies: [{ forecast: base, startingBalance: null, outflows: null, projected: null }],
      outflowsUnavailableFrom: ['Stripe', 'Zoho Invoice'],
    });
    expect(JSON.stringify(inflowsOnly.blocks.at(-1))).toContain(
      'Inflows only: outflows are not available from Stripe, Zoho Invoice (bills are read from QuickBooks, Xero and FreshBooks).',
    );
    expect(JSON.stringify(inflowsOnly.blocks)).not.toContain('Bills due');
  });
});

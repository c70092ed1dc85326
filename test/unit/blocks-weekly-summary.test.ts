import { projectCashPosition } from '../../src/domain/cash-position.js';
import type { ContextBlock, HeaderBlock } from '@slack/types';
import { accuracyLine, weeklySummaryMessage } from '../../blocks/weekly-summary.js';
import { messageProblems } from '../../blocks/limits.js';
import { blocksToText } from '../../blocks/render-text.js';
import { buildAgingReport, type AgingInput } from '../../src/domain/aging.js';
import { buildForecast, type ForecastInvoice } from '../../src/domain/forecast.js';
import { renderWeeklySummaryEmail } from '../../src/email/templates.js';

const TZ = 'America/New_York';
const NOW = new Date('2026-11-30T13:00:00Z'); // Monday 08:00 in New York
const ASOF = '2026-11-30';
const open = (number: string, dueDate: string, amount: number, currency = 'USD'): ForecastInvoice => ({
  customer: 'Acme',
  number,
  invoiceDate: '2026-11-10',
  dueDate,
  amount,
  currency,
  paidDate: null,
});
const aging = (number: string, currency: string, total: number, dueDate: string): AgingInput => ({
  number,
  clientName: 'Acme <Ltd>',
  currency,
  total,
  amountPaid: 0,
  status: 'sent',
  sentAt: new Date('2026-11-10T15:00:00Z'),
  dueDate,
});

function view(currencies: string[], accuracy: { currency: string; weeks: number; withinPercent: number | null }[] = []) {
  const forecast = buildForecast(
    currencies.map((c, i) => open(String(i), '2026-12-03', 120000 + i, c)),
    ASOF,
  );
  return {
    weekOf: ASOF,
    timezone: TZ,
    forecast: { asOf: ASOF, currencies: forecast.currencies.map((f) => ({ forecast: f, startingBalance: 500000, projected: projectCashPosition(f.weeks, 500000) })) },
    aging: buildAgingReport(
      currencies.map((c, i) => aging(`INV-${i}`, c, 120000 + i, '2026-11-20')),
      NOW,
      TZ,
    ),
    accuracy,
  };
}

describe('weeklySummaryMessage', () => {
  test('one header for the week, then the forecast and the aging summary, no chart note', () => {
    const message = weeklySummaryMessage(view(['USD']));
    expect((message.blocks[0] as HeaderBlock).text.text).toBe('Weekly cash-flow summary · week of Nov 30, 2026');
    const text = blocksToText(message.blocks);
    expect(text).toContain('Cash-flow forecast · next 30 days from Nov 30, 2026');
    expect(text).toContain('$1,200.00');
    expect(text).toContain('Receivables aging');
    expect(text).toContain('Acme <Ltd>'); // escaped in mrkdwn, readable as text
    expect(text).not.toContain('direct message');
    expect(message.text).toMatch(/^Weekly cash-flow summary, week of Nov 30, 2026\. Cash-flow forecast as of/);
    expect(messageProblems(message)).toEqual([]);
  });

  test('the accuracy line only once a week has been evaluated', () => {
    expect(weeklySummaryMessage(view(['USD'])).blocks.some((b) => b.type === 'context' && JSON.stringify(b).includes('forecast within'))).toBe(false);
    const message = weeklySummaryMessage(view(['USD'], [{ currency: 'USD', weeks: 4, withinPercent: 12 }]));
    expect(((message.blocks[1] as ContextBlock).elements[0] as { text: string }).text).toBe('Last 4 weeks: forecast within 12% of collections');
    expect(message.text).toContain('Last 4 weeks: forecast within 12% of collections.');
  });

  test('several currencies name theirs; one week or nothing collected read naturally', () => {
    expect(
      accuracyLine([
        { currency: 'EUR', weeks: 1, withinPercent: null },
        { currency: 'USD', weeks: 8, withinPercent: 7 },
      ]),
    ).toBe('Last week (EUR): nothing collected against a forecast · Last 8 weeks (USD): forecast within 7% of collections');
    expect(accuracyLine([])).toBeNull();
  });

  test('within Slack limits with many currencies', () => {
    const many = ['AUD', 'CAD', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'JPY', 'NOK', 'NZD', 'PLN', 'SEK', 'SGD', 'USD', 'ZAR'];
    const message = weeklySummaryMessage(
      view(
        many,
        many.map((currency) => ({ currency, weeks: 8, withinPercent: 10 })),
      ),
    );
    expect(messageProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('renderWeeklySummaryEmail', () => {
  test('subject with the business name and the Monday; the summary as text, escaped in HTML', () => {
    const email = renderWeeklySummaryEmail({ weekOf: ASOF, summaryText: 'Receivables aging\nAcme <Ltd> $1.00' }, { businessName: 'Pixel & Co', timezone: TZ });
    expect(email.subject).toBe('[Pixel & Co] Weekly cash-flow summary — week of Nov 30, 2026');
    expect(email.text).toContain('Acme <Ltd> $1.00');
    expect(email.html).toContain('Acme &lt;Ltd&gt; $1.00');
    expect(email.html).not.toContain('<Ltd>');
  });
});

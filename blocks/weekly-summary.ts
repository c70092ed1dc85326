import type { KnownBlock } from '@slack/types';
import type { CurrencyAccuracy } from '../src/domain/forecast-accuracy.js';
import type { AgingReport } from '../src/domain/types.js';
import { agingMessage } from './aging.js';
import { forecastMessage, type ForecastView } from './forecast.js';
import { plural, ymdLabel } from './format.js';
import { LIMITS } from './limits.js';

export interface WeeklySummaryView {
  /** The slot's Monday (`YYYY-MM-DD`). */
  weekOf: string;
  forecast: ForecastView;
  aging: AgingReport;
  accuracy: readonly CurrencyAccuracy[];
  timezone: string;
}

/** "Last 4 weeks: forecast within 12% of collections" per currency; null before any week was evaluated. */
export function accuracyLine(accuracy: readonly CurrencyAccuracy[]): string | null {
  const known = accuracy.filter((a) => a.weeks > 0);
  if (!known.length) return null;
  return known
    .map((a) => {
      const span = a.weeks === 1 ? 'Last week' : `Last ${plural(a.weeks, 'week')}`;
      const measure = a.withinPercent === null ? 'nothing collected against a forecast' : `forecast within ${a.withinPercent}% of collections`;
      return `${span}${known.length > 1 ? ` (${a.currency})` : ''}: ${measure}`;
    })
    .join(' · ');
}

/**
 * The Monday post: the forecast and the aging summary in one message, built from the same pieces as
 * `/invoices forecast` and `/invoices aging`, under one header and with the recent accuracy on top.
 */
export function weeklySummaryMessage(view: WeeklySummaryView): { text: string; blocks: KnownBlock[] } {
  const forecast = forecastMessage(view.forecast, { chartByDm: false });
  const aging = agingMessage(view.aging, { timezone: view.timezone });
  const accuracy = accuracyLine(view.accuracy);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Weekly cash-flow summary · week of ${ymdLabel(view.weekOf)}` } },
    ...(accuracy ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: accuracy }] } as KnownBlock] : []),
    ...forecast.blocks,
    { type: 'divider' },
    ...aging.blocks,
  ];
  // The forecast caps its currencies and the aging report is a few blocks, so this only guards a future change.
  const capped = blocks.length > LIMITS.messageBlocks ? blocks.slice(0, LIMITS.messageBlocks) : blocks;
  const text = [`Weekly cash-flow summary, week of ${ymdLabel(view.weekOf)}.`, ...(accuracy ? [`${accuracy}.`] : []), forecast.text, aging.text].join(' ');
  return { text, blocks: capped };
}

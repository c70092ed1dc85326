import type { KnownBlock } from '@slack/types';
import type { HistoryPage } from '../src/usecases/history.js';
import { clip, esc, truncate, who } from './format.js';

const DETAILS_SHOWN = 160;

/** Who did it: a Slack user as a mention, anything else (a tool, the scheduler) as escaped text. */
function actorLabel(actor: string): string {
  return actor.startsWith('slack:') ? who(actor.slice('slack:'.length)) : esc(truncate(actor, 40));
}

/** `/invoices history`: one line per audit entry, newest first, every outside string escaped for mrkdwn. */
export function historyMessage(page: HistoryPage, o: { timezone: string }): { text: string; blocks: KnownBlock[] } {
  const when = new Intl.DateTimeFormat('en-GB', { timeZone: o.timezone, dateStyle: 'medium', timeStyle: 'short' });
  const title = `History of ${page.subject.kind} ${page.subject.label}${page.page > 1 ? `, page ${page.page}` : ''}`;
  if (!page.entries.length) return { text: esc(`${title}: no entries${page.page > 1 ? ' on this page' : ''}.`), blocks: [] };
  const lines = page.entries.map((e) => {
    const invoice = e.invoiceNumber && page.subject.kind === 'client' ? ` · ${esc(e.invoiceNumber)}` : '';
    const details = Object.keys(e.details).length ? `\n      ${esc(truncate(JSON.stringify(e.details), DETAILS_SHOWN))}` : '';
    return `• ${when.format(e.at)} · *${esc(e.action.replace(/_/g, ' '))}* · ${actorLabel(e.actor)}${invoice}${details}`;
  });
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(title)}*`, 3000) } }];
  // Sections hold 3,000 characters each: the lines are packed into as few as fit.
  let chunk = '';
  for (const line of lines) {
    if (chunk && chunk.length + line.length + 1 > 3000) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${line}` : clip(line, 3000);
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  if (page.more)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `More: \`/invoices history ${esc(truncate(page.subject.query, 80))} page ${page.page + 1}\`` }] });
  return { text: clip(esc(`${title}: ${page.entries.length} entries`), 3000), blocks };
}

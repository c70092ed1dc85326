import type { KnownBlock } from '@slack/types';
import { TONE_NAMES, type InvoiceView, type ReminderTone } from '../src/domain/types.js';
import { INVOICE_ACTIONS_BLOCK } from './ids.js';
import { invoiceMessage } from './invoice-message.js';
import { clip, dateLabel, esc } from './format.js';

export interface ReminderLine {
  tone: ReminderTone;
  dueAt: Date;
  /** pending, claimed, sent, skipped, cancelled or unknown. */
  status: string;
  note: string | null;
}

export interface HistoryLine {
  at: Date;
  actor: string;
  action: string;
}

/** History entries shown: the most recent ones, which are what someone asking usually wants. */
export const HISTORY_SHOWN = 15;

/** `/invoices show <number>`: the invoice as in its channel message, plus its reminder plan and history. */
export function invoiceDetailMessage(
  view: InvoiceView,
  reminders: readonly ReminderLine[],
  history: readonly HistoryLine[],
  options: { timezone: string; now: Date },
): { text: string; blocks: KnownBlock[] } {
  const base = invoiceMessage(view, options);
  // Buttons act on the channel message; an ephemeral copy of them would only confuse.
  const blocks = base.blocks.filter((b) => !('block_id' in b && b.block_id === INVOICE_ACTIONS_BLOCK));
  const day = (d: Date) => dateLabel(d, options.timezone);

  const plan = reminders.length
    ? reminders.map((r, i) => `${i + 1}. ${TONE_NAMES[r.tone]} · ${day(r.dueAt)} · ${esc(r.status)}${r.note ? ` (${esc(r.note)})` : ''}`).join('\n')
    : view.sentAt
      ? '_No reminder steps planned._'
      : '_Planned when the invoice is sent._';
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Reminders*\n${plan}`, 3000) } });

  const recent = history.slice(-HISTORY_SHOWN);
  const skipped = history.length - recent.length;
  const lines = recent.map((h) => `${day(h.at)} · ${esc(h.action.replace(/_/g, ' '))} · ${esc(h.actor)}`);
  if (skipped > 0) lines.unshift(`_${skipped} earlier entries not shown_`);
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*History*\n${lines.join('\n') || '_nothing yet_'}`, 3000) } });
  return { text: base.text, blocks };
}

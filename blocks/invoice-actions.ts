import { TONE_NAMES, type ReminderTone } from '../src/domain/types.js';
import { clip, plural, who } from './format.js';
import type { ThreadPost } from './thread.js';

/** Thread notes for `/invoices pause`, `resume` and `remind`. */

function post(mrkdwn: string): ThreadPost {
  const text = clip(mrkdwn, 3000);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function when(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

export const toneLabel = (tone: ReminderTone): string => `the ${TONE_NAMES[tone]}`;

export function pausedNote(o: { by: string; heldSteps: number }): ThreadPost {
  return post(`:double_vertical_bar: Reminders paused by ${who(o.by)}: ${plural(o.heldSteps, 'step')} held until someone runs \`/invoices resume\`.`);
}

export function resumedNote(o: { by: string; next: { at: Date; tone: ReminderTone } | null; stillDisputed: boolean; timezone: string }): ThreadPost {
  const rest = o.stillDisputed
    ? ' The invoice is still disputed, so its reminders wait until the dispute is resolved.'
    : o.next
      ? ` Next is ${toneLabel(o.next.tone)} on ${when(o.next.at, o.timezone)}.`
      : ' No reminders are left to send.';
  return post(`:arrow_forward: Reminders resumed by ${who(o.by)}.${rest}`);
}

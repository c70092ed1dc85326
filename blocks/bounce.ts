import type { KnownBlock } from '@slack/types';
import { clip, esc, plural, truncate, who } from './format.js';
import type { ThreadPost } from './thread.js';

/** The alert's button: opens the client's billing emails (value = the client id). Approvers only. */
export const UPDATE_BOUNCED_EMAIL = 'update_bounced_email';

const HOW: Record<string, string> = {
  'smtp-reject': 'refused by the mail server at send',
  dsn: 'a delivery failure report came back',
  webhook: 'reported by the mail provider',
};

/**
 * In the invoice's thread: the email to `recipient` bounced, why (outside text: escaped, shortened), and
 * that the client's reminders wait until its billing emails are fixed, with **Update email**.
 */
export function bounceAlert(o: { recipient: string; reason: string; kind: string; provider: string; clientId: string; clientName: string; what: string }): ThreadPost {
  const text = clip(
    `:no_entry: The ${esc(o.what)} to ${esc(truncate(o.recipient, 200))} bounced: ${esc(truncate(o.reason.replace(/\s+/g, ' ').trim() || 'no reason given', 300))} ` +
      `(${HOW[o.kind] ?? 'bounced'}, ${esc(truncate(o.provider, 40))}). Reminders to ${esc(truncate(o.clientName, 100))} are held until its billing emails are updated.`,
    3000,
  );
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      elements: [{ type: 'button', action_id: UPDATE_BOUNCED_EMAIL, text: { type: 'plain_text', text: 'Update email' }, value: o.clientId.slice(0, 2000), style: 'primary' }],
    },
  ];
  return { text, blocks };
}

/** In the thread once the billing emails changed: the hold is over. */
export function bounceResolvedNote(o: { by: string; emails: string[]; bounces: number }): ThreadPost {
  const text = clip(
    `:white_check_mark: Billing emails updated by ${who(o.by)} to ${esc(truncate(o.emails.join(', '), 1500))}; ${plural(o.bounces, 'bounce')} resolved, reminders resume.`,
    3000,
  );
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

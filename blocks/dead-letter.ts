import type { KnownBlock } from '@slack/types';
import type { InboxEvent } from '../src/store/inbox.js';
import type { RetryAnswer } from '../src/usecases/retry-dead-letter.js';
import { RETRY_DEAD_LETTER } from './dead-letter-ids.js';
import { when } from './invoice-actions.js';
import { sourceLabel } from './source-labels.js';
import { clip, esc, plural, truncate, who } from './format.js';

/** An outside value, shortened and escaped for mrkdwn. */
const outside = (value: unknown, max = 80): string => (typeof value === 'string' || typeof value === 'number' ? esc(truncate(String(value), max)) : '?');
const field = (payload: unknown, key: string): unknown => (payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[key] : undefined);

/** What a stored event was about, in one line: task and tool, email sender and subject, back-end event and invoice. */
export function eventSummary(event: Pick<InboxEvent, 'source' | 'kind' | 'payload'>): string {
  const p = event.payload;
  if (event.kind === 'task_changed') {
    const name = field(field(p, 'task'), 'name');
    return `${sourceLabel(String(field(p, 'tool') ?? event.source))} task ${outside(field(p, 'taskId'))}${name === undefined ? '' : ` "${outside(name)}"`}`;
  }
  if (event.kind === 'inbound_email') return `email from ${outside(field(p, 'from'))}, subject "${outside(field(p, 'subject'), 120)}"`;
  if (event.kind === 'backend_event') {
    const invoice = field(p, 'providerInvoiceId') ?? field(p, 'duebotInvoiceId');
    return `${sourceLabel(event.source)} event ${outside(field(p, 'type'))}${invoice ? ` for invoice ${outside(invoice)}` : ''}`;
  }
  return `${sourceLabel(event.source)} event of unknown kind "${outside(event.kind, 40)}"`;
}

/** The last error as a code block: escaped, clipped, no fence of its own to break out of. */
const errorBlock = (error: string | null) => `\`\`\`${esc(truncate((error ?? 'no error recorded').replace(/`{3,}/g, "'''"), 600))}\`\`\``;

export const retryButton = (eventId: number) => ({
  type: 'button' as const,
  action_id: RETRY_DEAD_LETTER,
  text: { type: 'plain_text' as const, text: 'Retry' },
  value: String(eventId),
  style: 'primary' as const,
});

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });

/**
 * The billing-channel message about a dead letter, rendered from the event's current state: given up
 * (with Retry), retried and back in the backoff queue, or retried and done.
 */
export function deadLetterMessage(event: InboxEvent, options: { timezone: string }): { text: string; blocks: KnownBlock[] } {
  const tz = options.timezone;
  const summary = eventSummary(event);
  const facts = [`*What:* ${summary}`, `*First arrived:* ${when(event.receivedAt, tz)} · *Attempts:* ${event.attempts}`, `*Last error:*\n${errorBlock(event.lastError)}`].join(
    '\n',
  );
  const retried = event.retriedBy ? `Retried by ${who(event.retriedBy)}` : 'Retried';
  if (event.processedAt) {
    return {
      text: `Dead letter done: ${summary}`,
      blocks: [
        section(
          `:white_check_mark: *Dead letter done.* ${retried}: processed ${when(event.processedAt, tz)}.\n*What:* ${summary}\n*First arrived:* ${when(event.receivedAt, tz)} · *Attempts:* ${event.attempts}`,
        ),
      ],
    };
  }
  if (!event.deadAt) {
    return {
      text: `Dead letter retried, failed again: ${summary}`,
      blocks: [section(`:hourglass_flowing_sand: *${retried}: failed again*, back in the backoff queue; next attempt about ${when(event.nextAttemptAt, tz)}.\n${facts}`)],
    };
  }
  const again = event.retriedBy ? ` (again, after a Retry by ${who(event.retriedBy)})` : '';
  return {
    text: `Dead letter: gave up on ${summary}`,
    blocks: [
      section(`:rotating_light: *Gave up on a stored event*${again}: it was not acted on. Fix the cause, then Retry.\n${facts}`),
      { type: 'actions', elements: [retryButton(event.id)] },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Gave up ${when(event.deadAt, tz)} after ${plural(event.windowAttempts, 'attempt')} in its window. Retry: approvers only.` }],
      },
    ],
  };
}

/** The ephemeral answer to whoever clicked Retry (the dead-letter message itself shows the outcome too). */
export function retryAnswerText(answer: RetryAnswer, options: { timezone: string }): string {
  switch (answer.outcome) {
    case 'done':
      return ':white_check_mark: Retried: the event was processed.';
    case 'retrying':
      return `:hourglass_flowing_sand: Retried, but it failed again (${esc(truncate(answer.error, 200))}); it is back in the backoff queue, next attempt about ${when(answer.nextAttemptAt, options.timezone)}.`;
    case 'dead':
      return `:x: Retried, but it failed again and cannot be handled (${esc(truncate(answer.error, 200))}).`;
    case 'superseded':
      return 'Retried; another attempt took over, its outcome will show on the dead-letter message.';
    case 'not_dead':
      return answer.state === 'processed'
        ? 'That event was processed already; nothing to retry.'
        : answer.state === 'queued'
          ? 'That event is already back in the queue (someone retried it); nothing changed.'
          : 'No such dead letter.';
  }
}

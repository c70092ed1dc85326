import type { KnownBlock } from '@slack/types';
import type { ConnectionState } from '../src/store/connections.js';
import type { WebhookRegistration } from '../src/store/webhook-registrations.js';
import type { IntegrationStatus } from '../src/usecases/integration-status.js';
import { clip, esc, plural, truncate } from './format.js';
import { inboxBlocks } from './inbox-status.js';
import { sourceLabel } from './source-labels.js';

function when(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

function connectionLine(name: string, c: ConnectionState | null, timezone: string): string {
  if (!c) return `:warning: ${sourceLabel(name)}: not connected yet; an approver runs \`/invoices connect ${esc(name)}\``;
  const last = c.lastSuccessAt ? `last success ${when(c.lastSuccessAt, timezone)}` : 'no success yet';
  if (c.status === 'active') return `:white_check_mark: ${sourceLabel(name)}: connected, ${last}`;
  return `:x: ${sourceLabel(name)}: broken (${esc(truncate(c.lastError ?? 'unknown error', 200))}), ${last}; reconnect with \`/invoices connect ${esc(name)}\``;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });

/**
 * duebot's own webhook registrations, per tool: resource, state, who connected it and when, last delivery.
 * Lines are packed into as many sections as they need (up to 50 per tool fit, each section under Slack's 3,000).
 */
function webhookSections(registrations: WebhookRegistration[], timezone: string): KnownBlock[] {
  const title = '*Webhooks duebot registered*';
  if (registrations.length === 0) return [section(`${title}\nNone yet: \`/invoices connect &lt;tool&gt; &lt;project/list/board id&gt;\``)];
  const lines = [title];
  for (const r of registrations) {
    if (!lines.includes(`${sourceLabel(r.tool)}:`)) lines.push(`${sourceLabel(r.tool)}:`);
    const state = r.status === 'active' ? ':white_check_mark: active' : ':hourglass_flowing_sand: pending';
    const delivery = r.lastDeliveryAt ? `last delivery ${when(r.lastDeliveryAt, timezone)}` : 'no delivery yet';
    lines.push(
      `• \`${esc(truncate(r.resource, 64))}\` ${state}${r.mode === 'manual' ? ' (by hand)' : ''}, connected by <@${esc(r.createdBy)}> ${when(r.createdAt, timezone)}, ${delivery}`,
    );
  }
  const chunks: string[] = [];
  for (const line of lines) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + line.length + 1 <= 2900) chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(line);
  }
  return chunks.map(section);
}

function taxServiceLine(tax: { name: string; waiting: number }): string {
  const name = esc(tax.name);
  return tax.waiting
    ? `:hourglass: ${name}: configured; ${plural(tax.waiting, 'draft')} waiting for sales tax (pending or not computed: see their messages)`
    : `:white_check_mark: ${name}: configured (API key)`;
}

/** `/invoices status`: one line per connection, worst states marked so they stand out. */
export function statusMessage(status: IntegrationStatus, options: { timezone: string }): { text: string; blocks: KnownBlock[] } {
  const tools = status.projectTools.length
    ? status.projectTools.map((t) => `:white_check_mark: ${sourceLabel(t)}: configured`).join('\n')
    : ':warning: None configured: no milestone becomes a draft';
  const backends = status.backends.length
    ? status.backends.map((b) => (b.oauth ? connectionLine(b.name, b.connection, options.timezone) : `:white_check_mark: ${sourceLabel(b.name)}: configured (API key)`)).join('\n')
    : ':warning: None configured';
  const unused = status.unusedConnections.map((c) => `:grey_question: ${sourceLabel(c.provider)}: a stored ${c.status} connection, but the back-end is not configured`);
  const smtp = status.smtp;
  const target = smtp.target ? ` ${esc(smtp.target)}` : '';
  const mail =
    smtp.reachable === null
      ? `:grey_question: SMTP${target}: configured, not checked`
      : smtp.reachable
        ? `:white_check_mark: SMTP${target}: reachable`
        : `:x: SMTP${target}: not reachable (${esc(truncate(smtp.error ?? 'unknown error', 200))})`;
  const bounces = status.openBounces
    ? `\n:no_entry: ${plural(status.openBounces, 'bounced email')} not fixed: the alerts are in the invoice threads (*Update email*); those clients' reminders are held`
    : status.openBounces === 0
      ? '\n:white_check_mark: No bounced emails'
      : '';
  const problems = [
    ...status.backends.filter((b) => b.oauth && b.connection?.status !== 'active').map((b) => sourceLabel(b.name)),
    ...(smtp.reachable === false ? ['SMTP'] : []),
    ...(status.openBounces ? [plural(status.openBounces, 'bounced email')] : []),
    ...(status.inbox?.deadLetters ? [plural(status.inbox.deadLetters, 'dead letter')] : []),
  ];
  return {
    text: problems.length ? `Connections: needs attention: ${problems.join(', ')}` : 'Connections: all configured connections work',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Connections' } },
      section(`*Project tools*\n${tools}`),
      section(`*Invoicing back-ends*\n${[backends, ...unused].join('\n')}`),
      ...(status.taxService ? [section(`*Sales tax*\n${taxServiceLine(status.taxService)}`)] : []),
      section(`*Email*\n${mail}${bounces}`),
      ...(status.inbox ? inboxBlocks(status.inbox, options) : []),
      ...webhookSections(status.webhookRegistrations ?? [], options.timezone),
    ],
  };
}

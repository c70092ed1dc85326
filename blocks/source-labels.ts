import { esc, truncate } from './format.js';

/** How each project tool, back-end and inbox source is named to people. */
const SOURCE_LABEL: Record<string, string> = {
  asana: 'Asana',
  clickup: 'ClickUp',
  trello: 'Trello',
  monday: 'monday.com',
  generic: 'Generic webhook',
  stripe: 'Stripe',
  quickbooks: 'QuickBooks Online',
  freshbooks: 'FreshBooks',
  invoiceninja: 'Invoice Ninja',
  zoho: 'Zoho Invoice',
  email: 'Email',
  slack: 'Slack',
};

/** A source's name for mrkdwn: its label, or the raw name (shortened, escaped) for one not listed. */
export function sourceLabel(source: string): string {
  return esc(sourceName(source));
}

/** The same name as plain text (not escaped), e.g. for an invoice line. */
export function sourceName(source: string): string {
  return Object.hasOwn(SOURCE_LABEL, source) ? SOURCE_LABEL[source]! : truncate(source, 40);
}

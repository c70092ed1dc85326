import { DEFAULT_LOCALE, type Locale } from '../domain/locale.js';
import { GERMAN_TEMPLATES } from './default-templates-de.js';
import { SPANISH_TEMPLATES } from './default-templates-es.js';
import { FRENCH_TEMPLATES } from './default-templates-fr.js';
import { DUTCH_TEMPLATES } from './default-templates-nl.js';
import type { TemplateKind } from './template-fields.js';

export interface EmailTemplate {
  subject: string;
  body: string;
}

/** Only for clients with the client page on (docs/client-page.md); otherwise the line leaves nothing behind. */
const CLIENT_PAGE = `{{#if client_page_url}}
All your invoices: {{client_page_url}}

{{/if}}`;

/**
 * The wording duebot ships with: used until someone edits a template, by "Reset to default", and as
 * the fallback when a stored template cannot be rendered. Block lines ({{#if}}, {{else}}, {{/if}})
 * standing alone on a line leave no empty line behind.
 */
const SIGN_OFF = `{{#if link}}
Pay now: {{link}}

{{else if pay_instructions}}
How to pay:
{{pay_instructions}}

{{/if}}
${CLIENT_PAGE}Please reply to this email with any questions.

{{business}}`;

const PARTLY_PAID = `{{#if partly_paid}}
Thank you for the {{amount_paid}} received so far; {{amount}} remains open.

{{/if}}`;

const AMOUNT_AND_DATE = `Amount due: {{amount}}
Due date: {{due_date}}
{{#if has_tax}}

Subtotal: {{subtotal}}
{{tax_label}}: {{tax}}
Invoice total: {{total}}
{{/if}}
{{#if has_late_fee}}

Late fee: {{late_fee}}{{#if late_fee_link}} (its own invoice, pay it here: {{late_fee_link}}){{/if}}
Total now due: {{amount_with_fees}}
{{/if}}`;

export const DEFAULT_TEMPLATES: Record<TemplateKind, EmailTemplate> = {
  invoice: {
    subject: '[{{business}}] Invoice #{{number}} — {{milestone}} — Due {{due_date}}',
    body: `Hello {{client}},

Thank you for working with {{business}}. Please find invoice #{{number}} for "{{milestone}}" below.

Amount due: {{total}}
Due date: {{due_date}}

{{lines}}

{{#if link}}
Pay now: {{link}}
{{else if pay_instructions}}
How to pay:
{{pay_instructions}}
{{else}}
Payment instructions will follow in a separate message.
{{/if}}

${CLIENT_PAGE}Please reply to this email with any questions.

{{business}}`,
  },
  friendly: {
    subject: '[{{business}}] Reminder: Invoice #{{number}} — {{#if overdue}}{{days_overdue_text}} overdue{{else}}due {{due_date}}{{/if}}',
    body: `Hello {{client}},

Just a quick note that invoice #{{number}} for "{{milestone}}" ({{amount}}) {{timing}}.

${PARTLY_PAID}
If it is already on its way, thank you, and please ignore this message.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  firm: {
    subject: '[{{business}}] {{#if overdue}}Past due: Invoice #{{number}} — {{days_overdue_text}} overdue{{else}}Payment due: Invoice #{{number}} — due {{due_date}}{{/if}}',
    body: `Hello {{client}},

Invoice #{{number}} for "{{milestone}}" {{timing}}. The open balance is {{amount}}.

${PARTLY_PAID}
{{#if overdue}}
Please arrange payment today, or reply to let us know when we can expect it.
{{else}}
Please make sure payment reaches us by the due date.
{{/if}}

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  final: {
    subject: '[{{business}}] Final notice: Invoice #{{number}} — {{#if overdue}}{{days_overdue_text}} overdue{{else}}due {{due_date}}{{/if}}',
    body: `Hello {{client}},

Final notice: invoice #{{number}} for "{{milestone}}" {{timing}}, with {{amount}} still open.

${PARTLY_PAID}
{{#if pause}}
Work on the project ({{milestone}}) is paused until payment is received.

{{/if}}
Please pay now, or reply today if anything about this invoice needs to be discussed.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  credit: {
    subject: '[{{business}}] Credit applied: Invoice #{{number}} — {{#if settled}}settled{{else}}{{amount}} now due{{/if}}',
    body: `Hello {{client}},

We have applied a credit of {{credit_amount}} to invoice #{{number}} for "{{milestone}}" ({{credit_reason}}).

{{#if settled}}
Nothing remains to be paid on this invoice, and no further reminders will be sent.
{{else}}
The corrected balance is {{amount}}, due {{due_date}}.

{{#if link}}
Pay now: {{link}}
{{/if}}
{{/if}}

${CLIENT_PAGE}Please reply to this email with any questions.

{{business}}`,
  },
  statement: {
    subject: '[{{business}}] {{#if final}}Final notice: {{else if firm}}Past due: {{/if}}Statement of open invoices — {{invoice_count}} open, {{total_due}}',
    body: `Hello {{client}},

{{#if final}}
Final notice: the invoices below are still open, {{total_due}} in all.
{{else if firm}}
Some of the invoices below are past due. The open balance is {{total_due}}: please arrange payment today, or reply to let us know when we can expect it.
{{else if requested}}
Here is a statement of your open invoices with {{business}}: {{total_due}} in all.
{{else}}
Just a quick note with your open invoices with {{business}}: {{total_due}} in all. If payment is already on its way, thank you, and please ignore this message.
{{/if}}

{{invoices}}

{{#if pause}}
Work on your projects is paused until payment is received.

{{/if}}
${CLIENT_PAGE}Each invoice has its own payment link above. Please reply to this email with any questions.

{{business}}`,
  },
};

const SHIPPED: Record<Locale, Record<TemplateKind, EmailTemplate>> = {
  en: DEFAULT_TEMPLATES,
  de: GERMAN_TEMPLATES,
  fr: FRENCH_TEMPLATES,
  es: SPANISH_TEMPLATES,
  nl: DUTCH_TEMPLATES,
};

/** The shipped wording of one email in the client's language (English: DEFAULT_TEMPLATES, unchanged). */
export const defaultTemplate = (kind: TemplateKind, locale: Locale = DEFAULT_LOCALE): EmailTemplate => SHIPPED[locale][kind];

import type { EmailTemplate } from './default-templates.js';
import type { TemplateKind } from './template-fields.js';

/** Only for clients with the client page on (docs/client-page.md); otherwise the line leaves nothing behind. */
const CLIENT_PAGE = `{{#if client_page_url}}
Alle Ihre Rechnungen: {{client_page_url}}

{{/if}}`;

/** The shipped German wording (formal "Sie"); same placeholders and blocks as the English. */
const SIGN_OFF = `{{#if link}}
Jetzt bezahlen: {{link}}

{{else if pay_instructions}}
So können Sie bezahlen:
{{pay_instructions}}

{{/if}}
${CLIENT_PAGE}Bei Fragen antworten Sie einfach auf diese E-Mail.

Mit freundlichen Grüßen
{{business}}`;

const PARTLY_PAID = `{{#if partly_paid}}
Vielen Dank für die bisher eingegangenen {{amount_paid}}; offen sind noch {{amount}}.

{{/if}}`;

const AMOUNT_AND_DATE = `Offener Betrag: {{amount}}
Fällig am: {{due_date}}
{{#if has_tax}}

Zwischensumme: {{subtotal}}
{{tax_label}}: {{tax}}
Rechnungsbetrag: {{total}}
{{/if}}
{{#if has_late_fee}}

Verzugsgebühr: {{late_fee}}{{#if late_fee_link}} (eine eigene Rechnung, hier bezahlen: {{late_fee_link}}){{/if}}
Jetzt insgesamt fällig: {{amount_with_fees}}
{{/if}}`;

export const GERMAN_TEMPLATES: Record<TemplateKind, EmailTemplate> = {
  invoice: {
    subject: '[{{business}}] Rechnung Nr. {{number}} — {{milestone}} — fällig am {{due_date}}',
    body: `Guten Tag {{client}},

vielen Dank für die Zusammenarbeit mit {{business}}. Unten finden Sie die Rechnung Nr. {{number}} für „{{milestone}}“.

Rechnungsbetrag: {{total}}
Fällig am: {{due_date}}

{{lines}}

{{#if link}}
Jetzt bezahlen: {{link}}
{{else if pay_instructions}}
So können Sie bezahlen:
{{pay_instructions}}
{{else}}
Die Zahlungsinformationen erhalten Sie in einer separaten Nachricht.
{{/if}}

${CLIENT_PAGE}Bei Fragen antworten Sie einfach auf diese E-Mail.

Mit freundlichen Grüßen
{{business}}`,
  },
  friendly: {
    subject: '[{{business}}] Erinnerung: Rechnung Nr. {{number}} — {{#if overdue}}{{days_overdue_text}} überfällig{{else}}fällig am {{due_date}}{{/if}}',
    body: `Guten Tag {{client}},

eine kurze Erinnerung: Die Rechnung Nr. {{number}} für „{{milestone}}“ ({{amount}}) {{timing}}.

${PARTLY_PAID}
Falls die Zahlung bereits unterwegs ist, vielen Dank, und betrachten Sie diese Nachricht bitte als gegenstandslos.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  firm: {
    subject:
      '[{{business}}] {{#if overdue}}Zahlung überfällig: Rechnung Nr. {{number}} — {{days_overdue_text}} überfällig{{else}}Zahlung fällig: Rechnung Nr. {{number}} — fällig am {{due_date}}{{/if}}',
    body: `Guten Tag {{client}},

die Rechnung Nr. {{number}} für „{{milestone}}“ {{timing}}. Der offene Betrag beläuft sich auf {{amount}}.

${PARTLY_PAID}
{{#if overdue}}
Bitte veranlassen Sie die Zahlung noch heute oder teilen Sie uns kurz mit, wann wir mit ihr rechnen können.
{{else}}
Bitte sorgen Sie dafür, dass die Zahlung bis zum Fälligkeitsdatum bei uns eingeht.
{{/if}}

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  final: {
    subject: '[{{business}}] Letzte Mahnung: Rechnung Nr. {{number}} — {{#if overdue}}{{days_overdue_text}} überfällig{{else}}fällig am {{due_date}}{{/if}}',
    body: `Guten Tag {{client}},

letzte Mahnung: Die Rechnung Nr. {{number}} für „{{milestone}}“ {{timing}}; offen sind noch {{amount}}.

${PARTLY_PAID}
{{#if pause}}
Die Arbeit am Projekt ({{milestone}}) ruht, bis die Zahlung eingegangen ist.

{{/if}}
Bitte bezahlen Sie jetzt, oder antworten Sie uns noch heute, falls es zu dieser Rechnung etwas zu klären gibt.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  credit: {
    subject: '[{{business}}] Gutschrift verbucht: Rechnung Nr. {{number}} — {{#if settled}}beglichen{{else}}jetzt {{amount}} fällig{{/if}}',
    body: `Guten Tag {{client}},

wir haben der Rechnung Nr. {{number}} für „{{milestone}}“ eine Gutschrift über {{credit_amount}} gutgeschrieben ({{credit_reason}}).

{{#if settled}}
Auf diese Rechnung ist nichts mehr zu zahlen, und Sie erhalten keine weiteren Erinnerungen.
{{else}}
Der berichtigte offene Betrag beläuft sich auf {{amount}}, fällig am {{due_date}}.

{{#if link}}
Jetzt bezahlen: {{link}}
{{/if}}
{{/if}}

${CLIENT_PAGE}Bei Fragen antworten Sie einfach auf diese E-Mail.

Mit freundlichen Grüßen
{{business}}`,
  },
  statement: {
    subject: '[{{business}}] {{#if final}}Letzte Mahnung: {{else if firm}}Überfällig: {{/if}}Kontoauszug Ihrer offenen Rechnungen — {{invoice_count}} offen, {{total_due}}',
    body: `Guten Tag {{client}},

{{#if final}}
Letzte Mahnung: Die folgenden Rechnungen sind weiterhin offen, insgesamt {{total_due}}.
{{else if firm}}
Einige der folgenden Rechnungen sind überfällig. Der offene Betrag beträgt {{total_due}}: Bitte veranlassen Sie die Zahlung noch heute oder teilen Sie uns kurz mit, wann wir damit rechnen können.
{{else if requested}}
Hier ist eine Übersicht Ihrer offenen Rechnungen bei {{business}}: insgesamt {{total_due}}.
{{else}}
Eine kurze Übersicht Ihrer offenen Rechnungen bei {{business}}: insgesamt {{total_due}}. Falls die Zahlung bereits unterwegs ist, vielen Dank, und betrachten Sie diese Nachricht bitte als gegenstandslos.
{{/if}}

{{invoices}}

{{#if pause}}
Die Arbeit an Ihren Projekten ruht, bis die Zahlung eingegangen ist.

{{/if}}
${CLIENT_PAGE}Jede Rechnung hat oben ihren eigenen Zahlungslink. Bei Fragen antworten Sie einfach auf diese E-Mail.

Mit freundlichen Grüßen
{{business}}`,
  },
};

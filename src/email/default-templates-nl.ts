import type { EmailTemplate } from './default-templates.js';
import type { TemplateKind } from './template-fields.js';

/** Only for clients with the client page on (docs/client-page.md); otherwise the line leaves nothing behind. */
const CLIENT_PAGE = `{{#if client_page_url}}
Al uw facturen: {{client_page_url}}

{{/if}}`;

/** The shipped Dutch wording (u-vorm); same placeholders and blocks as the English. */
const SIGN_OFF = `{{#if link}}
Nu betalen: {{link}}

{{else if pay_instructions}}
Zo kunt u betalen:
{{pay_instructions}}

{{/if}}
${CLIENT_PAGE}Heeft u vragen? Beantwoord dan gewoon deze e-mail.

Met vriendelijke groet,
{{business}}`;

const PARTLY_PAID = `{{#if partly_paid}}
Hartelijk dank voor de {{amount_paid}} die we al ontvingen; er staat nog {{amount}} open.

{{/if}}`;

const AMOUNT_AND_DATE = `Openstaand bedrag: {{amount}}
Vervaldatum: {{due_date}}
{{#if has_tax}}

Subtotaal: {{subtotal}}
{{tax_label}}: {{tax}}
Factuurtotaal: {{total}}
{{/if}}
{{#if has_late_fee}}

Kosten voor te late betaling: {{late_fee}}{{#if late_fee_link}} (een eigen factuur, hier te betalen: {{late_fee_link}}){{/if}}
Nu in totaal te betalen: {{amount_with_fees}}
{{/if}}`;

export const DUTCH_TEMPLATES: Record<TemplateKind, EmailTemplate> = {
  invoice: {
    subject: '[{{business}}] Factuur {{number}} — {{milestone}} — vervalt op {{due_date}}',
    body: `Beste {{client}},

Hartelijk dank voor de samenwerking met {{business}}. Hieronder vindt u factuur {{number}} voor "{{milestone}}".

Te betalen: {{total}}
Vervaldatum: {{due_date}}

{{lines}}

{{#if link}}
Nu betalen: {{link}}
{{else if pay_instructions}}
Zo kunt u betalen:
{{pay_instructions}}
{{else}}
De betaalgegevens ontvangt u in een apart bericht.
{{/if}}

${CLIENT_PAGE}Heeft u vragen? Beantwoord dan gewoon deze e-mail.

Met vriendelijke groet,
{{business}}`,
  },
  friendly: {
    subject: '[{{business}}] Herinnering: factuur {{number}} — {{#if overdue}}{{days_overdue_text}} te laat{{else}}vervalt op {{due_date}}{{/if}}',
    body: `Beste {{client}},

Een korte herinnering: factuur {{number}} voor "{{milestone}}" ({{amount}}) {{timing}}.

${PARTLY_PAID}
Is de betaling al onderweg? Dan hartelijk dank, en kunt u dit bericht negeren.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  firm: {
    subject:
      '[{{business}}] {{#if overdue}}Betaling te laat: factuur {{number}} — {{days_overdue_text}} te laat{{else}}Betaling verwacht: factuur {{number}} — vervalt op {{due_date}}{{/if}}',
    body: `Beste {{client}},

Factuur {{number}} voor "{{milestone}}" {{timing}}. Het openstaande saldo is {{amount}}.

${PARTLY_PAID}
{{#if overdue}}
Wilt u de betaling vandaag nog regelen, of ons laten weten wanneer we die kunnen verwachten?
{{else}}
Wilt u ervoor zorgen dat de betaling ons vóór de vervaldatum bereikt?
{{/if}}

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  final: {
    subject: '[{{business}}] Laatste herinnering: factuur {{number}} — {{#if overdue}}{{days_overdue_text}} te laat{{else}}vervalt op {{due_date}}{{/if}}',
    body: `Beste {{client}},

Laatste herinnering: factuur {{number}} voor "{{milestone}}" {{timing}}, en er staat nog {{amount}} open.

${PARTLY_PAID}
{{#if pause}}
De werkzaamheden aan het project ({{milestone}}) liggen stil tot de betaling binnen is.

{{/if}}
Wilt u nu betalen, of ons vandaag antwoorden als er over deze factuur iets te bespreken is?

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  credit: {
    subject: '[{{business}}] Creditering verwerkt: factuur {{number}} — {{#if settled}}voldaan{{else}}nu {{amount}} te betalen{{/if}}',
    body: `Beste {{client}},

We hebben een creditering van {{credit_amount}} verwerkt op factuur {{number}} voor "{{milestone}}" ({{credit_reason}}).

{{#if settled}}
Op deze factuur hoeft niets meer betaald te worden, en u ontvangt geen herinneringen meer.
{{else}}
Het gecorrigeerde saldo is {{amount}}, te betalen vóór {{due_date}}.

{{#if link}}
Nu betalen: {{link}}
{{/if}}
{{/if}}

${CLIENT_PAGE}Heeft u vragen? Beantwoord dan gewoon deze e-mail.

Met vriendelijke groet,
{{business}}`,
  },
  statement: {
    subject: '[{{business}}] {{#if final}}Laatste herinnering: {{else if firm}}Achterstallig: {{/if}}Overzicht van uw openstaande facturen — {{invoice_count}} open, {{total_due}}',
    body: `Beste {{client}},

{{#if final}}
Laatste herinnering: de onderstaande facturen staan nog open, in totaal {{total_due}}.
{{else if firm}}
Enkele van de onderstaande facturen zijn vervallen. Het openstaande saldo is {{total_due}}: wilt u de betaling vandaag regelen, of ons laten weten wanneer we die kunnen verwachten?
{{else if requested}}
Hierbij het overzicht van uw openstaande facturen bij {{business}}: in totaal {{total_due}}.
{{else}}
Een korte herinnering aan uw openstaande facturen bij {{business}}: in totaal {{total_due}}. Is de betaling al onderweg, dan hartelijk dank en kunt u dit bericht negeren.
{{/if}}

{{invoices}}

{{#if pause}}
Het werk aan uw projecten ligt stil tot de betaling binnen is.

{{/if}}
${CLIENT_PAGE}Elke factuur heeft hierboven een eigen betaallink. Heeft u vragen, beantwoord dan gewoon deze e-mail.

Met vriendelijke groet,
{{business}}`,
  },
};

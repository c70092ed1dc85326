import type { EmailTemplate } from './default-templates.js';
import type { TemplateKind } from './template-fields.js';

/** Only for clients with the client page on (docs/client-page.md); otherwise the line leaves nothing behind. */
const CLIENT_PAGE = `{{#if client_page_url}}
Toutes vos factures: {{client_page_url}}

{{/if}}`;

/** The shipped French wording (vouvoiement); same placeholders and blocks as the English. */
const SIGN_OFF = `{{#if link}}
Payer maintenant : {{link}}

{{else if pay_instructions}}
Modalités de paiement :
{{pay_instructions}}

{{/if}}
${CLIENT_PAGE}Pour toute question, il vous suffit de répondre à cet e-mail.

Cordialement,
{{business}}`;

const PARTLY_PAID = `{{#if partly_paid}}
Merci pour les {{amount_paid}} déjà reçus ; il reste {{amount}} à régler.

{{/if}}`;

const AMOUNT_AND_DATE = `Montant dû : {{amount}}
Date d'échéance : {{due_date}}
{{#if has_tax}}

Sous-total : {{subtotal}}
{{tax_label}} : {{tax}}
Total de la facture : {{total}}
{{/if}}
{{#if has_late_fee}}

Pénalité de retard : {{late_fee}}{{#if late_fee_link}} (une facture à part, à régler ici : {{late_fee_link}}){{/if}}
Total dû maintenant : {{amount_with_fees}}
{{/if}}`;

export const FRENCH_TEMPLATES: Record<TemplateKind, EmailTemplate> = {
  invoice: {
    subject: '[{{business}}] Facture n° {{number}} — {{milestone}} — échéance le {{due_date}}',
    body: `Bonjour {{client}},

Merci de votre confiance envers {{business}}. Vous trouverez ci-dessous la facture n° {{number}} pour « {{milestone}} ».

Montant dû : {{total}}
Date d'échéance : {{due_date}}

{{lines}}

{{#if link}}
Payer maintenant : {{link}}
{{else if pay_instructions}}
Modalités de paiement :
{{pay_instructions}}
{{else}}
Les modalités de paiement vous seront communiquées dans un message séparé.
{{/if}}

${CLIENT_PAGE}Pour toute question, il vous suffit de répondre à cet e-mail.

Cordialement,
{{business}}`,
  },
  friendly: {
    subject: '[{{business}}] Rappel : facture n° {{number}} — {{#if overdue}}en retard de {{days_overdue_text}}{{else}}échéance le {{due_date}}{{/if}}',
    body: `Bonjour {{client}},

Un petit rappel : la facture n° {{number}} pour « {{milestone}} » ({{amount}}) {{timing}}.

${PARTLY_PAID}
Si le paiement est déjà en route, merci beaucoup, et veuillez ne pas tenir compte de ce message.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  firm: {
    subject:
      '[{{business}}] {{#if overdue}}Paiement en retard : facture n° {{number}} — en retard de {{days_overdue_text}}{{else}}Paiement attendu : facture n° {{number}} — échéance le {{due_date}}{{/if}}',
    body: `Bonjour {{client}},

La facture n° {{number}} pour « {{milestone}} » {{timing}}. Le solde restant dû est de {{amount}}.

${PARTLY_PAID}
{{#if overdue}}
Nous vous remercions de procéder au paiement dès aujourd'hui, ou de nous indiquer quand nous pouvons l'attendre.
{{else}}
Nous vous remercions de veiller à ce que le paiement nous parvienne avant la date d'échéance.
{{/if}}

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  final: {
    subject: '[{{business}}] Dernier rappel : facture n° {{number}} — {{#if overdue}}en retard de {{days_overdue_text}}{{else}}échéance le {{due_date}}{{/if}}',
    body: `Bonjour {{client}},

Dernier rappel : la facture n° {{number}} pour « {{milestone}} » {{timing}}, et {{amount}} restent à régler.

${PARTLY_PAID}
{{#if pause}}
Les travaux sur le projet ({{milestone}}) sont suspendus jusqu'à réception du paiement.

{{/if}}
Merci de régler dès maintenant, ou de nous répondre aujourd'hui si un point de cette facture doit être discuté.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  credit: {
    subject: '[{{business}}] Avoir appliqué : facture n° {{number}} — {{#if settled}}soldée{{else}}{{amount}} désormais dus{{/if}}',
    body: `Bonjour {{client}},

Nous avons appliqué un avoir de {{credit_amount}} à la facture n° {{number}} pour « {{milestone}} » ({{credit_reason}}).

{{#if settled}}
Il n'y a plus rien à régler sur cette facture, et vous ne recevrez plus de rappels.
{{else}}
Le solde corrigé est de {{amount}}, à régler avant le {{due_date}}.

{{#if link}}
Payer maintenant : {{link}}
{{/if}}
{{/if}}

${CLIENT_PAGE}Pour toute question, il vous suffit de répondre à cet e-mail.

Cordialement,
{{business}}`,
  },
  statement: {
    subject: '[{{business}}] {{#if final}}Dernier avis : {{else if firm}}En retard : {{/if}}Relevé de vos factures ouvertes — {{invoice_count}} ouvertes, {{total_due}}',
    body: `Bonjour {{client}},

{{#if final}}
Dernier avis : les factures ci-dessous sont toujours ouvertes, {{total_due}} au total.
{{else if firm}}
Certaines des factures ci-dessous sont en retard. Le solde dû est de {{total_due}} : merci d'organiser le paiement dès aujourd'hui, ou de nous indiquer par retour quand nous pouvons l'attendre.
{{else if requested}}
Voici le relevé de vos factures ouvertes auprès de {{business}} : {{total_due}} au total.
{{else}}
Un petit rappel de vos factures ouvertes auprès de {{business}} : {{total_due}} au total. Si le paiement est déjà en route, merci, et veuillez ignorer ce message.
{{/if}}

{{invoices}}

{{#if pause}}
Les travaux sur vos projets sont suspendus jusqu'à réception du paiement.

{{/if}}
${CLIENT_PAGE}Chaque facture a son propre lien de paiement ci-dessus. Pour toute question, répondez simplement à cet e-mail.

Cordialement,
{{business}}`,
  },
};

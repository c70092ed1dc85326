import type { EmailTemplate } from './default-templates.js';
import type { TemplateKind } from './template-fields.js';

/** Only for clients with the client page on (docs/client-page.md); otherwise the line leaves nothing behind. */
const CLIENT_PAGE = `{{#if client_page_url}}
Todas sus facturas: {{client_page_url}}

{{/if}}`;

/** The shipped Spanish wording (usted); same placeholders and blocks as the English. */
const SIGN_OFF = `{{#if link}}
Pagar ahora: {{link}}

{{else if pay_instructions}}
Cómo pagar:
{{pay_instructions}}

{{/if}}
${CLIENT_PAGE}Si tiene cualquier pregunta, responda a este correo.

Atentamente,
{{business}}`;

const PARTLY_PAID = `{{#if partly_paid}}
Gracias por los {{amount_paid}} recibidos hasta ahora; quedan {{amount}} pendientes.

{{/if}}`;

const AMOUNT_AND_DATE = `Importe pendiente: {{amount}}
Fecha de vencimiento: {{due_date}}
{{#if has_tax}}

Subtotal: {{subtotal}}
{{tax_label}}: {{tax}}
Total de la factura: {{total}}
{{/if}}
{{#if has_late_fee}}

Recargo por demora: {{late_fee}}{{#if late_fee_link}} (una factura aparte, puede pagarla aquí: {{late_fee_link}}){{/if}}
Total pendiente ahora: {{amount_with_fees}}
{{/if}}`;

export const SPANISH_TEMPLATES: Record<TemplateKind, EmailTemplate> = {
  invoice: {
    subject: '[{{business}}] Factura n.º {{number}} — {{milestone}} — vence el {{due_date}}',
    body: `Estimado/a {{client}}:

Gracias por trabajar con {{business}}. A continuación encontrará la factura n.º {{number}} correspondiente a «{{milestone}}».

Importe a pagar: {{total}}
Fecha de vencimiento: {{due_date}}

{{lines}}

{{#if link}}
Pagar ahora: {{link}}
{{else if pay_instructions}}
Cómo pagar:
{{pay_instructions}}
{{else}}
Le enviaremos las instrucciones de pago en un mensaje aparte.
{{/if}}

${CLIENT_PAGE}Si tiene cualquier pregunta, responda a este correo.

Atentamente,
{{business}}`,
  },
  friendly: {
    subject: '[{{business}}] Recordatorio: factura n.º {{number}} — {{#if overdue}}{{days_overdue_text}} de retraso{{else}}vence el {{due_date}}{{/if}}',
    body: `Estimado/a {{client}}:

Le recordamos amablemente que la factura n.º {{number}} correspondiente a «{{milestone}}» ({{amount}}) {{timing}}.

${PARTLY_PAID}
Si el pago ya está en camino, muchas gracias, y le rogamos que ignore este mensaje.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  firm: {
    subject:
      '[{{business}}] {{#if overdue}}Pago vencido: factura n.º {{number}} — {{days_overdue_text}} de retraso{{else}}Pago pendiente: factura n.º {{number}} — vence el {{due_date}}{{/if}}',
    body: `Estimado/a {{client}}:

La factura n.º {{number}} correspondiente a «{{milestone}}» {{timing}}. El saldo pendiente es de {{amount}}.

${PARTLY_PAID}
{{#if overdue}}
Le rogamos que realice el pago hoy mismo o que nos indique cuándo podemos esperarlo.
{{else}}
Le rogamos que el pago nos llegue antes de la fecha de vencimiento.
{{/if}}

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  final: {
    subject: '[{{business}}] Último aviso: factura n.º {{number}} — {{#if overdue}}{{days_overdue_text}} de retraso{{else}}vence el {{due_date}}{{/if}}',
    body: `Estimado/a {{client}}:

Último aviso: la factura n.º {{number}} correspondiente a «{{milestone}}» {{timing}}, con {{amount}} aún pendientes.

${PARTLY_PAID}
{{#if pause}}
Los trabajos del proyecto ({{milestone}}) quedan en pausa hasta que recibamos el pago.

{{/if}}
Le rogamos que pague ahora, o que nos responda hoy si hay algo de esta factura que debamos aclarar.

${AMOUNT_AND_DATE}

${SIGN_OFF}`,
  },
  credit: {
    subject: '[{{business}}] Abono aplicado: factura n.º {{number}} — {{#if settled}}saldada{{else}}ahora {{amount}} pendientes{{/if}}',
    body: `Estimado/a {{client}}:

Hemos aplicado un abono de {{credit_amount}} a la factura n.º {{number}} correspondiente a «{{milestone}}» ({{credit_reason}}).

{{#if settled}}
No queda nada por pagar en esta factura y no recibirá más recordatorios.
{{else}}
El saldo corregido es de {{amount}}, con vencimiento el {{due_date}}.

{{#if link}}
Pagar ahora: {{link}}
{{/if}}
{{/if}}

${CLIENT_PAGE}Si tiene cualquier pregunta, responda a este correo.

Atentamente,
{{business}}`,
  },
  statement: {
    subject: '[{{business}}] {{#if final}}Último aviso: {{else if firm}}Vencidas: {{/if}}Extracto de sus facturas pendientes — {{invoice_count}} pendientes, {{total_due}}',
    body: `Estimado/a {{client}}:

{{#if final}}
Último aviso: las siguientes facturas siguen pendientes, {{total_due}} en total.
{{else if firm}}
Algunas de las siguientes facturas están vencidas. El saldo pendiente es de {{total_due}}: le rogamos que realice el pago hoy mismo o nos indique cuándo podemos esperarlo.
{{else if requested}}
Le enviamos el extracto de sus facturas pendientes con {{business}}: {{total_due}} en total.
{{else}}
Un breve recordatorio de sus facturas pendientes con {{business}}: {{total_due}} en total. Si el pago ya está en camino, muchas gracias y no tenga en cuenta este mensaje.
{{/if}}

{{invoices}}

{{#if pause}}
El trabajo en sus proyectos queda en pausa hasta recibir el pago.

{{/if}}
${CLIENT_PAGE}Cada factura tiene arriba su propio enlace de pago. Si tiene alguna pregunta, responda a este correo.

Saludos cordiales,
{{business}}`,
  },
};

import type { InvoiceView, SalesTaxView } from '../domain/types.js';
import { getSalesTax } from '../store/sales-tax.js';
import { taxServiceDisplayName } from '../domain/sales-tax.js';
import type { InvoiceRecord } from '../store/invoices.js';
import { getClient } from '../store/clients.js';
import { updateInvoice } from '../store/invoices.js';
import { invoiceMessage } from '../../blocks/invoice-message.js';
import type { SlackMessage } from '../slack/notifier.js';
import type { Services } from '../services.js';
import { ceilingReason } from './invoice-ceiling.js';

/** `extras.payInstructions`: what to show where there is no payment link (see payInstructionsFor). */
export function toInvoiceView(invoice: InvoiceRecord, clientName: string, extras: { payInstructions?: string | null } = {}): InvoiceView {
  return {
    id: invoice.id,
    number: invoice.number,
    clientName,
    milestone: invoice.milestone,
    currency: invoice.currency,
    lines: invoice.lines,
    total: invoice.total,
    subtotal: invoice.subtotal,
    taxAmount: invoice.taxAmount,
    taxName: invoice.taxName,
    taxRate: invoice.taxRate,
    provider: invoice.provider,
    payInstructions: extras.payInstructions ?? null,
    amountPaid: invoice.amountPaid,
    dueDate: invoice.dueDate,
    status: invoice.status,
    disputed: invoice.disputed,
    paused: invoice.paused,
    recipients: invoice.recipients,
    paymentUrl: invoice.paymentUrl,
    sentAt: invoice.sentAt,
    paidAt: invoice.paidAt,
    sourceUrl: invoice.sourceUrl,
    attention: invoice.attention,
  };
}

export async function viewOf(services: Services, invoice: InvoiceRecord): Promise<InvoiceView> {
  const client = await getClient(services.db.pool, invoice.clientId);
  const view = {
    ...toInvoiceView(invoice, client?.name ?? invoice.clientId, { payInstructions: payInstructionsFor(services, client) }),
    ...(await salesTaxViewOf(services, invoice)),
  };
  return invoice.status === 'draft' ? { ...view, overCeiling: ceilingReason(services, invoice, client) } : view;
}

/** The tax service's tax for the message (only invoices that have one: drafts since TAX_SERVICE was set). */
async function salesTaxViewOf(services: Services, invoice: InvoiceRecord): Promise<{ salesTax?: SalesTaxView }> {
  const tax = await getSalesTax(services.db.pool, invoice.id);
  // A draft made before TAX_SERVICE was set (or whose first try is under way): Approve waits for its tax, so say so.
  if (!tax && services.tax && invoice.status === 'draft')
    return {
      salesTax: {
        status: 'failed',
        amount: null,
        ratePercent: null,
        name: null,
        jurisdiction: null,
        source: services.tax.displayName,
        reason: 'not computed yet',
        decidedBy: null,
      },
    };
  if (!tax) return {};
  return {
    salesTax: {
      status: tax.status,
      amount: tax.amount,
      ratePercent: tax.ratePercent,
      name: tax.name,
      jurisdiction: tax.jurisdiction,
      source: taxServiceDisplayName(tax.service),
      reason: tax.reason,
      decidedBy: tax.decidedBy,
    },
  };
}

/** The client's own pay instructions, else the business-wide PAY_INSTRUCTIONS. */
export function payInstructionsFor(services: Services, client: { payInstructions?: string | null } | null): string | null {
  return client?.payInstructions ?? services.settings.payInstructions ?? null;
}

/**
 * Keeps the invoice's Slack message in step with the database: posts it the first time (remembering
 * its ts), updates it afterwards. Every state change comes through here, so the Home tabs hear of it too.
 */
export async function publishInvoiceMessage(services: Services, invoice: InvoiceRecord): Promise<InvoiceRecord> {
  services.home.invoiceChanged();
  const message = invoiceMessage(await viewOf(services, invoice), { timezone: services.settings.timezone, now: services.clock.now() });
  if (invoice.slackTs && invoice.slackChannel) {
    await services.slack.update(invoice.slackChannel, invoice.slackTs, message);
    return invoice;
  }
  const channel = services.settings.billingChannelId;
  const ts = await services.slack.post(channel, message);
  if (!ts) return invoice;
  return (await updateInvoice(services.db.pool, invoice.id, { slackChannel: channel, slackTs: ts }, services.clock.now())) ?? invoice;
}

/** Posts in the invoice's thread (or the billing channel when the message was never posted). */
/** Returns the post's ts (null when Slack refused it). */
export async function postInThread(services: Services, invoice: InvoiceRecord, message: SlackMessage): Promise<string | null> {
  services.home.invoiceChanged(); // thread notes mark changes too: a reminder sent, an escalation
  if (invoice.slackChannel && invoice.slackTs) return services.slack.post(invoice.slackChannel, message, invoice.slackTs);
  return services.slack.post(services.settings.billingChannelId, message);
}

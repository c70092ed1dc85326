import { invoiceCeiling, overCeilingReason } from '../domain/amount-ceiling.js';
import { money } from '../domain/money.js';
import type { Client } from '../domain/types.js';
import type { InvoiceRecord } from '../store/invoices.js';
import type { Services } from '../services.js';

/** Why this draft is held for a human (its total is over the client's or the business's ceiling), or null. */
export function ceilingReason(services: Services, invoice: Pick<InvoiceRecord, 'total' | 'currency'>, client: Pick<Client, 'maxInvoiceAmount'> | null): string | null {
  const ceiling = invoiceCeiling(invoice.currency, services.settings.invoiceAmountCeiling, client?.maxInvoiceAmount);
  return overCeilingReason(money(invoice.total, invoice.currency), ceiling);
}

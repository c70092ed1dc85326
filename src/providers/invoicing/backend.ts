import type { InvoiceLine } from '../../domain/types.js';

/** The port every accounting / payments back-end implements (Stripe now; QuickBooks, FreshBooks later). */
export interface InvoicingBackend {
  readonly name: string;
  /**
   * Creates (or finds) the customer, creates the invoice with its lines, finalizes it and returns the
   * payment link. Idempotent per `invoiceId`: calling it again after a crash returns the same invoice.
   */
  issueInvoice(request: IssueInvoiceRequest): Promise<BackendInvoice>;
  /**
   * Voids an open invoice (a disputed amount being corrected: the invoice is reissued under a new
   * number). Idempotent: voiding an invoice that is already void returns it unchanged.
   */
  voidInvoice(providerInvoiceId: string): Promise<BackendInvoice>;
  /** Live state, read right before any reminder and on every payment event. */
  fetchInvoice(providerInvoiceId: string): Promise<BackendInvoice>;
  /**
   * Verifies a webhook delivery over its raw bytes and maps it to a back-end-neutral event.
   * Throws `WebhookSignatureError` when the signature is missing, wrong or stale.
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): BackendWebhookEvent;
  /**
   * For back-ends whose deliveries batch several events (QuickBooks) or whose signing keys are handed
   * out at run time (FreshBooks verifiers, `extraSecrets`): all events of one verified delivery.
   */
  parseWebhookEvents?(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, extraSecrets?: string[]): BackendWebhookEvent[];
  /**
   * For events about another object (a payment): the invoice it applies to, read from the back-end.
   * Called while processing the stored event, never before storing it.
   */
  resolveInvoiceId?(event: BackendWebhookEvent): Promise<string | null>;
  /**
   * Lowers what the client owes on an issued invoice by `amountMinor` (a credit note / credit memo
   * applied to it) and returns the invoice afterwards. Not idempotent at the provider: call it once
   * per credit, behind an effects-ledger claim. `creditId` is the back-end's id of that credit, as
   * `BackendInvoice.credits` names it, so the credit is not counted again when read back.
   */
  creditInvoice?(providerInvoiceId: string, amountMinor: number, reason: string): Promise<BackendInvoice & { creditId: string }>;
  /**
   * For back-ends with a change feed (QuickBooks change-data-capture): ids of the invoices that changed
   * since the previous call, so the payment poll reads only those. Null = unknown (first call, or the
   * feed failed): the poll then checks every open invoice.
   */
  changedSinceLastPoll?(): Promise<Set<string> | null>;
  /**
   * For back-ends that list by status (Stripe `invoices.list({ status: 'open' })`, 100 a page): every
   * invoice still open there, so the payment poll reads one by one only duebot's open invoices missing
   * from it (paid, voided, or issued after the listing).
   */
  listOpenInvoices?(): Promise<BackendInvoice[]>;
  /**
   * Cash in the company's bank accounts, per currency, in minor units: the forecast's starting balance
   * for a currency nobody set with `/invoices balance`. Only back-ends that keep the books (QuickBooks).
   */
  bankBalances?(): Promise<{ currency: string; amount: number; accounts: number }[]>;
  /**
   * Supplier bills still owed whose due date falls within `from` … `to` (YYYY-MM-DD, both included):
   * the forecast's outflows. Only back-ends that keep payables (QuickBooks bills, Xero ACCPAY invoices,
   * FreshBooks bills). Read-only.
   */
  billsDue?(from: string, to: string): Promise<BillDue[]>;
  /** The invoice as the back-end renders it (PDF bytes), for emails that carry no payment link. */
  invoicePdf?(providerInvoiceId: string): Promise<Buffer>;
  /**
   * Every invoice issued on or after `since` (all when null) with its payments, read page by page for
   * the history import (src/usecases/import-history.ts). Read-only; dates are taken in `timezone`.
   */
  listInvoicesForImport?(options: HistoryListOptions): Promise<HistoricInvoice[]>;
}

/** A bill the business owes a supplier. Money in minor units of `currency`. */
export interface BillDue {
  providerBillId: string;
  vendor: string;
  currency: string;
  /** What is still to pay (the bill's total less payments made on it). */
  amountDue: number;
  /** YYYY-MM-DD. */
  dueDate: string;
}

export interface HistoryListOptions {
  /** YYYY-MM-DD: only invoices dated on or after it; null = all. */
  since: string | null;
  /** The business time zone, for back-ends that answer with instants (Stripe). */
  timezone: string;
  /** Rows per page request (default: the back-end's largest page); tests page with small ones. */
  pageSize?: number;
}

/** One back-end invoice as the history import needs it. Money in minor units, dates YYYY-MM-DD. */
export interface HistoricInvoice {
  providerInvoiceId: string;
  providerCustomerId: string;
  customerName: string;
  /** The back-end's invoice number (its id when it has none). */
  number: string;
  currency: string;
  total: number;
  amountPaid: number;
  issueDate: string;
  dueDate: string | null;
  /** When the last payment settled it; null while money is owed. */
  paidDate: string | null;
  status: BackendInvoiceStatus;
}

export interface IssueInvoiceRequest {
  /** duebot's invoice id (uuid): the idempotency anchor for every call. */
  invoiceId: string;
  /** duebot's gap-free number, e.g. "INV-0042", shown on the back-end invoice too. */
  number: string;
  /** `providerCustomerId` is the id remembered from an earlier invoice, reused when present. */
  customer: { clientId: string; name: string; emails: string[]; providerCustomerId: string | null; freshbooksTax?: string | null };
  currency: string;
  lines: InvoiceLine[];
  /** YYYY-MM-DD the invoice is dated: today in the business time zone. */
  issueDate: string;
  /**
   * YYYY-MM-DD the invoice is due, pinned by duebot when the first attempt starts (never computed from
   * "today" inside an adapter), so a retry on a later day sends the same parameters.
   */
  dueDate: string;
  /** The business time zone: where a back-end wants an instant (Stripe), the due date ends at midnight there. */
  timezone: string;
  /**
   * duebot's issue attempt (0, 1, ...), part of every idempotency key. duebot moves to the next attempt
   * after a definite failure (`isDefiniteFailure`), which the back-end may have stored under the old
   * keys; an unknown outcome keeps the attempt, so a replay returns the first result. Adapters find an
   * invoice made by an earlier attempt before creating one, so an invoice is never made twice.
   */
  attempt: number;
  /** Milestone name, used as the invoice description/memo. */
  memo: string;
  /**
   * Sales tax duebot computed before the draft (TaxJar, Avalara): the invoice must carry exactly this
   * amount, as the back-end's own tax where it accepts an explicit amount, else as a last line named
   * `name`. Absent: the back-end applies the customer's configured tax, as before.
   */
  salesTax?: SalesTax | null;
  metadata: Record<string, string>;
}

/** Tax computed by a tax service for one invoice. Minor units, in the invoice's currency. */
export interface SalesTax {
  amount: number;
  /** Combined rate as a decimal string ("8.875"). */
  ratePercent: string;
  /** What the client sees, e.g. "Sales tax (NY)". */
  name: string;
  /** Which service computed it: "taxjar", "avalara". */
  source: string;
}

export type BackendInvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export interface BackendInvoice {
  providerInvoiceId: string;
  providerCustomerId: string;
  status: BackendInvoiceStatus;
  currency: string;
  /** Minor units. */
  amountDue: number;
  /** Money received: payments only, never a credit note, credit memo or credit payment. */
  amountPaid: number;
  /**
   * Credits applied to the invoice (Stripe credit notes, QuickBooks credit memos, FreshBooks credit
   * payments), whoever made them, in duebot or in the back-end's own UI.
   */
  amountCredited: number;
  /**
   * The same credits one by one, keyed by the back-end's own id, when the adapter read them (a listing
   * of open invoices does not): what makes a credit seen twice (webhook, then poll) count once.
   */
  credits?: BackendCredit[];
  /** What the client still owes. */
  amountRemaining: number;
  /** One-click payment page, or null where the back-end gives none. */
  paymentUrl: string | null;
  pdfUrl: string | null;
  /** The number the client sees on the back-end's invoice: duebot's own for invoices duebot issued (null while a Stripe draft has none; absent: not read). */
  number?: string | null;
  metadata: Record<string, string>;
  /** The invoice's tax as the back-end computed it from the customer's settings (absent: not read). */
  tax?: BackendTax;
}

/** One credit applied to an invoice at the back-end. */
export interface BackendCredit {
  /** Stable at the back-end: a credit note id (Stripe), the payment applying a credit memo (QuickBooks), a credit payment (FreshBooks). */
  id: string;
  /** Minor units applied to this invoice. */
  amount: number;
}

/** Minor units; `subtotal + amount` is the invoice total. */
export interface BackendTax {
  subtotal: number;
  amount: number;
  /** e.g. "Sales Tax", "GST"; several taxes are joined with " + ". */
  name: string | null;
  /** Percent as a decimal string ("8.25"); several rates are summed when they all apply to the whole subtotal. */
  ratePercent: string | null;
}

/** 'credit': a credit note / memo about the invoice (processing re-reads the invoice, as for the others). */
export type BackendEventKind = 'paid' | 'payment' | 'credit' | 'voided' | 'uncollectible' | 'ignored';

export interface BackendWebhookEvent {
  /** The provider's event id: the dedupe key. */
  eventId: string;
  /** Provider's own type string, e.g. "invoice.paid". */
  type: string;
  kind: BackendEventKind;
  providerInvoiceId: string | null;
  /** duebot's invoice id where the back-end echoes our metadata. */
  duebotInvoiceId: string | null;
  occurredAt: Date;
  /** What the event is about when it is not the invoice itself, e.g. `{ type: 'payment', id: '778' }`. */
  subject?: { type: string; id: string } | null;
}

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

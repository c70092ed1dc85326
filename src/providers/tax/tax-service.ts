import type { InvoiceLine } from '../../domain/types.js';

/**
 * The port of a sales-tax service (TaxJar, Avalara AvaTax): given where the business sells from (its
 * nexus, from config) and where the client is billed, the tax per line and in total, in duebot's
 * integer minor units. Every adapter converts the service's float dollars at its boundary (tax-money.ts).
 */
export interface TaxService {
  readonly name: TaxServiceName;
  /** "TaxJar", "Avalara": where the tax came from, on the draft. */
  readonly displayName: string;
  /**
   * The tax for a draft. Avalara records an uncommitted SalesInvoice under `invoiceId` (a repeat with the
   * same code overwrites it while uncommitted); TaxJar only calculates.
   */
  quote(request: TaxQuoteRequest): Promise<TaxQuote>;
  /**
   * The invoice went out with this tax: Avalara commits its transaction, TaxJar records an order for its
   * reports. Idempotent: done before counts as done.
   */
  record(request: TaxQuoteRequest, quote: TaxQuote): Promise<void>;
  /** duebot voided the invoice: Avalara voids the transaction (DocVoided), TaxJar deletes the order. Idempotent. */
  void(invoiceId: string): Promise<void>;
}

export type TaxServiceName = 'taxjar' | 'avalara';

/** A postal address as tax services need it: US/CA need the region (state) and postal code. */
export interface TaxAddress {
  line1?: string | null;
  city?: string | null;
  /** State / province code, e.g. "NY". */
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, e.g. "US". */
  country: string;
}

export interface TaxQuoteRequest {
  /** duebot's invoice id: Avalara's transaction code, TaxJar's transaction_id. */
  invoiceId: string;
  /** duebot's number, kept as the service's reference. */
  number: string;
  /** The client's id: the service's customer code. */
  customerCode: string;
  /** YYYY-MM-DD, the invoice date. */
  date: string;
  currency: string;
  lines: InvoiceLine[];
  to: TaxAddress;
}

export interface TaxQuote {
  source: TaxServiceName;
  /** Minor units per line, in the order of the request's lines. */
  lineTaxes: number[];
  /** Minor units: the tax on the invoice (the service's total, rounded to the currency). */
  amount: number;
  /** Combined rate in percent as a decimal string ("8.875"). */
  ratePercent: string;
  /** Where it applies, e.g. "NY, NEW YORK, NEW YORK CITY". */
  jurisdiction: string;
}

/**
 * `unavailable`: the service did not answer (5xx, timeout, 429, network): try again later.
 * `rejected`: it answered no (bad address, auth, plan): a person must fix something.
 */
export class TaxServiceError extends Error {
  override readonly name = 'TaxServiceError';
  constructor(
    message: string,
    readonly kind: 'unavailable' | 'rejected',
    /** The HTTP status where the SDK tells it (TaxJar); null otherwise. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** Which failures a person sees as "pending, retrying" rather than "fix this". */
export function isTaxServiceDown(err: unknown): boolean {
  return err instanceof TaxServiceError && err.kind === 'unavailable';
}

/** The service's code for this error, for the call metrics. */
export function taxErrorCode(err: unknown): string {
  return err instanceof TaxServiceError ? err.kind : 'error';
}

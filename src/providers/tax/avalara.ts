import AvataxModule from 'avatax';

// The package's CommonJS export is the client class itself; its typings declare it as `default`.
const Avatax = ((AvataxModule as unknown as { default?: unknown }).default ?? AvataxModule) as typeof AvataxModule.default;
import { money, toMajorString } from '../../domain/money.js';
import { addPercents } from '../../domain/tax.js';
import { observedCalls, unobserved, type CallObserver } from '../call-observer.js';
import { taxErrorCode, TaxServiceError, type TaxAddress, type TaxQuote, type TaxQuoteRequest, type TaxService } from './tax-service.js';
import { percentFromFraction, taxMinorUnits } from './tax-money.js';
import type { TaxOrigin } from './tax-origin.js';

export interface AvalaraOptions {
  accountId: string;
  licenseKey: string;
  /** AVALARA_COMPANY_CODE (default "DEFAULT"). */
  companyCode: string;
  /** "sandbox", "production" or a full base URL (AVALARA_API_URL: a local stand-in); the SDK takes all three. */
  environment: string;
  origin: TaxOrigin;
  /** Avalara tax code for every line (e.g. "SC040200"); absent: Avalara's default (P0000000, tangible goods). */
  taxCode?: string | null;
  /** The SDK's default is 20 minutes. */
  timeoutMs?: number;
  observe?: CallObserver;
}

const SALES_INVOICE = 'SalesInvoice';
/** Errors that are about the request: retrying the same call cannot help. */
const CLIENT_CODES = new Set([
  'AuthenticationException',
  'AuthorizationException',
  'ValueRequiredError',
  'EntityNotFoundError',
  'DocumentCodeConflict',
  'InvalidAddress',
  'AddressRangeError',
  'AddressUnknownStreetError',
  'InvalidZipForStateError',
  'ModelRequiredException',
  'CannotModifyLockedTransaction',
]);

const major = (minor: number, currency: string) => Number(toMajorString(money(minor, currency)));

const address = (a: TaxAddress) => ({
  ...(a.line1 ? { line1: a.line1 } : {}),
  ...(a.city ? { city: a.city } : {}),
  region: a.region,
  country: a.country,
  postalCode: a.postalCode,
});

/**
 * Avalara AvaTax through its SDK (REST v2, Basic auth accountId:licenseKey). One SalesInvoice per duebot
 * invoice, coded with duebot's invoice id: created uncommitted at the draft (a recompute overwrites it),
 * committed on send, voided (DocVoided) when duebot voids the invoice.
 */
export function createAvalaraService(options: AvalaraOptions): TaxService {
  const client = new Avatax({
    appName: 'duebot',
    appVersion: '1.0',
    machineName: 'duebot',
    environment: options.environment,
    timeout: options.timeoutMs ?? 15_000,
  }).withSecurity({ accountId: options.accountId, licenseKey: options.licenseKey } as never);
  const observer = options.observe ?? unobserved;
  const call = observedCalls(observer, toTaxError, taxErrorCode);
  const companyCode = options.companyCode;
  const byCode = (invoiceId: string) => ({ companyCode, transactionCode: invoiceId, documentType: SALES_INVOICE as never });

  return {
    name: 'avalara',
    displayName: 'Avalara',

    async quote(req) {
      const model = {
        type: SALES_INVOICE,
        code: req.invoiceId,
        referenceCode: req.number,
        companyCode,
        date: req.date,
        customerCode: req.customerCode,
        currencyCode: req.currency,
        commit: false,
        addresses: { shipFrom: address(options.origin.from), shipTo: address(req.to) },
        lines: req.lines.map((line, index) => ({
          number: String(index + 1),
          quantity: 1,
          // The line total (Avalara's `amount` is the extended amount).
          amount: major(line.amount, req.currency),
          description: line.description.slice(0, 2048),
          ...(options.taxCode ? { taxCode: options.taxCode } : {}),
        })),
      };
      const res = await call('create transaction', () => client.createTransaction({ model: model as never, include: 'Lines,Summary' }));
      return toQuote(res as unknown as AvalaraTransaction, req);
    },

    async record(req) {
      const current = (await call('get transaction', () => client.getTransactionByCode(byCode(req.invoiceId)))) as unknown as AvalaraTransaction | null;
      if (current?.status === 'Committed') return;
      await call('commit transaction', () => client.commitTransaction({ ...byCode(req.invoiceId), model: { commit: true } as never }));
    },

    async void(invoiceId) {
      let current: AvalaraTransaction | null;
      try {
        current = (await call('get transaction', () => client.getTransactionByCode(byCode(invoiceId)))) as unknown as AvalaraTransaction | null;
      } catch (err) {
        if (err instanceof TaxServiceError && /EntityNotFoundError/.test(err.message)) return; // never created
        throw err;
      }
      if (!current || current.status === 'Cancelled') return;
      // The reason as the string the API documents (the SDK's TypeScript enum is numeric).
      await call('void transaction', () => client.voidTransaction({ ...byCode(invoiceId), model: { code: 'DocVoided' } as never }));
    },
  };
}

export interface AvalaraTransaction {
  code: string;
  status: string;
  totalTax: number;
  lines?: { lineNumber: string; tax: number }[];
  summary?: { jurisName?: string; jurisType?: string; rate?: number; tax?: number; taxName?: string }[];
}

export function toQuote(tx: AvalaraTransaction, req: TaxQuoteRequest): TaxQuote {
  const byNumber = new Map((tx.lines ?? []).map((l) => [String(l.lineNumber), l.tax]));
  const summary = (tx.summary ?? []).filter((s) => typeof s.rate === 'number');
  const names = [...new Set(summary.map((s) => s.jurisName).filter((n): n is string => Boolean(n)))];
  return {
    source: 'avalara',
    lineTaxes: req.lines.map((_, index) => (byNumber.has(String(index + 1)) ? taxMinorUnits(byNumber.get(String(index + 1)), req.currency, `Avalara line ${index + 1} tax`) : 0)),
    amount: taxMinorUnits(tx.totalTax, req.currency, 'Avalara totalTax'),
    ratePercent: addPercents(summary.map((s) => percentFromFraction(s.rate))) ?? '0',
    jurisdiction: names.join(', ') || req.to.region,
  };
}

/**
 * The SDK throws `AvalaraError` (code, target, details) when the body carries `error`, whatever the HTTP
 * status (which it never exposes); a body that is not JSON (a gateway's 503 or 429 page) gives code
 * FormatException; its own timeout rejects with Error("timeout"); fetch fails with a TypeError.
 */
export function toTaxError(what: string, err: unknown): TaxServiceError {
  if (err instanceof TaxServiceError) return err;
  const e = (err ?? {}) as { code?: string; message?: string; details?: { faultCode?: string }[] };
  const message = `Avalara ${what} failed${e.code ? ` (${e.code})` : ''}: ${e.message ?? String(err)}`;
  const client = e.code && (CLIENT_CODES.has(e.code) || e.details?.[0]?.faultCode === 'Client');
  return new TaxServiceError(message, client ? 'rejected' : 'unavailable');
}

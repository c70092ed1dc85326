import Taxjar from 'taxjar';
import { money, toMajorString } from '../../domain/money.js';
import { observedCalls, unobserved, type CallObserver } from '../call-observer.js';
import { taxErrorCode, TaxServiceError, type TaxQuote, type TaxQuoteRequest, type TaxService } from './tax-service.js';
import { percentFromFraction, taxMinorUnits } from './tax-money.js';
import { withTimeout, type TaxOrigin } from './tax-origin.js';

export interface TaxJarOptions {
  apiKey: string;
  /** TAXJAR_API_URL, without /v2 (the SDK appends it); absent: https://api.taxjar.com. */
  apiUrl?: string | null;
  origin: TaxOrigin;
  /** TaxJar product tax code for every line (e.g. "19000" for services); absent: general tangible goods. */
  productTaxCode?: string | null;
  timeoutMs?: number;
  observe?: CallObserver;
}

/**
 * TaxJar takes no negative line: a credit line (an Adjust-amount settlement) becomes a `discount` on the
 * positive lines, as TaxJar asks for order-wide discounts, spread in proportion to their amounts with
 * whole minor units (largest remainder), never more than a line's own amount. Index = duebot's line.
 */
export function taxJarLines(lines: readonly { amount: number }[]): { index: number; amount: number; discount: number }[] {
  const positive = lines.map((l, index) => ({ index, amount: l.amount })).filter((l) => l.amount > 0);
  const base = positive.reduce((sum, l) => sum + l.amount, 0);
  const credit = Math.min(base, -lines.reduce((sum, l) => sum + Math.min(l.amount, 0), 0));
  if (!credit) return positive.map((l) => ({ ...l, discount: 0 }));
  const shares = positive.map((l) => {
    const exact = BigInt(l.amount) * BigInt(credit);
    return { ...l, discount: Number(exact / BigInt(base)), rest: exact % BigInt(base) };
  });
  let left = credit - shares.reduce((sum, l) => sum + l.discount, 0);
  for (const share of [...shares].sort((a, b) => (b.rest > a.rest ? 1 : b.rest < a.rest ? -1 : a.index - b.index))) {
    if (left === 0) break;
    if (share.discount < share.amount) {
      share.discount += 1;
      left -= 1;
    }
  }
  return shares.map(({ index, amount, discount }) => ({ index, amount, discount }));
}

/** JSON numbers in major units for what duebot sends: the exact decimal string's number. */
const major = (minor: number, currency: string) => Number(toMajorString(money(minor, currency)));

/** TaxJar through its SDK (taxjar 5.x: global fetch, `Authorization: Bearer`). */
export function createTaxJarService(options: TaxJarOptions): TaxService {
  const client = new Taxjar({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl.replace(/\/+$/, '') } : {}) });
  const observer = options.observe ?? unobserved;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const observed = observedCalls(observer, toTaxError, taxErrorCode);
  // The SDK has no timeout of its own.
  const call = <T>(what: string, work: () => Promise<T>): Promise<T> =>
    observed(what, () => withTimeout(work(), timeoutMs, () => new TaxServiceError(`TaxJar ${what}: no answer within ${timeoutMs} ms`, 'unavailable')));
  const from = options.origin.from;
  const fromParams = {
    from_country: from.country,
    from_zip: from.postalCode,
    from_state: from.region,
    ...(from.city ? { from_city: from.city } : {}),
    ...(from.line1 ? { from_street: from.line1 } : {}),
  };
  const toParams = (req: TaxQuoteRequest) => ({
    to_country: req.to.country,
    to_zip: req.to.postalCode,
    to_state: req.to.region,
    ...(req.to.city ? { to_city: req.to.city } : {}),
    ...(req.to.line1 ? { to_street: req.to.line1 } : {}),
  });

  return {
    name: 'taxjar',
    displayName: 'TaxJar',

    async quote(req) {
      const res = await call('tax for order', () =>
        client.taxForOrder({
          ...fromParams,
          ...toParams(req),
          shipping: 0,
          // One unit at the line's total: duebot's rounding of quantity × price stays duebot's.
          line_items: taxJarLines(req.lines).map((line) => ({
            id: String(line.index),
            quantity: 1,
            unit_price: major(line.amount, req.currency),
            ...(line.discount ? { discount: major(line.discount, req.currency) } : {}),
            ...(options.productTaxCode ? { product_tax_code: options.productTaxCode } : {}),
          })),
          ...(options.origin.nexusStates.length ? { nexus_addresses: options.origin.nexusStates.map((state) => ({ id: `nexus-${state}`, country: 'US', state })) } : {}),
        } as never),
      );
      return toQuote(res as unknown as TaxJarTaxResponse, req);
    },

    async record(req, quote) {
      const subtotal = req.lines.reduce((sum, l) => sum + l.amount, 0);
      try {
        await call('create order', () =>
          client.createOrder({
            transaction_id: req.invoiceId,
            transaction_date: req.date,
            ...fromParams,
            ...toParams(req),
            amount: major(subtotal, req.currency),
            shipping: 0,
            sales_tax: major(quote.amount, req.currency),
            line_items: taxJarLines(req.lines).map((line) => ({
              id: String(line.index),
              quantity: 1,
              product_identifier: `${req.number}-${line.index + 1}`,
              description: req.lines[line.index]!.description.slice(0, 255),
              unit_price: major(line.amount, req.currency),
              ...(line.discount ? { discount: major(line.discount, req.currency) } : {}),
              sales_tax: major(quote.lineTaxes[line.index] ?? 0, req.currency),
              ...(options.productTaxCode ? { product_tax_code: options.productTaxCode } : {}),
            })),
          } as never),
        );
      } catch (err) {
        // 422: an order with this transaction_id exists: recorded by an earlier try.
        if (statusOf(err) === 422) return;
        throw err;
      }
    },

    async void(invoiceId) {
      try {
        await call('delete order', () => client.deleteOrder(invoiceId));
      } catch (err) {
        if (statusOf(err) === 404) return; // never recorded (not sent yet) or deleted before
        throw err;
      }
    },
  };
}

interface TaxJarTaxResponse {
  tax: {
    amount_to_collect: number;
    rate: number;
    has_nexus: boolean;
    jurisdictions?: { country?: string; state?: string; county?: string; city?: string };
    breakdown?: { line_items?: { id: string; tax_collectable: number }[] };
  };
}

export function toQuote(res: TaxJarTaxResponse, req: TaxQuoteRequest): TaxQuote {
  const tax = res.tax;
  const byId = new Map((tax.breakdown?.line_items ?? []).map((l) => [String(l.id), l.tax_collectable]));
  const j = tax.jurisdictions ?? {};
  return {
    source: 'taxjar',
    lineTaxes: req.lines.map((_, index) => (byId.has(String(index)) ? taxMinorUnits(byId.get(String(index)), req.currency, `TaxJar line ${index + 1} tax`) : 0)),
    amount: taxMinorUnits(tax.amount_to_collect, req.currency, 'TaxJar amount_to_collect'),
    ratePercent: tax.has_nexus ? percentFromFraction(tax.rate) : '0',
    jurisdiction: tax.has_nexus ? [j.state, j.county, j.city].filter(Boolean).join(', ') || req.to.region : `${req.to.region} (no nexus)`,
  };
}

function statusOf(err: unknown): number | null {
  return err instanceof TaxServiceError ? err.status : null;
}

/**
 * The SDK throws `TaxjarError` (error, detail, status) for a JSON error body, the raw `{statusCode, error}`
 * for any other failed response, and fetch's TypeError for a network failure.
 */
export function toTaxError(what: string, err: unknown): TaxServiceError {
  if (err instanceof TaxServiceError) return err;
  const e = (err ?? {}) as { status?: number; statusCode?: number; error?: unknown; detail?: string; message?: string };
  const status = e.status ?? e.statusCode ?? null;
  const reason = typeof e.detail === 'string' ? `${String(e.error)} - ${e.detail}` : (e.message ?? (typeof e.error === 'string' ? e.error.slice(0, 200) : 'no response'));
  const message = `TaxJar ${what} failed${status ? ` (${status})` : ''}: ${reason}`;
  const down = status === null || status === 429 || status >= 500;
  return new TaxServiceError(message, down ? 'unavailable' : 'rejected', status);
}

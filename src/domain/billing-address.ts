/**
 * A client's billing address, where sales tax is sourced to (TaxJar, Avalara: src/providers/tax/). Set in
 * the clients file (`billingAddress`) or the client settings modal. US and Canadian addresses need the
 * region (state / province code) and postal code; tax services work by them.
 */
export interface BillingAddress {
  line1: string | null;
  city: string | null;
  /** State / province code, e.g. "NY". */
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, e.g. "US". */
  country: string;
}

export const US_STATES = new Set(
  (
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY ' + 'AS GU MP PR VI'
  ).split(' '),
);

/** What a person typed, trimmed, upper-cased where codes are meant; empty strings as null. */
export function billingAddressOf(input: { line1?: unknown; city?: unknown; region?: unknown; postalCode?: unknown; country?: unknown }): {
  address: BillingAddress | null;
  problem: string | null;
} {
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
  const line1 = str(input.line1);
  const city = str(input.city);
  const region = str(input.region).toUpperCase();
  const postalCode = str(input.postalCode).toUpperCase();
  const country = (str(input.country) || (region || postalCode ? 'US' : '')).toUpperCase();
  if (!line1 && !city && !region && !postalCode && !str(input.country)) return { address: null, problem: null };
  const address: BillingAddress = { line1: line1 || null, city: city || null, region, postalCode, country };
  return { address, problem: billingAddressProblem(address) };
}

/** Why a billing address cannot be used for sales tax, or null. */
export function billingAddressProblem(a: BillingAddress): string | null {
  if (!/^[A-Z]{2}$/.test(a.country)) return `country "${a.country}" is not a two-letter code such as US`;
  if (a.line1 && a.line1.length > 200) return 'the street is longer than 200 characters';
  if (a.city && a.city.length > 100) return 'the city is longer than 100 characters';
  if (a.country === 'US') {
    if (!US_STATES.has(a.region)) return `"${a.region}" is not a US state code such as NY`;
    if (!/^\d{5}(-\d{4})?$/.test(a.postalCode)) return `"${a.postalCode}" is not a US ZIP code (12345 or 12345-6789)`;
  } else {
    if (a.country === 'CA' && !/^[A-Z]{2}$/.test(a.region)) return `"${a.region}" is not a Canadian province code such as ON`;
    if (a.region.length > 50) return 'the region is longer than 50 characters';
    if (!a.postalCode || a.postalCode.length > 20) return 'a postal code (up to 20 characters) is required';
  }
  return null;
}

/** "350 5th Ave, New York, NY 10118, US" */
export function formatBillingAddress(a: BillingAddress): string {
  return [a.line1, a.city, `${a.region} ${a.postalCode}`.trim(), a.country].filter(Boolean).join(', ');
}

import { billingAddressOf, US_STATES } from '../../domain/billing-address.js';
import type { TaxOrigin } from './tax-origin.js';
import type { TaxServiceName } from './tax-service.js';

/** TAX_SERVICE and its settings (see .env.example, docs/tax.md); null: no tax service, the back-end's own tax as before. */
export interface TaxConfig {
  service: TaxServiceName;
  origin: TaxOrigin;
  taxjar: { apiKey: string; apiUrl: string | null; productTaxCode: string | null } | null;
  avalara: { accountId: string; licenseKey: string; companyCode: string; environment: string; taxCode: string | null } | null;
}

/**
 * Reads the tax settings from the (already schema-checked) environment: every problem is named, one
 * line per variable, as src/config.ts reports them. Credentials of the service not chosen are ignored.
 */
export function taxConfig(env: Record<string, string | undefined>): { config: TaxConfig | null; problems: string[] } {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const problems: string[] = [];
  const service = get('TAX_SERVICE');
  if (!service) return { config: null, problems };
  if (service !== 'taxjar' && service !== 'avalara') return { config: null, problems: ['TAX_SERVICE: must be taxjar or avalara (or empty for none)'] };

  const from = billingAddressOf({
    line1: get('TAX_FROM_STREET'),
    city: get('TAX_FROM_CITY'),
    region: get('TAX_FROM_STATE'),
    postalCode: get('TAX_FROM_ZIP'),
    country: get('TAX_FROM_COUNTRY'),
  });
  if (!get('TAX_FROM_STATE')) problems.push(`TAX_FROM_STATE: is required with TAX_SERVICE=${service} (the state you sell from, e.g. NY)`);
  if (!get('TAX_FROM_ZIP')) problems.push(`TAX_FROM_ZIP: is required with TAX_SERVICE=${service} (the ZIP code you sell from)`);
  else if (from.problem && get('TAX_FROM_STATE')) problems.push(`TAX_FROM_ZIP: the from-address is not usable: ${from.problem}`);
  const nexusStates = (get('TAX_NEXUS_STATES') ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const badState = nexusStates.find((s) => !US_STATES.has(s));
  if (badState) problems.push(`TAX_NEXUS_STATES: "${badState}" is not a US state code (a comma-separated list such as NY,CA,WA)`);

  let taxjar: TaxConfig['taxjar'] = null;
  let avalara: TaxConfig['avalara'] = null;
  if (service === 'taxjar') {
    const apiKey = get('TAXJAR_API_KEY');
    if (!apiKey) problems.push('TAXJAR_API_KEY: is required with TAX_SERVICE=taxjar (TaxJar → Account → SmartCalcs API)');
    else taxjar = { apiKey, apiUrl: get('TAXJAR_API_URL') ?? null, productTaxCode: get('TAXJAR_PRODUCT_TAX_CODE') ?? null };
  } else {
    const accountId = get('AVALARA_ACCOUNT_ID');
    const licenseKey = get('AVALARA_LICENSE_KEY');
    if (!accountId) problems.push('AVALARA_ACCOUNT_ID: is required with TAX_SERVICE=avalara');
    if (!licenseKey) problems.push('AVALARA_LICENSE_KEY: is required with TAX_SERVICE=avalara');
    if (accountId && licenseKey)
      avalara = {
        accountId,
        licenseKey,
        companyCode: get('AVALARA_COMPANY_CODE') ?? 'DEFAULT',
        // A full URL (a local stand-in) wins; the SDK takes "sandbox", "production" or a URL alike.
        environment: get('AVALARA_API_URL') ?? get('AVALARA_ENVIRONMENT') ?? 'production',
        taxCode: get('AVALARA_TAX_CODE') ?? null,
      };
  }
  if (problems.length || !from.address) return { config: null, problems };
  return { config: { service, origin: { from: from.address, nexusStates }, taxjar, avalara }, problems };
}

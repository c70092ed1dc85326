import type { CallObservers } from '../call-observer.js';
import { unobservedCalls } from '../call-observer.js';
import type { TaxConfig } from './tax-config.js';
import type { TaxService } from './tax-service.js';

/** The configured tax service (TAX_SERVICE), or null: drafts then carry no computed tax, as before. */
/** Each service's SDK is loaded only when it is the one configured (the avatax SDK is large). */
export async function buildTaxService(config: TaxConfig | null, observers: CallObservers = unobservedCalls): Promise<TaxService | null> {
  if (!config) return null;
  if (config.service === 'taxjar' && config.taxjar) {
    const { createTaxJarService } = await import('./taxjar.js');
    return createTaxJarService({ ...config.taxjar, origin: config.origin, observe: observers.for('taxjar') });
  }
  if (config.service === 'avalara' && config.avalara) {
    const { createAvalaraService } = await import('./avalara.js');
    return createAvalaraService({ ...config.avalara, origin: config.origin, observe: observers.for('avalara') });
  }
  return null;
}

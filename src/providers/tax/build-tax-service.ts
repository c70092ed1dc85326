import type { CallObservers } from '../call-observer.js';
import { unobservedCalls } from '../call-observer.js';
import { createAvalaraService } from './avalara.js';
import type { TaxConfig } from './tax-config.js';
import type { TaxService } from './tax-service.js';
import { createTaxJarService } from './taxjar.js';

/** The configured tax service (TAX_SERVICE), or null: drafts then carry no computed tax, as before. */
export function buildTaxService(config: TaxConfig | null, observers: CallObservers = unobservedCalls): TaxService | null {
  if (!config) return null;
  if (config.service === 'taxjar' && config.taxjar) {
    return createTaxJarService({ ...config.taxjar, origin: config.origin, observe: observers.for('taxjar') });
  }
  if (config.service === 'avalara' && config.avalara) {
    return createAvalaraService({ ...config.avalara, origin: config.origin, observe: observers.for('avalara') });
  }
  return null;
}

import type { TaxAddress } from './tax-service.js';

/** Where the business sells from and where it must collect (TAX_FROM_*, TAX_NEXUS_STATES), from config. */
export interface TaxOrigin {
  from: TaxAddress;
  /** US states (two letters) with nexus besides the from-address's; empty: the service's own nexus settings. */
  nexusStates: string[];
}

/** Races a call against a timeout: SDKs without one (TaxJar) must not hold a draft forever. */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

import { backendDisplayName } from '../domain/tax.js';
import type { Services } from '../services.js';
import { TimeoutError, withTimeout } from './time-budget.js';

export const BANK_BALANCE_TIMEOUT_MS = 2000;

export interface BackendBalances {
  /** Minor units per currency, with where it was read ("QuickBooks bank accounts"). */
  balances: Map<string, { amount: number; source: string }>;
  /** Back-ends that could not be read, and what that means for the forecast. */
  notes: string[];
}

/**
 * Starting balances read from the back-ends that keep bank accounts, for the forecast's currencies that
 * nobody set with `/invoices balance` (a balance set in Slack always wins). Within one time budget.
 */
export async function backendBankBalances(services: Services, timeoutMs = BANK_BALANCE_TIMEOUT_MS): Promise<BackendBalances> {
  const balances = new Map<string, { amount: number; source: string }>();
  const notes: string[] = [];
  const readers = Object.values(services.backends).filter((b) => b.bankBalances);
  await Promise.all(
    readers.map(async (backend) => {
      try {
        for (const b of await withTimeout(backend.bankBalances!(), timeoutMs)) {
          const known = balances.get(b.currency);
          const source = `${backendDisplayName(backend.name)} bank ${b.accounts === 1 ? 'account' : 'accounts'}`;
          balances.set(b.currency, known ? { amount: known.amount + b.amount, source: `${known.source} + ${source}` } : { amount: b.amount, source });
        }
      } catch (err) {
        services.log.warn({ backend: backend.name, err: err instanceof Error ? err.message : String(err) }, 'bank balances not read');
        notes.push(
          `${backendDisplayName(backend.name)} bank balances ${err instanceof TimeoutError ? `did not arrive within ${timeoutMs / 1000} s` : 'could not be read'}; set one with \`/invoices balance\`.`,
        );
      }
    }),
  );
  return { balances, notes };
}

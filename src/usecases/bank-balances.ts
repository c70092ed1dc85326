import type { Services } from '../services.js';
import { displayName, readEachBackend } from './backend-reads.js';

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
  for (const read of await readEachBackend(services, 'bank balances', timeoutMs, (b) => b.bankBalances?.() ?? null)) {
    if (!read.ok) {
      notes.push(`${displayName(read.backend)} bank balances ${read.why}; set one with \`/invoices balance\`.`);
      continue;
    }
    for (const b of read.value) {
      const known = balances.get(b.currency);
      const source = `${displayName(read.backend)} bank ${b.accounts === 1 ? 'account' : 'accounts'}`;
      balances.set(b.currency, known ? { amount: known.amount + b.amount, source: `${known.source} + ${source}` } : { amount: b.amount, source });
    }
  }
  return { balances, notes };
}

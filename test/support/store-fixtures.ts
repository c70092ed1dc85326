import { formatInvoiceNumber } from '../../src/domain/invoice.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import type { NewInvoice } from '../../src/store/invoices.js';

/**
 * One source for the client and draft that store tests start from (several older store tests still
 * carry their own copy; new ones use these).
 */
export function acmeClient(overrides: Partial<Client> = {}): Client {
  return {
    id: 'acme',
    name: 'Acme Ltd',
    emails: ['ap@acme.example'],
    currency: 'USD',
    paymentTermsDays: 30,
    provider: 'stripe',
    asanaProjectGids: ['111'],
    reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
    finalMode: 'pause',
    autoSend: false,
    ...overrides,
  };
}

/** A plain Stripe client named after its id (`ap@<id>.example`), for tests that need several. */
export const testClient = (id: string, overrides: Partial<Client> = {}): Client => acmeClient({ id, name: id, emails: [`ap@${id}.example`], asanaProjectGids: [], ...overrides });

export const NUMBERING = { scope: 'default', format: (n: number) => formatInvoiceNumber('INV-', n) };

/** A one-line USD draft of Acme's from Asana task `ref`. */
export function acmeDraft(ref: string, total = 1000, overrides: Partial<NewInvoice> = {}): NewInvoice {
  return {
    clientId: 'acme',
    source: 'asana',
    sourceRef: ref,
    sourceUrl: null,
    milestone: `Milestone ${ref}`,
    currency: 'USD',
    lines: [{ description: 'Work', quantity: '1', unitAmount: total, amount: total }],
    total,
    dueDate: '2026-12-02',
    recipients: ['ap@acme.example'],
    provider: 'stripe',
    ...overrides,
  };
}

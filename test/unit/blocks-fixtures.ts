import { acmeClient } from '../support/store-fixtures.js';
import { type Client, type InvoiceLine, type InvoiceView } from '../../src/domain/types.js';

/** Shared view-model factory for the Block Kit builder tests. */
export function line(description: string, quantity: string, unitAmount: number, amount: number): InvoiceLine {
  return { description, quantity, unitAmount, amount };
}

export function invoiceView(overrides: Partial<InvoiceView> = {}): InvoiceView {
  return {
    id: 'inv_01HX',
    number: 'INV-0042',
    clientName: 'Acme Corp',
    milestone: 'Milestone 2 - Design',
    currency: 'USD',
    lines: [line('Design sprint', '1', 150000, 150000)],
    total: 150000,
    amountPaid: 0,
    dueDate: '2026-12-24',
    status: 'draft',
    disputed: false,
    paused: false,
    recipients: ['ap@acme.example', 'cfo@acme.example'],
    paymentUrl: null,
    sentAt: null,
    paidAt: null,
    sourceUrl: 'https://app.asana.com/0/123/456',
    attention: null,
    ...overrides,
  };
}

export function manyLines(n: number, descriptionLength = 30): InvoiceLine[] {
  return Array.from({ length: n }, (_, i) => {
    const description = `Item ${i + 1} `.padEnd(descriptionLength, 'x');
    return line(description, String((i % 3) + 1), 1000 + i, ((i % 3) + 1) * (1000 + i));
  });
}

/** A client as the clients file gives it (Acme, USD, net 30, Stripe, the standard reminders), with overrides. */
export const clientFixture = (overrides: Partial<Client> = {}): Client => acmeClient({ asanaProjectGids: [], ...overrides });

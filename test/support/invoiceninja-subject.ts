import type { InvoicingBackend, IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { createInvoiceNinjaBackend } from '../../src/providers/invoicing/invoiceninja.js';
import { money, toMajorString } from '../../src/domain/money.js';
import { CURRENCIES, startFakeInvoiceNinja } from './fake-invoiceninja.js';

/** The back-end contract suite's Invoice Ninja subject (test/integration/backend-contract.test.ts): an API-token back-end, no OAuth. */
export async function invoiceninjaSubject(): Promise<{
  backend: InvoicingBackend;
  pay(providerInvoiceId: string, amountMinor?: number): void;
  void(providerInvoiceId: string): void;
  rateLimitNext(): void;
  withCustomerTax(req: IssueInvoiceRequest): Promise<IssueInvoiceRequest>;
  held(providerInvoiceId: string): { total: string; remaining: string; sentLines: string[] };
  counts(): { customers: number; invoices: number };
  close(): Promise<void>;
}> {
  const fake = await startFakeInvoiceNinja();
  const currencyOf = (invoiceId: string) => {
    const client = fake.clients.get(fake.invoices.get(invoiceId)!.client_id as string)!;
    const id = String((client.settings as { currency_id?: string }).currency_id ?? '1');
    return CURRENCIES.find((c) => String(c.id) === id)!.code;
  };
  return {
    backend: createInvoiceNinjaBackend({ baseUrl: fake.url, apiToken: fake.token, now: () => new Date() }),
    pay: (id, amount) => void fake.pay(id, amount === undefined ? undefined : Number(toMajorString(money(amount, currencyOf(id))))),
    void: (id) => fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429, { 'retry-after': '60' }),
    held(id) {
      const inv = fake.invoices.get(id)!;
      // The body as it went over the wire: JSON numbers exactly as the adapter wrote them.
      const create = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/invoices' && r.status === 200).at(-1)!;
      const lines = (create.body as { line_items: { cost: number }[] }).line_items;
      return { total: String(inv.amount), remaining: String(inv.balance), sentLines: lines.map((l) => String(l.cost)) };
    },
    counts: () => ({ customers: fake.clients.size, invoices: fake.invoices.size }),
    async withCustomerTax(req) {
      // As the owner would set it in Invoice Ninja: the client exists with a default tax in its settings.
      fake.clientWithTax({ name: req.customer.name, email: req.customer.emails[0]! }, 'Sales Tax', 8.25);
      return req;
    },
    close: fake.close,
  };
}

import { createStripeBackend, BackendError } from '../../src/providers/invoicing/stripe.js';
import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';
import { issueTerms } from '../support/issue-terms.js';

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe();
});
afterAll(async () => stripe.close());

const backend = () => createStripeBackend({ secretKey: 'sk_test_duebot', webhookSecret: stripe.webhookSecret, apiUrl: stripe.url });
let seq = 0;
const request = (lines: IssueInvoiceRequest['lines']): IssueInvoiceRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    number: `INV-${String(seq).padStart(4, '0')}`,
    customer: { clientId: `void-client-${seq}`, name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
    currency: 'USD',
    lines,
    ...issueTerms(7),
    memo: 'Milestone',
    metadata: {},
  };
};

test('voidInvoice voids an open invoice under an idempotency key; voiding again changes nothing', async () => {
  const issued = await backend().issueInvoice(request([{ description: 'Work', quantity: '1', unitAmount: 100000, amount: 100000 }]));
  const mark = stripe.requests.length;
  expect(await backend().voidInvoice(issued.providerInvoiceId)).toMatchObject({ providerInvoiceId: issued.providerInvoiceId, status: 'void' });
  const voidCall = stripe.requests.slice(mark).find((r) => r.method === 'POST' && r.path.endsWith('/void'));
  expect(voidCall?.idempotencyKey).toBe(`duebot-void-${issued.providerInvoiceId}`);
  const again = stripe.requests.length;
  expect((await backend().voidInvoice(issued.providerInvoiceId)).status).toBe('void');
  expect(stripe.requests.slice(again).filter((r) => r.method === 'POST')).toEqual([]);
});

test('a paid invoice cannot be voided: a non-retryable BackendError', async () => {
  const issued = await backend().issueInvoice(request([{ description: 'Work', quantity: '1', unitAmount: 5000, amount: 5000 }]));
  stripe.pay(issued.providerInvoiceId);
  const err = await backend()
    .voidInvoice(issued.providerInvoiceId)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackendError);
  expect(err).toMatchObject({ retryable: false });
});

test('a credit line (negative amount) reduces the reissued invoice', async () => {
  const issued = await backend().issueInvoice(
    request([
      { description: 'Work', quantity: '1', unitAmount: 240000, amount: 240000 },
      { description: 'Credit: agreed reduction', quantity: '1', unitAmount: -40000, amount: -40000 },
    ]),
  );
  expect(issued).toMatchObject({ status: 'open', amountDue: 200000 });
});

import Stripe from 'stripe';
import { startHarness, APPROVER, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice } from '../../src/store/invoices.js';
import { approveInvoice, deliverInvoice } from '../../src/usecases/approve-and-send.js';
import { stripeConnection, stripeDueDate } from '../../src/providers/invoicing/stripe.js';
import { addDays, localDate } from '../../src/domain/calendar.js';
import { keysReusedWithOtherParameters } from '../support/idempotency.js';

/**
 * Issue attempts through the whole app (docs/billing.md "Issuing at the back-end"): the approval issues
 * the invoice at Stripe, the sweep's `deliverInvoice` retries it; the due date is pinned once.
 * No scheduler: the test plays the sweep, so nothing retries behind its back.
 */
let h: Harness;
afterEach(async () => h?.stop());

const by = { actor: `slack:${APPROVER}`, slackUserId: APPROVER };
async function draftFor(gid: string) {
  expect((await h.completeMilestone({ gid, name: 'Milestone 1 - Design', amount: 1000 })).status).toBe(200);
  return (await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', gid)))!;
}
const issueState = async (id: string) =>
  (await h.bot.services.db.pool.query<{ issue_attempt: number; issue_due_date: string | null }>('SELECT issue_attempt, issue_due_date FROM invoices WHERE id = $1', [id])).rows[0]!;
const atStripe = (invoiceId: string) => [...h.stripe.invoices.values()].filter((i) => (i.metadata as Record<string, string>).duebot_invoice_id === invoiceId);
function expectKeysNeverReused() {
  expect(keysReusedWithOtherParameters(h.stripe.requests)).toEqual([]);
  expect(h.stripe.requests.filter((r) => r.errorType === 'idempotency_error')).toEqual([]);
}

test("a create refused for an archived tax rate goes through on the next attempt once the rate is restored: one invoice, with duebot's number", async () => {
  h = await startHarness({ scheduler: false });
  const vat = h.stripe.createTaxRate('VAT', '20');
  h.stripe.setTaxRateActive(vat, false);
  const sdk = new Stripe('sk_test_setup', stripeConnection(h.stripe.url));
  await sdk.customers.create({ name: 'Acme Ltd', email: 'ap@acme.example', metadata: { duebot_client_id: 'acme', tax_rates: vat } });
  const draft = await draftFor('7001');

  await expect(approveInvoice(h.bot.services, draft.id, by)).rejects.toMatchObject({ status: 400 });
  expect(await issueState(draft.id)).toMatchObject({ issue_attempt: 1 });
  expect((await getInvoice(h.bot.services.db.pool, draft.id))!.attention).toMatch(/^Not created at stripe: .*archived/);

  h.stripe.setTaxRateActive(vat, true);
  const sent = await deliverInvoice(h.bot.services, draft.id);
  expect(sent).toMatchObject({ status: 'sent', attention: null, taxAmount: 20000, total: 120000 });
  const [invoice, ...more] = atStripe(draft.id);
  expect(more).toEqual([]);
  expect(invoice).toMatchObject({ status: 'open', number: draft.number });
  expect(h.stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/invoices').map((r) => [r.status, r.idempotencyKey])).toEqual([
    [400, `duebot-invoice-${draft.id}-a0`],
    [200, `duebot-invoice-${draft.id}-a1`],
  ]);
  expectKeysNeverReused();
});

test('a retry across midnight, after the answer to the create was lost, sends the pinned due date: one invoice, no idempotency error', async () => {
  const evening = new Date(Date.now() + 86_400_000);
  evening.setUTCHours(23, 50, 0, 0);
  // Stripe's real search lag: only the customer's invoice list can show the draft the lost create made.
  h = await startHarness({ scheduler: false, startAt: evening, stripe: { searchDelayMs: 60_000 } });
  const draft = await draftFor('7002');
  const day = localDate(h.clock.now(), 'UTC');
  expect(draft.dueDate).toBe(addDays(day, 7));

  h.stripe.failNext(3, 0, undefined, { path: '/v1/invoices', method: 'POST', drop: true });
  await expect(approveInvoice(h.bot.services, draft.id, by)).rejects.toMatchObject({ code: 'unavailable', status: null });
  // An unknown outcome: same attempt, same pinned date.
  expect(await issueState(draft.id)).toEqual({ issue_attempt: 0, issue_due_date: draft.dueDate });

  h.clock.advance(20 * 60_000);
  expect(localDate(h.clock.now(), 'UTC')).toBe(addDays(day, 1));
  const sent = await deliverInvoice(h.bot.services, draft.id);
  expect(sent).toMatchObject({ status: 'sent', dueDate: draft.dueDate });
  const [invoice, ...more] = atStripe(draft.id);
  expect(more).toEqual([]);
  expect(invoice).toMatchObject({ status: 'open', number: draft.number, due_date: stripeDueDate(draft.dueDate, 'UTC') });
  expectKeysNeverReused();
});

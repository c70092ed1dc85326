import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { stripeMajor } from '../support/fake-stripe.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';

/**
 * Currency units through the running app on Stripe: what the client is emailed, what Stripe holds and
 * shows on its payment page, and what duebot reads back agree for a currency whose decimals differ
 * between ISO 4217 and Stripe (ISK); an amount Stripe cannot hold (a third KWD decimal) is refused
 * before anything is created, with the reason on the invoice message for the approver.
 */
const CLIENTS = `
clients:
  - id: reykjavik
    name: Reykjavik ehf
    emails: ap@reykjavik.example
    currency: ISK
    asanaProjects: ["1200"]
  - id: kuwait
    name: Kuwait Trading
    emails: ap@kuwait.example
    currency: KWD
    asanaProjects: ["1300"]
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const draftOf = (gid: string) => h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', gid)) as Promise<InvoiceRecord>;

test('1,500 ISK: emailed as 1,500 ISK, held by Stripe as 150000 (two-decimal), paid and read back as 1,500', async () => {
  expect((await h.completeMilestone({ gid: '7101', name: 'Sagas', amount: 1500 })).status).toBe(200);
  const draft = await draftOf('7101');
  expect(draft).toMatchObject({ currency: 'ISK', total: 1500 });
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(email.text).toMatch(/ISK\s?1,500(?![\d.])/);

  const stripeInvoice = [...h.stripe.invoices.values()].find((i) => (i.metadata as Record<string, string>).duebot_invoice_id === draft.id)!;
  expect(stripeInvoice).toMatchObject({ currency: 'isk', amount_due: 150000 });
  const page = await (await fetch(sent.paymentUrl!)).text();
  expect(page).toContain(`Amount remaining: ${stripeMajor(150000, 'isk')} ISK`);
  expect(stripeMajor(150000, 'isk')).toBe('1500.00');

  h.stripe.pay(String(stripeInvoice.id));
  expect((await h.deliverStripe('invoice.paid', String(stripeInvoice.id))).status).toBe(200);
  const paid = await h.waitForStatus(draft.id, 'paid');
  expect(paid).toMatchObject({ total: 1500, amountPaid: 1500 });
});

test('1.255 KWD is refused before anything is created at Stripe; the reason is on the invoice message', async () => {
  const before = { customers: h.stripe.customers.size, invoices: h.stripe.invoices.size };
  expect((await h.completeMilestone({ gid: '7102', name: 'Audit', amount: 1.255, projectGid: '1300' })).status).toBe(200);
  const draft = await draftOf('7102');
  expect(draft).toMatchObject({ currency: 'KWD', total: 1255 });
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const shown = await h.slack.waitFor(async () => {
    const ts = (await getInvoice(pool(), draft.id))?.slackTs;
    const json = ts ? JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, ts)?.args ?? '') : '';
    return json.includes('cannot be sent to Stripe') ? json : undefined;
  });
  expect(shown).toContain('1.255 KWD cannot be sent to Stripe exactly');
  expect(shown).toContain('last of the three KWD decimals to be 0');
  expect({ customers: h.stripe.customers.size, invoices: h.stripe.invoices.size }).toEqual(before);
  expect(h.smtp.messages.filter((m) => m.subject.includes(draft.number))).toHaveLength(0);
  expect((await getInvoice(pool(), draft.id))!.status).toBe('approved');
});

import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { startFakeInvoiceNinja, invoiceninjaEnv, type FakeInvoiceNinja } from '../support/fake-invoiceninja.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { listRegistrations } from '../../src/store/webhook-registrations.js';
import { slashConnect, acmeOn } from '../support/connect-backend.js';

/**
 * Invoice Ninja in the running app: an approver registers its webhooks from Slack (one per event, each
 * with a secret header duebot made and keeps sealed), a milestone is invoiced there with duebot's number
 * and the client portal link in the email, and the payment arrives by webhook (a wrong secret stores
 * nothing) or, with no webhook at all, by the poll.
 */
const ACME_ON_NINJA = acmeOn('invoiceninja');

let h: Harness;
let ninja: FakeInvoiceNinja;
afterEach(async () => {
  await h?.stop();
  await ninja?.close();
});

async function start(pollPaymentsEvery?: number): Promise<void> {
  ninja = await startFakeInvoiceNinja();
  h = await startHarness({ clientsYaml: ACME_ON_NINJA, env: invoiceninjaEnv(ninja), ...(pollPaymentsEvery ? { pollPaymentsEvery } : {}) });
  ninja.routeTargetsTo(h.bot.url);
}

async function sentInvoice(gid: string): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', gid));
  expect(draft.provider).toBe('invoiceninja');
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  return h.waitForStatus(draft.id, 'sent');
}

test('webhooks registered from Slack; milestone → approve → invoice at Invoice Ninja → payment webhook → paid', async () => {
  await start();
  expect(await slashConnect(h, 'invoiceninja', MEMBER)).toMatch(/only invoice approvers/);
  expect(ninja.webhooks.size).toBe(0);
  expect(await slashConnect(h, 'invoiceninja', APPROVER)).toContain('Invoice Ninja webhooks registered');
  const hooks = [...ninja.webhooks.values()];
  expect(hooks.map((w) => w.event_id).sort()).toEqual(['12', '31', '4', '8', '9']);
  const registrations = (await listRegistrations(h.bot.services.db.pool)).filter((r) => r.tool === 'invoiceninja');
  expect(registrations).toHaveLength(5);
  for (const hook of hooks) {
    const secret = (hook.headers as Record<string, string>)['X-Duebot-Secret']!;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    const registration = registrations.find((r) => r.webhookId === hook.id)!;
    expect(registration).toMatchObject({ status: 'active', targetUrl: hook.target_url });
    // Sealed at rest: the stored value is not the secret.
    expect(registration.sealedSecret).not.toContain(secret);
  }

  const sent = await sentInvoice('7101');
  const atNinja = ninja.invoices.get(sent.providerInvoiceId!)!;
  expect(atNinja).toMatchObject({ number: sent.number, status_id: '2', amount: 1500 });
  expect(sent.paymentUrl).toBe((atNinja.invitations as { link: string }[])[0]!.link);
  const email = await h.smtp.waitFor((m) => m.subject.includes(sent.number));
  expect(email.text).toContain(sent.paymentUrl!);

  const { paymentId } = ninja.pay(sent.providerInvoiceId!);
  // A delivery with the wrong secret is refused and nothing is stored.
  expect((await ninja.fire('create_payment', paymentId, { 'X-Duebot-Secret': 'guessed' })).map((a) => a.status)).toEqual([401]);
  const stored = async () => Number((await h.bot.services.db.pool.query("SELECT count(*)::int AS n FROM inbox_events WHERE source = 'invoiceninja'")).rows[0]!.n);
  expect(await stored()).toBe(0);
  const [answer] = await ninja.fire('create_payment', paymentId);
  expect(answer).toEqual({ status: 200, body: JSON.stringify({ accepted: 1, duplicates: 0, ignored: 0 }) });
  const paid = await h.waitForStatus(sent.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  // Invoice Ninja retries: the same delivery again is a duplicate.
  expect((await ninja.fire('create_payment', paymentId))[0]).toEqual({ status: 200, body: JSON.stringify({ accepted: 0, duplicates: 1, ignored: 0 }) });
  await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM inbox_events WHERE source = 'invoiceninja' AND processed_at IS NOT NULL")).rowCount === 1);

  // Connecting again replaces the webhooks: the old registration's secret is refused from now on.
  const old = hooks[0]!;
  expect(await slashConnect(h, 'invoiceninja', APPROVER)).toContain('registered');
  expect(ninja.webhooks.size).toBe(5);
  expect(ninja.webhooks.has(old.id)).toBe(false);
  const oldDelivery = await fetch(`${h.bot.url}${new URL(String(old.target_url)).pathname}${new URL(String(old.target_url)).search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(old.headers as Record<string, string>) },
    body: JSON.stringify({ id: sent.providerInvoiceId, updated_at: 1 }),
  });
  expect(oldDelivery.status).toBe(401);
  // Disconnecting deletes them at Invoice Ninja.
  const before = h.slack.responses.length;
  await h.slashCommand('disconnect invoiceninja', APPROVER);
  expect(String((await h.slack.waitFor(() => h.slack.responses[before])).body.text)).toContain('webhooks deleted');
  expect(ninja.webhooks.size).toBe(0);
});

test('no webhooks at all: the payment poll finds the payment made at Invoice Ninja', async () => {
  await start(300);
  const sent = await sentInvoice('7102');
  ninja.pay(sent.providerInvoiceId!, 500);
  ninja.pay(sent.providerInvoiceId!);
  const paid = await h.waitForStatus(sent.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
});

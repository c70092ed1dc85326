import type { KnownBlock } from '@slack/types';
import { blocksToText } from '../../blocks/render-text.js';
import { addDays, localDate } from '../../src/domain/calendar.js';
import { auditTrail } from '../../src/store/audit.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { getSalesTax } from '../../src/store/sales-tax.js';
import { adjustAmount } from '../../src/usecases/adjust-amount.js';
import { startFakeAvalara, type FakeAvalara } from '../support/fake-avalara.js';
import { startFakeTaxJar, type FakeTaxJar } from '../support/fake-taxjar.js';
import { APPROVER, BILLING_CHANNEL, MEMBER, startHarness, type Harness } from '../support/harness.js';

/**
 * Sales tax from a tax service, end to end: the client's billing address and the business's nexus give
 * the rate; the draft shows the tax and where it came from; Approve waits while the service is down;
 * the invoice carries the tax at the back-end (Stripe here); the service records the sale on send and
 * voids it when duebot voids the invoice.
 */
const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 14
    asanaProjects: ["1200"]
    billingAddress: { line1: 350 5th Ave, city: New York, region: NY, postalCode: "10118" }
  - id: initech
    name: Initech
    emails: [ap@initech.example]
    currency: USD
    paymentTermsDays: 14
    asanaProjects: ["1300"]
    billingAddress: { line1: 400 Broad St, city: Seattle, region: WA, postalCode: "98109" }
  - id: nowhere
    name: Nowhere Inc
    emails: [ap@nowhere.example]
    currency: USD
    paymentTermsDays: 14
    asanaProjects: ["1400"]
`;
const FROM = { TAX_FROM_STREET: '1 Main St', TAX_FROM_CITY: 'Albany', TAX_FROM_STATE: 'NY', TAX_FROM_ZIP: '12207', TAX_NEXUS_STATES: 'WA' };

const pool = (h: Harness) => h.bot.services.db.pool;
const draftOf = (h: Harness, gid: string) => h.slack.waitFor(async () => findInvoiceBySource(pool(h), 'asana', gid));
/** The invoice's message as a person reads it, once it says `until`. */
const messageText = (h: Harness, invoice: InvoiceRecord, until: string) =>
  h.slack.waitFor(async () => {
    const current = await getInvoice(pool(h), invoice.id);
    const calls = h.slack.callsTo(current?.slackTs ? 'chat.update' : 'chat.postMessage').filter((c) => c.args.channel === BILLING_CHANNEL);
    const texts = [...h.slack.messages(BILLING_CHANNEL), ...calls].map((c) => blocksToText((c.args.blocks ?? []) as KnownBlock[])).filter((t) => t.includes(invoice.number));
    return texts.reverse().find((t) => t.includes(until));
  });

describe('TaxJar', () => {
  let h: Harness;
  let taxjar: FakeTaxJar;
  beforeEach(async () => {
    taxjar = await startFakeTaxJar();
    h = await startHarness({ clientsYaml: CLIENTS, env: { TAX_SERVICE: 'taxjar', TAXJAR_API_KEY: taxjar.apiKey, TAXJAR_API_URL: taxjar.url, ...FROM } });
  });
  afterEach(async () => {
    await h?.stop();
    await taxjar?.close();
  });

  test('two clients in two states get two rates; the draft shows the tax and its source; the sent invoice carries it at Stripe and TaxJar records the order', async () => {
    await h.completeMilestone({ gid: '9101', name: 'Milestone NY', amount: 1500, projectGid: '1200' });
    await h.completeMilestone({ gid: '9102', name: 'Milestone WA', amount: 1500, projectGid: '1300' });
    const ny = await draftOf(h, '9101');
    const wa = await draftOf(h, '9102');
    const nyTax = await h.slack.waitFor(async () => getSalesTax(pool(h), ny.id));
    const waTax = await h.slack.waitFor(async () => getSalesTax(pool(h), wa.id));
    expect(nyTax).toMatchObject({ service: 'taxjar', status: 'computed', amount: 13313, ratePercent: '8.875', name: 'Sales tax (NY)' });
    expect(waTax).toMatchObject({ service: 'taxjar', status: 'computed', amount: 15150, ratePercent: '10.1', name: 'Sales tax (WA)' });
    // The request TaxJar got: duebot's origin and nexus, the client's address, the line at its exact total.
    expect(taxjar.requests.find((r) => r.path === '/v2/taxes' && r.body?.to_state === 'WA')?.body).toMatchObject({
      from_state: 'NY',
      from_zip: '12207',
      to_zip: '98109',
      shipping: 0,
      line_items: [{ id: '0', quantity: 1, unit_price: 1500 }],
      nexus_addresses: [{ country: 'US', state: 'WA' }],
    });

    // Editing the lines computes the tax again.
    const due = addDays(localDate(h.clock.now(), 'UTC'), 14);
    const edit = await h.submitView('edit_invoice_modal', APPROVER, wa.id, {
      edit_lines: { lines_input: { type: 'plain_text_input', value: 'Milestone WA | 1 | 2000.00' } },
      edit_due_date: { due_date_input: { type: 'datepicker', selected_date: due } },
      edit_recipients: { recipients_input: { type: 'plain_text_input', value: 'ap@initech.example' } },
    });
    expect(edit.status).toBe(200);
    await h.slack.waitFor(async () => (await getSalesTax(pool(h), wa.id))?.amount === 20200);
    expect((await auditTrail(pool(h), wa.id)).filter((a) => a.action === 'tax_computed').map((a) => a.actor)).toEqual(['system', `slack:${APPROVER}`]);

    const text = await messageText(h, ny, 'Sales tax computed by TaxJar');
    expect(text).toContain('Total: $1,633.13');
    expect(text).toContain('Sales tax (NY), 8.875% $133.13');
    expect(text).toContain('for NY, NEW YORK, NEW YORK');

    await h.clickButton('approve_invoice', ny.id, APPROVER);
    const sent = await h.waitForStatus(ny.id, 'sent');
    expect(sent).toMatchObject({ subtotal: 150000, taxAmount: 13313, taxName: 'Sales tax (NY)', taxRate: '8.875', total: 163313 });
    const stripeInvoice = h.stripe.invoices.get(sent.providerInvoiceId!) as unknown as { amount_due: number; lines: { data: { amount: number; description: string }[] } };
    expect(stripeInvoice.amount_due).toBe(163313);
    expect(stripeInvoice.lines.data.map((l) => [l.description, l.amount])).toEqual([
      ['Milestone NY', 150000],
      ['Sales tax (NY) (8.875%)', 13313],
    ]);
    const email = await h.smtp.waitFor((m) => m.subject.includes(ny.number));
    expect(email.text).toContain('Tax (Sales tax (NY), 8.875%): $133.13');
    await h.slack.waitFor(() => taxjar.orders.get(ny.id));
    expect(taxjar.orders.get(ny.id)).toMatchObject({ amount: 1500, sales_tax: 133.13, to_state: 'NY' });
    expect((await getSalesTax(pool(h), ny.id))?.recordedAt).toBeInstanceOf(Date);
  });

  test('a client without a billing address: tax not computed, Approve refused, an approver sends without tax (audit-logged) and no tax reaches the back-end', async () => {
    await h.completeMilestone({ gid: '9103', name: 'Milestone ?', amount: 800, projectGid: '1400' });
    const draft = await draftOf(h, '9103');
    await h.slack.waitFor(async () => (await getSalesTax(pool(h), draft.id))?.status === 'failed');
    const text = await messageText(h, draft, 'Sales tax not computed');
    expect(text).toContain('has no billing address');

    await h.clickButton('approve_invoice', draft.id, APPROVER);
    await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('was not approved')));
    expect((await getInvoice(pool(h), draft.id))?.status).toBe('draft');

    // A viewer may not skip the tax; an approver may, and it is recorded who did.
    await h.clickButton('send_without_tax', draft.id, MEMBER);
    await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === MEMBER));
    expect((await getSalesTax(pool(h), draft.id))?.status).toBe('failed');
    await h.clickButton('send_without_tax', draft.id, APPROVER);
    const sent = await h.waitForStatus(draft.id, 'sent');
    expect(sent).toMatchObject({ total: 80000, taxAmount: 0 });
    expect((h.stripe.invoices.get(sent.providerInvoiceId!) as unknown as { amount_due: number }).amount_due).toBe(80000);
    const trail = await auditTrail(pool(h), draft.id);
    expect(trail.find((a) => a.action === 'tax_skipped')).toMatchObject({ actor: `slack:${APPROVER}`, details: { was: 'failed' } });
  });
});

describe('Avalara', () => {
  let h: Harness;
  let avalara: FakeAvalara;
  beforeEach(async () => {
    avalara = await startFakeAvalara();
    h = await startHarness({
      clientsYaml: CLIENTS,
      env: {
        TAX_SERVICE: 'avalara',
        AVALARA_ACCOUNT_ID: avalara.accountId,
        AVALARA_LICENSE_KEY: avalara.licenseKey,
        AVALARA_COMPANY_CODE: 'PIXELCO',
        AVALARA_API_URL: avalara.url,
        ...FROM,
      },
    });
  });
  afterEach(async () => {
    await h?.stop();
    await avalara?.close();
  });

  test('uncommitted at the draft, committed on send, voided when duebot voids the invoice (Adjust amount); the reissue gets its own', async () => {
    await h.completeMilestone({ gid: '9201', name: 'Milestone WA', amount: 2000, projectGid: '1300' });
    const draft = await draftOf(h, '9201');
    await h.slack.waitFor(async () => (await getSalesTax(pool(h), draft.id))?.status === 'computed');
    expect(avalara.transactions.get(`PIXELCO/${draft.id}`)).toMatchObject({ type: 'SalesInvoice', status: 'Saved', totalTax: 202, referenceCode: draft.number });
    expect(await messageText(h, draft, 'Sales tax computed by Avalara')).toContain('WASHINGTON, SEATTLE');

    await h.clickButton('approve_invoice', draft.id, APPROVER);
    const sent = await h.waitForStatus(draft.id, 'sent');
    expect(sent).toMatchObject({ total: 220200, taxAmount: 20200 });
    await h.slack.waitFor(() => avalara.transactions.get(`PIXELCO/${draft.id}`)?.status === 'Committed');

    await h.clickButton('mark_disputed', draft.id, APPROVER);
    await h.slack.waitFor(async () => (await getInvoice(pool(h), draft.id))?.disputed);
    const due = addDays(localDate(h.clock.now(), 'UTC'), 14);
    const answer = await adjustAmount(
      h.bot.services,
      draft.id,
      { lines: [{ description: 'Milestone WA (revised)', quantity: '1', unitAmount: 150000, amount: 150000 }], total: 150000, dueDate: due, recipients: ['ap@initech.example'] },
      { slackUserId: APPROVER },
    );
    expect(answer.outcome).toBe('reissued');
    expect(avalara.transactions.get(`PIXELCO/${draft.id}`)?.status).toBe('Cancelled');
    expect(avalara.requests.find((r) => r.path.endsWith(`/${draft.id}/void`))?.body).toEqual({ code: 'DocVoided' });
    expect((await getSalesTax(pool(h), draft.id))?.voidedAt).toBeInstanceOf(Date);
    // The replacement had its own tax before it was approved, and went out with it.
    const replacement = await h.slack.waitFor(async () => findInvoiceBySource(pool(h), 'adjustment', draft.id));
    const reissued = await h.waitForStatus(replacement.id, 'sent');
    expect(reissued).toMatchObject({ subtotal: 150000, taxAmount: 15150, total: 165150 });
    await h.slack.waitFor(() => avalara.transactions.get(`PIXELCO/${replacement.id}`)?.status === 'Committed');
  });

  test('service down: the draft says tax is pending and Approve is refused; the retry job computes it once the service is back', async () => {
    avalara.down(503);
    await h.completeMilestone({ gid: '9202', name: 'Milestone NY', amount: 1000, projectGid: '1200' });
    const draft = await draftOf(h, '9202');
    const pending = await h.slack.waitFor(async () => {
      const t = await getSalesTax(pool(h), draft.id);
      return t?.status === 'pending' ? t : undefined;
    });
    expect(pending.nextAttemptAt!.getTime()).toBeGreaterThan(h.clock.now().getTime());
    const text = await messageText(h, draft, 'Sales tax pending');
    expect(text).toContain('Avalara did not answer');
    expect(text).toContain('Total: $1,000.00 + tax (pending)');
    expect(text).not.toContain('Approve & send');

    await h.clickButton('approve_invoice', draft.id, APPROVER);
    await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('sales tax is pending')));
    expect((await getInvoice(pool(h), draft.id))?.status).toBe('draft');
    // /invoices status names the service and the draft waiting for it.
    const before = h.slack.responses.length;
    await h.slashCommand('status', APPROVER);
    const status = await h.slack.waitFor(() => h.slack.responses[before]);
    expect(JSON.stringify(status.body.blocks)).toContain('Avalara: configured; 1 draft waiting for sales tax');

    // Still down at the next try: pending again, a later try planned (backoff).
    h.clock.advance(pending.nextAttemptAt!.getTime() - h.clock.now().getTime() + 1000);
    const second = await h.slack.waitFor(async () => {
      const t = await getSalesTax(pool(h), draft.id);
      return t && t.attempts >= 2 ? t : undefined;
    });
    expect(second).toMatchObject({ status: 'pending' });

    avalara.up();
    h.clock.advance(second.nextAttemptAt!.getTime() - h.clock.now().getTime() + 1000);
    await h.slack.waitFor(async () => (await getSalesTax(pool(h), draft.id))?.status === 'computed');
    expect(await messageText(h, draft, 'Sales tax computed by Avalara')).toContain('Total: $1,088.75');
    await h.clickButton('approve_invoice', draft.id, APPROVER);
    expect(await h.waitForStatus(draft.id, 'sent')).toMatchObject({ total: 108875, taxAmount: 8875 });
    const trail = (await auditTrail(pool(h), draft.id)).map((a) => a.action);
    expect(trail.filter((a) => a === 'tax_pending')).toHaveLength(1);
    expect(trail).toContain('tax_computed');
  });
});

describe('a draft made before TAX_SERVICE was set', () => {
  let h: Harness;
  let taxjar: FakeTaxJar;
  afterEach(async () => {
    await h?.stop();
    await taxjar?.close();
  });

  test('waits for its tax once the service is on: Approve refused, the message offers Recompute tax, then it goes out with the tax', async () => {
    taxjar = await startFakeTaxJar();
    h = await startHarness({ clientsYaml: CLIENTS });
    await h.completeMilestone({ gid: '9301', name: 'Milestone old', amount: 1000, projectGid: '1200' });
    const draft = await draftOf(h, '9301');
    await messageText(h, draft, 'added when sent');
    expect(await getSalesTax(pool(h), draft.id)).toBeNull();

    Object.assign(h.env, { TAX_SERVICE: 'taxjar', TAXJAR_API_KEY: taxjar.apiKey, TAXJAR_API_URL: taxjar.url, ...FROM });
    await h.restart();
    await h.clickButton('approve_invoice', draft.id, APPROVER);
    await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('has not been computed yet')));
    expect(await messageText(h, draft, 'Sales tax not computed')).toContain('not computed yet');

    await h.clickButton('recompute_tax', draft.id, APPROVER);
    await h.slack.waitFor(async () => (await getSalesTax(pool(h), draft.id))?.status === 'computed');
    await h.clickButton('approve_invoice', draft.id, APPROVER);
    expect(await h.waitForStatus(draft.id, 'sent')).toMatchObject({ total: 108875, taxAmount: 8875 });
  });
});

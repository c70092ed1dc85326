import { randomBytes } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import Stripe from 'stripe';
import { blocksToText } from '../../blocks/render-text.js';
import { stripeConnection } from '../../src/providers/invoicing/stripe.js';
import { findInvoiceBySource, openInvoicesForAging } from '../../src/store/invoices.js';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { quickbooksEnv, startFakeQuickBooks, type FakeQuickBooks } from '../support/fake-quickbooks.js';
import { connectBackend } from '../support/connect-backend.js';

/**
 * Tax end to end: the rate set on the customer in the back-end is applied there, read back, shown in
 * Slack and in the emails, and is what the client owes: paying only the subtotal leaves the tax open.
 * And QuickBooks without QuickBooks Payments: the invoice PDF travels as an attachment with the pay
 * instructions, which the reminders repeat.
 */
const messageText = (h: Harness, ts: string): string => {
  const update = h.slack.lastUpdateOf(BILLING_CHANNEL, ts);
  return update ? blocksToText(update.args.blocks as KnownBlock[]) : '';
};

describe('Stripe: the Tax Rate on the customer record', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.stop());

  test('the draft announces the tax, the sent invoice and its email show it, and only paying the total marks it paid', async () => {
    // The owner set the customer up in Stripe with an 8.25% Sales Tax rate (metadata tax_rates).
    const rate = h.stripe.createTaxRate('Sales Tax', '8.25');
    await new Stripe('sk_test_owner', stripeConnection(h.stripe.url)).customers.create({ name: 'Acme Ltd', metadata: { duebot_client_id: 'acme', tax_rates: rate } });

    await h.completeMilestone({ gid: '8001', name: 'Milestone 1 - Discovery', amount: 1500 });
    const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '8001'));
    const posted = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
    const draftText = blocksToText(posted.args.blocks as KnownBlock[]);
    expect(draftText).toContain('Total: $1,500.00 + tax');
    expect(draftText).toContain('Tax as set on the customer in Stripe, added when sent');
    expect(draft).toMatchObject({ subtotal: 150000, total: 150000, taxAmount: null });

    await h.clickButton('approve_invoice', draft.id, APPROVER);
    const sent = await h.waitForStatus(draft.id, 'sent');
    expect(sent).toMatchObject({ subtotal: 150000, taxAmount: 12375, taxName: 'Sales Tax', taxRate: '8.25', total: 162375 });
    expect(h.stripe.invoices.get(sent.providerInvoiceId!)).toMatchObject({ total: 162375, amount_due: 162375 });

    const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
    expect(email.text).toContain('Amount due: $1,623.75');
    expect(email.text).toContain('Subtotal: $1,500.00\nTax (Sales Tax, 8.25%): $123.75\nTotal: $1,623.75');
    expect(email.html).toContain('Tax (Sales Tax, 8.25%)');

    // The channel message was updated once the back-end invoice existed.
    const sentText = await h.slack.waitFor(() => {
      const text = messageText(h, sent.slackTs!);
      return text.includes('Sent') ? text : undefined;
    });
    expect(sentText).toContain('Subtotal $1,500.00 · Tax (Sales Tax, 8.25%) $123.75 · Total $1,623.75');
    expect(sentText).toContain('Balance $1,623.75');
    expect(sentText).not.toContain('added when sent');
    expect((await openInvoicesForAging(h.bot.services.db.pool)).find((r) => r.number === draft.number)).toMatchObject({ total: 162375 });

    // Paying the subtotal is a partial payment: the tax is still owed and the reminder asks for it.
    h.stripe.pay(sent.providerInvoiceId!, 150000);
    await h.deliverStripe('invoice.payment_succeeded', sent.providerInvoiceId!);
    const partial = await h.waitForStatus(draft.id, 'partially_paid');
    expect(partial).toMatchObject({ amountPaid: 150000, total: 162375 });
    h.advanceDays(7);
    const reminder = await h.smtp.waitFor((m) => m.subject.includes(`Reminder: Invoice #${draft.number}`));
    expect(reminder.text).toContain('Amount due: $123.75');
    expect(reminder.text).toContain('Invoice total: $1,623.75');

    h.stripe.pay(sent.providerInvoiceId!);
    await h.deliverStripe('invoice.paid', sent.providerInvoiceId!);
    const paid = await h.waitForStatus(draft.id, 'paid');
    expect(paid.amountPaid).toBe(162375);
  });
});

describe('QuickBooks: the customer default tax code, and no QuickBooks Payments', () => {
  const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    provider: quickbooks
    payInstructions: "Bank transfer to Pixel & Co, IBAN GB00 BANK 0000 0000 0000 00, quoting the invoice number."
`;
  let h: Harness;
  let qbo: FakeQuickBooks;
  beforeEach(async () => {
    qbo = await startFakeQuickBooks();
    h = await startHarness({
      clientsYaml: CLIENTS,
      env: {
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PUBLIC_URL: 'https://duebot.example.com',
        ...quickbooksEnv(qbo),
        PAY_INSTRUCTIONS: 'Business-wide instructions (overridden for this client)',
      },
    });
  });
  afterEach(async () => {
    await h?.stop();
    await qbo?.close();
  });

  test('the email carries the QuickBooks PDF and the pay instructions; reminders repeat them; paying the total marks it paid', async () => {
    expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
    qbo.paymentsEnabled = false;
    // The customer as kept in QuickBooks: taxable, default tax code "CA Sales Tax" at 7.25%.
    const code = qbo.createTaxCode('CA Sales Tax', '7.25');
    qbo.customers.set('58', { Id: '58', SyncToken: '0', DisplayName: 'Acme Ltd', Active: true });
    qbo.setCustomerTax('58', code);

    await h.completeMilestone({ gid: '8101', name: 'Milestone 1 - Discovery', amount: 1000 });
    const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '8101'));
    await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
    await h.clickButton('approve_invoice', draft.id, APPROVER);
    const sent = await h.waitForStatus(draft.id, 'sent');
    expect(sent).toMatchObject({ paymentUrl: null, subtotal: 100000, taxAmount: 7250, taxName: 'CA Sales Tax', taxRate: '7.25', total: 107250 });
    expect(qbo.invoices.get(sent.providerInvoiceId!)).toMatchObject({ TotalAmt: 1072.5, TxnTaxDetail: { TotalTax: 72.5 } });

    const email = await h.smtp.waitFor((m) => m.subject.includes(`Invoice #${draft.number}`));
    expect(email.attachments).toHaveLength(1);
    const [pdf] = email.attachments;
    expect(pdf).toMatchObject({ filename: `Invoice-${draft.number}.pdf`, contentType: 'application/pdf' });
    expect(pdf!.content.equals(qbo.pdfOf(sent.providerInvoiceId!))).toBe(true);
    expect(pdf!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(email.text).toContain('How to pay:\nBank transfer to Pixel & Co, IBAN GB00 BANK 0000 0000 0000 00, quoting the invoice number.');
    expect(email.text).not.toContain('Pay now');
    expect(email.text).not.toContain('Business-wide instructions');
    expect(email.text).toContain('Tax (CA Sales Tax, 7.25%): $72.50\nTotal: $1,072.50');

    h.advanceDays(7);
    const reminder = await h.smtp.waitFor((m) => m.subject.includes(`Reminder: Invoice #${draft.number}`));
    expect(reminder.text).toContain('How to pay:\nBank transfer to Pixel & Co');
    expect(reminder.text).toContain('Amount due: $1,072.50');
    expect(reminder.attachments).toHaveLength(0);

    const { paymentId } = qbo.pay(sent.providerInvoiceId!, 107250);
    const delivery = qbo.signed([
      {
        specversion: '1.0',
        id: `evt-${paymentId}`,
        type: 'qbo.payment.created.v1',
        time: new Date().toISOString(),
        intuitentityid: paymentId,
        intuitaccountid: qbo.realmId,
        data: {},
      },
    ]);
    expect((await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: delivery.body, headers: delivery.headers })).status).toBe(200);
    const paid = await h.waitForStatus(draft.id, 'paid');
    expect(paid.amountPaid).toBe(107250);
    await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM inbox_events WHERE source = 'quickbooks' AND processed_at IS NOT NULL")).rowCount === 1);
  });
});

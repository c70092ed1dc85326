import { startHarness, type Harness } from '../support/harness.js';
import { findInvoiceByNumber } from '../../src/store/invoices.js';
import { addDays, localDate, localTime } from '../../src/domain/calendar.js';

/** `/invoices import` through signed Slack requests on the real app, against the fake Stripe account. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const replyAfter = async (count: number, needle: string) => h.slack.waitFor(() => h.slack.responses.slice(count).find((r) => JSON.stringify(r.body).includes(needle)));

test('approvers import the Stripe history in the background; it shows in aging but nothing is posted, emailed or reminded', async () => {
  const today = localDate(h.clock.now(), 'UTC');
  const at = (days: number) => Math.floor(localTime(addDays(today, days), 12, 'UTC').getTime() / 1000);
  h.stripe.seedInvoice({ customerName: 'Acme Ltd', number: 'OLD-1', currency: 'USD', total: 120000, created: at(-90), dueDate: at(-83), status: 'paid', paidAt: at(-80) });
  h.stripe.seedInvoice({ customerName: 'Acme Ltd', number: 'OLD-2', currency: 'USD', total: 80000, created: at(-40), dueDate: at(-33), status: 'open' });
  h.stripe.seedInvoice({ customerName: 'Initech', number: 'OLD-3', currency: 'USD', total: 30000, created: at(-20), dueDate: at(-6), status: 'paid', paidAt: at(-5) });
  h.stripe.seedInvoice({ customerName: 'Initech', number: 'OLD-4', currency: 'USD', total: 5000, created: at(-10), dueDate: at(4), status: 'void' });

  let count = h.slack.responses.length;
  await h.slashCommand('import stripe', 'UNOBODY');
  await replyAfter(count, 'only invoice approvers');
  expect(await findInvoiceByNumber(h.bot.services.db.pool, 'OLD-1')).toBeNull();

  count = h.slack.responses.length;
  await h.slashCommand('import xero');
  await replyAfter(count, '\\"xero\\" is not a configured back-end (configured: stripe)');

  const posts = h.slack.callsTo('chat.postMessage').length;
  const emails = h.smtp.messages.length;
  count = h.slack.responses.length;
  await h.slashCommand('import');
  await replyAfter(count, 'Importing the invoices and payments in stripe');
  await replyAfter(count, 'Read 4 invoices from stripe');
  const done = await replyAfter(count, 'Import from stripe: 4 read, 3 imported, 0 updated, 0 unchanged, 1 skipped.');
  expect(JSON.stringify(done.body)).toContain('Initech');
  expect(JSON.stringify(done.body)).toContain('skipped OLD-4: void');

  const open = await findInvoiceByNumber(h.bot.services.db.pool, 'OLD-2');
  expect(open).toMatchObject({ clientId: 'acme', status: 'sent', source: 'import', total: 80000 });

  count = h.slack.responses.length;
  await h.slashCommand('aging');
  expect(JSON.stringify((await replyAfter(count, 'OLD-2')).body)).toContain('Acme Ltd');

  count = h.slack.responses.length;
  await h.slashCommand('remind OLD-2');
  await replyAfter(count, 'imported history');

  // A day later, after the scheduler has swept several times: still no message, email or reminder.
  h.advanceDays(1);
  await new Promise((r) => setTimeout(r, 1500));
  expect(h.slack.callsTo('chat.postMessage').length).toBe(posts);
  expect(h.smtp.messages.length).toBe(emails);

  count = h.slack.responses.length;
  await h.slashCommand('import stripe');
  await replyAfter(count, 'Import from stripe: 4 read, 0 imported, 0 updated, 3 unchanged, 1 skipped.');
});

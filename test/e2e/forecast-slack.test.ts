import { startHarness, APPROVER, MEMBER, type Harness } from '../support/harness.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { startFakeQuickBooks, quickbooksEnv, type FakeQuickBooks } from '../support/fake-quickbooks.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import { addDays, localDate } from '../../src/domain/calendar.js';

/**
 * `/invoices balance` and `/invoices forecast` through signed Slack requests on the real app. QuickBooks
 * is configured too (not connected until the bills test): the back-end whose bills are the outflows.
 */
let h: Harness;
let qbo: FakeQuickBooks;
beforeAll(async () => {
  qbo = await startFakeQuickBooks();
  h = await startHarness({ env: quickbooksEnv(qbo) });
});
afterAll(async () => {
  await h.stop();
  await qbo.close();
});

const replyAfter = async (count: number, needle: string) => h.slack.waitFor(() => h.slack.responses.slice(count).find((r) => JSON.stringify(r.body).includes(needle)));

test('balance: approvers only, asks for the currency when clients use several, then the forecast projects from it', async () => {
  let count = h.slack.responses.length;
  await h.slashCommand('balance 12500', 'UNOBODY');
  expect((await replyAfter(count, 'only invoice approvers')).body).toMatchObject({ response_type: 'ephemeral' });

  count = h.slack.responses.length;
  await h.slashCommand('balance 12,500.00');
  await replyAfter(count, 'Which currency? Your clients use EUR, USD');

  count = h.slack.responses.length;
  await h.slashCommand('balance 12.345 USD');
  await replyAfter(count, 'has more decimals than USD allows');

  count = h.slack.responses.length;
  await h.slashCommand('balance 12,500.00 usd');
  await replyAfter(count, 'Starting balance set to $12,500.00');

  // One sent invoice (Acme: USD, 7-day terms) and one draft awaiting approval; no payment history
  // yet, so both are expected on their due dates, inside the 30 days.
  await h.completeMilestone({ gid: '9101', name: 'Forecast A', amount: 1000 });
  const a = await h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(h.bot.services.db.pool, 'asana', '9101');
    return inv?.slackTs ? inv : undefined;
  });
  await h.clickButton('approve_invoice', a.id, APPROVER);
  await h.waitForStatus(a.id, 'sent');
  await h.completeMilestone({ gid: '9102', name: 'Forecast B', amount: 250 });
  await h.slack.waitFor(async () => (await findInvoiceBySource(h.bot.services.db.pool, 'asana', '9102'))?.slackTs ?? undefined);

  count = h.slack.responses.length;
  await h.slashCommand('forecast', MEMBER); // reading the forecast is open to the billing channel, like aging
  const reply = await replyAfter(count, 'Cash-flow forecast');
  const text = JSON.stringify(reply.body);
  expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
  expect(text).toContain('expected in the next 30 days *$1,250.00*');
  expect(text).toContain('Starting balance $12,500.00');
  expect(text).toContain('$13,750.00'); // projected balance after both inflows
  expect(text).toContain('Overdue now: *$0.00*');

  // The chart PNG goes to the requester's DM (an ephemeral reply cannot carry a file).
  const complete = await h.slack.waitFor(() => h.slack.callsTo('files.completeUploadExternal')[0], 15000);
  expect(complete.args.channel_id).toBe('DUMEMBER1');
  expect(h.slack.callsTo('conversations.open').some((c) => c.args.users === MEMBER)).toBe(true);
  const upload = h.slack.uploads.at(-1)!;
  expect(upload.body).toContain('PNG'); // a multipart body around the image bytes
  expect(upload.body).toContain('IHDR');
  expect(Number(h.slack.callsTo('files.getUploadURLExternal')[0]!.args.length)).toBeGreaterThan(5000);
});

test('bills due at QuickBooks are outflows: per week, in the total, and the projected balance is after them', async () => {
  // Connected as the OAuth flow would have left it (test/e2e/accounting-backends.test.ts runs the flow itself).
  const connections = createConnectionStore(h.bot.services.db.pool, createTokenCipher(Buffer.from(h.env.ENCRYPTION_KEY!, 'base64')));
  await connections.saveTokens('quickbooks', { accountId: qbo.realmId, ...qbo.issueTokens() }, h.clock.now());
  const today = localDate(h.clock.now(), 'UTC');
  qbo.addBill({ vendor: 'Office Rent LLC', dueDate: addDays(today, 3), totalCents: 200_000 });
  qbo.addBill({ vendor: 'Cloud Hosting', dueDate: addDays(today, 10), totalCents: 30_000, paidCents: 10_000 });
  qbo.addBill({ vendor: 'Paid Already', dueDate: addDays(today, 5), totalCents: 99_900, paidCents: 99_900 });
  qbo.addBill({ vendor: 'Next Quarter', dueDate: addDays(today, 45), totalCents: 99_900 });

  const count = h.slack.responses.length;
  await h.slashCommand('forecast', MEMBER);
  const text = JSON.stringify((await replyAfter(count, 'Cash-flow forecast')).body);
  expect(text).toContain('Bills due in the next 30 days: *$2,200.00*');
  expect(text).toContain('Bills due');
  // $12,500.00 set in Slack + $1,250.00 expected - $2,200.00 of bills.
  expect(text).toContain('$11,550.00');
  expect(text).toContain('Outflows: bills due in QuickBooks');
  expect(text).not.toContain('not available');
  const query = qbo.requests.map((r) => r.query.get('query') ?? '').find((q) => /from bill /i.test(q));
  expect(query).toBe(`select * from bill where DueDate >= '${today}' and DueDate <= '${addDays(today, 30)}' startposition 1 maxresults 1000`);
});

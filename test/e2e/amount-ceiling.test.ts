import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { EDIT_ACTIONS, EDIT_BLOCKS, EDIT_INVOICE_MODAL } from '../../blocks/ids.js';
import { auditTrail } from '../../src/store/audit.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';

/**
 * Amount sanity through the real app: a milestone line that rounds to nothing is a "needs set-up" note,
 * and a draft over its ceiling is held for a person (auto-send clients included) who must confirm it.
 */
const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: ap@acme.example
    currency: USD
    asanaProjects: ["1200"]
  - id: bigco
    name: BigCo
    emails: ap@bigco.example
    currency: USD
    asanaProjects: ["1400"]
    autoSend: true
  - id: capped
    name: Capped Inc
    emails: ap@capped.example
    currency: USD
    asanaProjects: ["1500"]
    autoSend: true
    maxInvoiceAmount: 5000
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const draftOf = (gid: string) => h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', gid)) as Promise<InvoiceRecord>;
/** The invoice's message (its last update, else its first post) once it contains `text`. */
const messageSaying = (invoice: InvoiceRecord, text: string) =>
  h.slack.waitFor(async () => {
    const ts = (await getInvoice(pool(), invoice.id))?.slackTs;
    const call = (ts && h.slack.lastUpdateOf(BILLING_CHANNEL, ts)) || h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(invoice.number));
    const json = call ? JSON.stringify(call.args) : '';
    return json.includes(text) ? json : undefined;
  });
const ephemeralTo = (user: string, pattern: RegExp) =>
  h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === user && pattern.test(String(c.args.text))));
const emailsTo = (address: string) => h.smtp.messages.filter((m) => m.to.includes(address));

test('an Asana milestone whose Quantity × Rate rounds to zero gets the "needs set-up" note with the reason, and no invoice', async () => {
  expect((await h.completeMilestone({ gid: '7001', name: 'Dust milestone', quantity: 0.0001, rate: 10 })).status).toBe(200);
  const note = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('Dust milestone')));
  expect(String(note.args.text)).toContain('cannot be invoiced: milestone "Dust milestone": Quantity × Rate: line "Dust milestone": 0.0001 × 10.00 USD comes to 0.00 USD');
  expect(await findInvoiceBySource(pool(), 'asana', '7001')).toBeNull();
});

test('a 2,000,000 USD milestone of an auto-send client is held, not emailed, says why; only an approver confirming that total sends it', async () => {
  expect((await h.completeMilestone({ gid: '7002', name: 'Platform rebuild', amount: 2_000_000, projectGid: '1400' })).status).toBe(200);
  const draft = await draftOf('7002');
  const message = await messageSaying(draft, 'over the 1,000,000.00 USD ceiling: check the amount');
  expect(message).toContain(`"value":"${draft.id}:200000000"`);
  expect((await getInvoice(pool(), draft.id))!.status).toBe('draft');
  expect(emailsTo('ap@bigco.example')).toHaveLength(0);
  expect(h.stripe.invoices.size).toBe(0);
  expect((await auditTrail(pool(), draft.id)).map((a) => a.action)).toEqual(['drafted']);

  // An approval that does not carry the confirmed total (a forged or stale click) is refused.
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  await ephemeralTo(APPROVER, /was not sent: over the 1,000,000\.00 USD ceiling/);
  expect((await getInvoice(pool(), draft.id))!.status).toBe('draft');

  await h.clickButton('approve_invoice', `${draft.id}:200000000`, APPROVER);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(sent.approvedBy).toBe(`slack:${APPROVER}`);
  expect(emailsTo('ap@bigco.example')).toHaveLength(1);
  expect((await auditTrail(pool(), draft.id)).find((a) => a.action === 'approved')?.details).toEqual({
    overCeiling: 'over the 1,000,000.00 USD ceiling: check the amount',
    confirmedTotal: 200_000_000,
  });
});

test("a client's maxInvoiceAmount is its ceiling: 6,000 is held, 4,000 still goes out by itself", async () => {
  await h.completeMilestone({ gid: '7003', name: 'Over the cap', amount: 6000, projectGid: '1500' });
  const held = await draftOf('7003');
  await messageSaying(held, 'over the 5,000.00 USD ceiling: check the amount');
  await h.completeMilestone({ gid: '7004', name: 'Under the cap', amount: 4000, projectGid: '1500' });
  const under = await draftOf('7004');
  await h.waitForStatus(under.id, 'sent');
  expect(emailsTo('ap@capped.example').map((m) => m.subject)).toEqual([expect.stringContaining(under.number)]);
  expect((await getInvoice(pool(), held.id))!.status).toBe('draft');
});

test('an edit that lifts a draft over the ceiling holds it too; the edit modal refuses a zero line', async () => {
  await h.completeMilestone({ gid: '7005', name: 'Design', amount: 1500 });
  const draft = await draftOf('7005');
  const values = (lines: string) => ({
    [EDIT_BLOCKS.lines]: { [EDIT_ACTIONS.lines]: { type: 'plain_text_input', value: lines } },
    [EDIT_BLOCKS.dueDate]: { [EDIT_ACTIONS.dueDate]: { type: 'datepicker', selected_date: draft.dueDate } },
    [EDIT_BLOCKS.recipients]: { [EDIT_ACTIONS.recipients]: { type: 'plain_text_input', value: 'ap@acme.example' } },
  });

  const zero = await h.submitView(EDIT_INVOICE_MODAL, APPROVER, draft.id, values('Design | 0.0000001 | 10.00'));
  expect(await zero.json()).toEqual({ response_action: 'errors', errors: { [EDIT_BLOCKS.lines]: 'Line 1: 0.0000001 × 10.00 rounds to nothing' } });
  expect((await getInvoice(pool(), draft.id))!.total).toBe(150_000);

  expect((await h.submitView(EDIT_INVOICE_MODAL, APPROVER, draft.id, values('Design | 1 | 1500000.00'))).status).toBe(200);
  await h.slack.waitFor(async () => ((await getInvoice(pool(), draft.id))!.total === 150_000_000 ? true : undefined));
  await messageSaying(draft, 'over the 1,000,000.00 USD ceiling: check the amount');

  // The Approve button of the message before the edit carried no confirmation: refused.
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  await ephemeralTo(APPROVER, new RegExp(`Invoice ${draft.number} was not sent: over the`));
  // A confirmation of another total (the one shown before a further edit) is refused as well.
  await h.clickButton('approve_invoice', `${draft.id}:150000`, APPROVER);
  await h.slack.waitFor(() =>
    h.slack.callsTo('chat.postEphemeral').filter((c) => String(c.args.text).startsWith(`Invoice ${draft.number} was not sent`)).length === 2 ? true : undefined,
  );
  expect((await getInvoice(pool(), draft.id))!.status).toBe('draft');
  expect(emailsTo('ap@acme.example')).toHaveLength(0);
});

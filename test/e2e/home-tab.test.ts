import { appHomeOpenedEvent } from '../support/fake-slack.js';
import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, OWNER, type Harness } from '../support/harness.js';
import { getClient } from '../../src/store/clients.js';
import { claimEffect } from '../../src/store/effects.js';
import { findInvoiceBySource, updateInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { insertReminders } from '../../src/store/reminders.js';
import { insertClientDraft } from '../../src/usecases/draft-from-milestone.js';
import { DAY_MS } from '../../src/domain/calendar.js';
import { blockProblems, LIMITS } from '../../blocks/limits.js';

/**
 * The Home tab and the roles, through signed Slack requests: app_home_opened → views.publish with the
 * figures of a seeded set; a payment → one republish; viewers read, outsiders are refused.
 */

const DEBOUNCE_MS = 300;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ homeRefreshDebounceMs: DEBOUNCE_MS });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const daysAgo = (n: number) => new Date(h.clock.now().getTime() - n * DAY_MS);
const ymd = (d: Date) => d.toISOString().slice(0, 10);
type View = {
  type: string;
  blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; accessory?: { action_id: string; value: string }; elements?: { text: string }[] }[];
};
const viewText = (view: View) => JSON.stringify(view.blocks);
const lastHome = (user: string) => h.slack.publishedHomes(user).at(-1)?.args.view as View | undefined;

/** Stores an invoice through the store's own functions, as if it had gone through the flow. */
async function seed(
  clientId: string,
  ref: string,
  amount: number,
  state: { status: InvoiceRecord['status']; sentDaysAgo?: number; dueInDays: number; paid?: number; disputed?: boolean },
): Promise<InvoiceRecord> {
  const client = (await getClient(pool(), clientId))!;
  const draft = (await insertClientDraft(
    pool(),
    h.bot.services,
    client,
    { source: 'seed', sourceRef: ref, sourceUrl: null, milestone: `Seeded ${ref}`, lines: [{ description: ref, quantity: '1', unitAmount: amount, amount }] },
    h.clock.now(),
  ))!;
  const sentAt = state.sentDaysAgo === undefined ? undefined : daysAgo(state.sentDaysAgo);
  return (await updateInvoice(
    pool(),
    draft.id,
    {
      status: state.status,
      sentAt,
      dueDate: ymd(new Date(h.clock.now().getTime() + state.dueInDays * DAY_MS)),
      amountPaid: state.paid,
      disputed: state.disputed,
      disputedAt: state.disputed ? h.clock.now() : undefined,
      paidAt: state.status === 'paid' ? daysAgo(1) : undefined,
    },
    h.clock.now(),
  ))!;
}

test('app_home_opened publishes the dashboard with the seeded figures; approvers get the settings buttons', async () => {
  const a = await seed('acme', 'A', 100000, { status: 'sent', sentDaysAgo: 10, dueInDays: -3 }); // overdue, 8-14
  await seed('acme', 'B', 50000, { status: 'partially_paid', sentDaysAgo: 2, dueInDays: 5, paid: 20000 }); // $300 open, 0-7
  const c = await seed('globex', 'C', 80000, { status: 'sent', sentDaysAgo: 20, dueInDays: -6, disputed: true }); // overdue, 15-30
  await seed('acme', 'D', 40000, { status: 'paid', sentDaysAgo: 40, dueInDays: -33, paid: 40000 }); // sales only
  await seed('acme', 'E', 99900, { status: 'draft', dueInDays: 7 }); // not a receivable yet
  await claimEffect(pool(), { key: `escalation-task:${a.id}`, invoiceId: a.id, kind: 'escalation-task', claimedBy: 'test' }, h.clock.now());
  await insertReminders(pool(), a.id, [{ stepIndex: 0, tone: 'firm', day: 14, from: 'delivery', dueAt: new Date(h.clock.now().getTime() + DAY_MS) }]);

  expect((await h.deliverSlackEvent(appHomeOpenedEvent(APPROVER))).status).toBe(200);
  const published = await h.slack.waitFor(() => h.slack.publishedHomes(APPROVER)[0]);
  const view = published.args.view as View;
  expect(view.type).toBe('home');
  expect(blockProblems(view.blocks, LIMITS.modalBlocks)).toEqual([]);
  const text = viewText(view);
  // USD: A $1,000 + B $300 open, A overdue; invoiced in 90 days A+B+D = $1,900 → DSO 1,300 × 90 / 1,900 = 61.6 → 62 days.
  expect(text).toContain('*Outstanding (USD)*\\n$1,300.00 · 2 invoices');
  expect(text).toContain('*Overdue*\\n$1,000.00 · 1 invoice');
  expect(text).toContain('*DSO*\\n62 days');
  // EUR: C alone, all overdue, invoiced €800 in the window → 90 days.
  expect(text).toContain('*Outstanding (EUR)*\\n€800.00 · 1 invoice');
  expect(text).toContain('*DSO*\\n90 days');
  expect(text).toContain('*0-7 days* — 1 invoice · $300.00');
  expect(text).toContain('*8-14 days* — 1 invoice · $1,000.00');
  expect(text).toContain('*15-30 days* — 1 invoice · €800.00');
  expect(text).toContain('*30+ days* — none');
  expect(text).toContain('*Needs attention* (2)');
  expect(text).toContain(`*${c.number}* · Globex · €800.00 · disputed`);
  expect(text).toContain(`*${a.number}* · Acme Ltd · $1,000.00 · escalated`);
  expect(text).toMatch(new RegExp(`the past-due notice for \\*${a.number}\\*`));
  const buttons = view.blocks.filter((b) => b.accessory).map((b) => b.accessory!);
  expect(buttons).toEqual([
    expect.objectContaining({ action_id: 'open_client_settings', value: 'acme' }),
    expect.objectContaining({ action_id: 'open_client_settings', value: 'globex' }),
  ]);
});

test('a channel member sees the dashboard without the buttons; an outsider gets a notice, no figures', async () => {
  await h.deliverSlackEvent(appHomeOpenedEvent(MEMBER));
  const member = await h.slack.waitFor(() => lastHome(MEMBER));
  expect(viewText(member)).toContain('Outstanding (USD)');
  expect(viewText(member)).toContain('view only');
  expect(member.blocks.some((b) => b.accessory)).toBe(false);

  await h.deliverSlackEvent(appHomeOpenedEvent('UOUTSIDER'));
  const outsider = await h.slack.waitFor(() => lastHome('UOUTSIDER'));
  expect(viewText(outsider)).toContain(`members of <#${BILLING_CHANNEL}>`);
  expect(viewText(outsider)).not.toContain('Outstanding');
});

test('a payment republishes each opened Home tab once, with the new figures', async () => {
  await h.completeMilestone({ gid: '7001', name: 'Home milestone', amount: 500 });
  const inv = await h.slack.waitFor(async () => {
    const found = await findInvoiceBySource(pool(), 'asana', '7001');
    return found?.slackTs ? found : undefined;
  });
  await h.clickButton('approve_invoice', inv.id, APPROVER);
  const sent = await h.waitForStatus(inv.id, 'sent');
  await h.slack.waitFor(() => viewText(lastHome(APPROVER)!).includes('$1,800.00') || undefined); // $1,300 + the new $500
  await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 4)); // let the approval's refreshes settle
  const before = { approver: h.slack.publishedHomes(APPROVER).length, member: h.slack.publishedHomes(MEMBER).length, outsider: h.slack.publishedHomes('UOUTSIDER').length };

  h.stripe.pay(sent.providerInvoiceId!);
  await h.deliverStripe('invoice.paid', sent.providerInvoiceId!);
  await h.waitForStatus(inv.id, 'paid');
  const after = await h.slack.waitFor(() => h.slack.publishedHomes(APPROVER)[before.approver]);
  expect(viewText(after.args.view as View)).toContain('$1,300.00 · 2 invoices');
  await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 4));
  // The payment updated the invoice message and posted in its thread: still one publish per viewer.
  expect(h.slack.publishedHomes(APPROVER)).toHaveLength(before.approver + 1);
  expect(h.slack.publishedHomes(MEMBER)).toHaveLength(before.member + 1);
  expect(h.slack.publishedHomes('UOUTSIDER')).toHaveLength(before.outsider); // never remembered
});

test('a failed publish is logged and the change stands', async () => {
  const a = (await findInvoiceBySource(pool(), 'seed', 'A'))!;
  const count = h.slack.callsTo('views.publish').length;
  h.slack.failNext('views.publish', 2, 'internal_error');
  await h.slashCommand(`pause ${a.number}`, APPROVER);
  await h.slack.waitFor(() => h.slack.responses.find((r) => JSON.stringify(r.body).includes(`Reminders for ${a.number} paused`)));
  await h.slack.waitFor(() => h.slack.callsTo('views.publish').length >= count + 2 || undefined); // both viewers' publishes refused
  expect((await findInvoiceBySource(pool(), 'seed', 'A'))!.paused).toBe(true);

  await h.slashCommand(`resume ${a.number}`, APPROVER); // the next change publishes again
  await h.slack.waitFor(() => (h.slack.publishedHomes(APPROVER).length > 0 && h.slack.callsTo('views.publish').length >= count + 4) || undefined);
});

test('read commands: a member may read but not act on money; an outsider is refused', async () => {
  const ask = async (text: string, user: string) => {
    const count = h.slack.responses.length;
    await h.slashCommand(text, user);
    return JSON.stringify((await h.slack.waitFor(() => h.slack.responses[count])).body);
  };
  expect(await ask('aging', MEMBER)).toContain('Receivables aging');
  expect(await ask('list', MEMBER)).toContain('Open invoices');
  expect(await ask('aging', 'UOUTSIDER')).toContain(`members of <#${BILLING_CHANNEL}> and to approvers only`);
  expect(await ask('list', 'UOUTSIDER')).not.toContain('Open invoices');
  expect(await ask('help', 'UOUTSIDER')).toContain('What I can do');

  const a = (await findInvoiceBySource(pool(), 'seed', 'A'))!;
  expect(await ask(`pause ${a.number}`, MEMBER)).toContain('only invoice approvers can pause reminders');
  const draft = (await findInvoiceBySource(pool(), 'seed', 'E'))!;
  await h.clickButton('approve_invoice', draft.id, MEMBER);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === MEMBER && /only invoice approvers/.test(String(c.args.text))));
  expect((await findInvoiceBySource(pool(), 'seed', 'E'))!.status).toBe('draft');
});

test('joining the billing channel takes effect at once (the member cache is cleared by the event)', async () => {
  expect(
    JSON.stringify(
      (
        await (async () => {
          const count = h.slack.responses.length;
          await h.slashCommand('aging', 'UNEWCOMER');
          return h.slack.waitFor(() => h.slack.responses[count]);
        })()
      ).body,
    ),
  ).toContain('approvers only');
  h.slack.setChannelMembers(BILLING_CHANNEL, [OWNER, APPROVER, MEMBER, 'UNEWCOMER']);
  await h.deliverSlackEvent({ type: 'member_joined_channel', user: 'UNEWCOMER', channel: BILLING_CHANNEL, channel_type: 'C', team: 'T0FAKE' });
  const count = h.slack.responses.length;
  await h.slashCommand('aging', 'UNEWCOMER');
  expect(JSON.stringify((await h.slack.waitFor(() => h.slack.responses[count])).body)).toContain('Receivables aging');
});

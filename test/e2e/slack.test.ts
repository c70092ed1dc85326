import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice } from '../../src/store/invoices.js';

/** Slack interactions through signed requests to /slack/events: commands, buttons, the edit modal. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const draftFor = async (gid: string, name: string, amount: number) => {
  await h.completeMilestone({ gid, name, amount });
  return h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
};

test('an unsigned or wrongly signed Slack request is rejected', async () => {
  const res = await fetch(`${h.bot.url}/slack/events`, {
    method: 'POST',
    body: 'command=%2Finvoices&text=help',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=bad', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) },
  });
  expect(res.status).toBe(401);
});

test('/invoices help, an unknown subcommand and /invoices aging answer ephemerally', async () => {
  expect((await h.slashCommand('help')).status).toBe(200);
  const help = await h.slack.waitFor(() => h.slack.responses.find((r) => JSON.stringify(r.body).includes('aging')));
  expect(help.body).toMatchObject({ response_type: 'ephemeral' });

  await h.slashCommand('frobnicate');
  const unknown = await h.slack.waitFor(() => h.slack.responses.find((r) => JSON.stringify(r.body).includes('frobnicate')));
  expect(unknown.body).toMatchObject({ response_type: 'ephemeral' });

  // Two sent invoices of different ages, then the aging table.
  const a = await draftFor('8001', 'Aging A', 1000);
  await h.clickButton('approve_invoice', a.id, APPROVER);
  await h.waitForStatus(a.id, 'sent');
  h.advanceDays(10);
  const b = await draftFor('8002', 'Aging B', 250);
  await h.clickButton('approve_invoice', b.id, APPROVER);
  await h.waitForStatus(b.id, 'sent');

  const count = h.slack.responses.length;
  await h.slashCommand('aging');
  const aging = await h.slack.waitFor(() => h.slack.responses.slice(count).find((r) => JSON.stringify(r.body).includes('8-14')));
  const text = JSON.stringify(aging.body);
  expect(aging.body).toMatchObject({ response_type: 'ephemeral' });
  expect(text).toContain('$1,000.00');
  expect(text).toContain('$250.00');
  expect(text).toContain(a.number); // overdue (7-day terms, 10 days old)

  // "share" posts the same answer for the whole channel; a miss stays private.
  const before = h.slack.responses.length;
  await h.slashCommand('aging share');
  const shared = await h.slack.waitFor(() => h.slack.responses.slice(before).find((r) => JSON.stringify(r.body).includes('8-14')));
  expect(shared.body).toMatchObject({ response_type: 'in_channel' });
  expect(JSON.stringify(shared.body)).toContain('$1,000.00');
  await h.slashCommand('show NOPE-1 share');
  const miss = await h.slack.waitFor(() => h.slack.responses.slice(before).find((r) => JSON.stringify(r.body).includes('NOPE-1')));
  expect(miss.body).toMatchObject({ response_type: 'ephemeral' });
});

test('edit modal: only approvers open it; a valid submission updates the draft; bad input gets field errors', async () => {
  const inv = await draftFor('8003', 'Editable', 700);
  await h.clickButton('edit_invoice', inv.id, 'UNOBODY');
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'UNOBODY'));
  expect(h.slack.callsTo('views.open')).toHaveLength(0);

  await h.clickButton('edit_invoice', inv.id, APPROVER);
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
  const view = opened.args.view as { callback_id: string; private_metadata: string; blocks: { block_id: string; element?: { action_id: string } }[] };
  expect(view.private_metadata).toBe(inv.id);

  const ids = Object.fromEntries(view.blocks.filter((b) => b.element).map((b) => [b.element!.action_id, b.block_id]));
  const values = (lines: string, due: string, to: string) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [actionId, blockId] of Object.entries(ids)) {
      const element = view.blocks.find((b) => b.block_id === blockId)!.element as { type?: string };
      if (element.type === 'datepicker') out[blockId] = { [actionId]: { type: 'datepicker', selected_date: due } };
      else if (/recip|email/i.test(actionId)) out[blockId] = { [actionId]: { type: 'plain_text_input', value: to } };
      else out[blockId] = { [actionId]: { type: 'plain_text_input', value: lines } };
    }
    return out;
  };

  const bad = await h.submitView(view.callback_id, APPROVER, inv.id, values('Design | 1 | abc', '2027-01-15', 'ap@acme.example'));
  expect(bad.status).toBe(200);
  const badBody = (await bad.json()) as { response_action: string; errors: Record<string, string> };
  expect(badBody.response_action).toBe('errors');
  expect(Object.values(badBody.errors).join(' ')).toMatch(/abc/);

  const good = await h.submitView(view.callback_id, APPROVER, inv.id, values('Design | 1 | 700.00\nExtra revisions | 2.5 | 80', '2027-01-15', 'ap@acme.example, pm@acme.example'));
  expect(good.status).toBe(200);
  const edited = await h.slack.waitFor(async () => {
    const cur = await getInvoice(pool(), inv.id);
    return cur && cur.total !== inv.total ? cur : undefined;
  });
  expect(edited).toMatchObject({ total: 90000, dueDate: '2027-01-15', recipients: ['ap@acme.example', 'pm@acme.example'] });
  expect(edited.lines).toHaveLength(2);
  await h.slack.waitFor(() => JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, inv.slackTs!)?.args ?? '').includes('$900.00') || undefined);
});

test('discard: the draft is gone from the flow, keeps its number, and cannot be approved afterwards', async () => {
  const inv = await draftFor('8004', 'Discard me', 100);
  await h.clickButton('discard_invoice', inv.id, APPROVER);
  await h.slack.waitFor(async () => ((await getInvoice(pool(), inv.id))?.status === 'discarded' ? true : undefined));
  await h.clickButton('approve_invoice', inv.id, APPROVER);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => /already discarded/.test(String(c.args.text))));
  expect(h.smtp.messages.some((m) => m.subject.includes('Discard me'))).toBe(false);
  expect(h.slack.messages(BILLING_CHANNEL).length).toBeGreaterThan(0);
});

// On PostgreSQL only: a second session holds the draft's row lock, which PGlite's single session cannot.
const withServer = process.env.TEST_DATABASE_URL ? test : test.skip;
withServer('Approve & send is acknowledged only after the approval is stored: while the draft cannot be written, Slack gets no 200', async () => {
  const inv = await draftFor('8005', 'Acknowledged approval', 100);
  const blocker = await pool().connect();
  let answered = false;
  let click: Promise<Response> | null = null;
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM invoices WHERE id = $1 FOR UPDATE', [inv.id]);
    click = h.clickButton('approve_invoice', inv.id, APPROVER);
    void click.then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answered).toBe(false);
  } finally {
    await blocker.query('COMMIT');
    blocker.release();
  }
  expect((await click!).status).toBe(200);
  expect((await getInvoice(pool(), inv.id))?.approvedBy).toBe(`slack:${APPROVER}`);
});

test('/invoices list (open, overdue, a client, an unknown client) and /invoices show answer ephemerally', async () => {
  const inv = await draftFor('8010', 'Listed milestone', 420);
  await h.clickButton('approve_invoice', inv.id, APPROVER);
  await h.waitForStatus(inv.id, 'sent');
  const ask = async (text: string, expected: string) => {
    const count = h.slack.responses.length;
    await h.slashCommand(text);
    const answer = await h.slack.waitFor(() => h.slack.responses.slice(count).find((r) => JSON.stringify(r.body).includes(expected)));
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    return JSON.stringify(answer.body);
  };

  expect(await ask('list', 'Open invoices')).toContain(inv.number);
  expect(await ask('list ACME ltd', 'Invoices of Acme Ltd')).toContain('Listed milestone');
  expect(await ask('list overdue', 'Overdue invoices')).not.toContain(inv.number); // due in 7 days
  expect(await ask('list nobody-we-know', 'No client called')).toContain('acme');

  const shown = await ask(`show ${inv.number.toLowerCase()}`, 'Reminders');
  expect(shown).toContain('1. friendly reminder');
  expect(shown).toMatch(/approved · slack:UAPPROVER1/);
  expect(shown).not.toContain('approve_invoice');
  expect(await ask('show INV-9999', 'No invoice numbered')).toContain('INV-9999');
});

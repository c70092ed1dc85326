import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { openBounces } from '../../src/store/bounces.js';
import { runDueWork } from '../../src/usecases/sweep.js';
import { announceBounces, recordBounceReport } from '../../src/usecases/bounces.js';
import { SETTINGS_BLOCKS } from '../../blocks/client-settings-modal.js';
import { mailgunBounce, mailgunDsn, postmarkBounce, postmarkDsn, sendgridDsn, sendgridBounceEvent, sendgridEvents, sendgridKeys } from '../support/fake-bounces.js';
import type { InboundRequest } from '../support/fake-inbound.js';

/**
 * Bounced invoice and reminder emails through the real app: refused at send by the (real, local) SMTP
 * server, reported by a delivery status notification at the inbound address, or by Mailgun's,
 * Postmark's or SendGrid's signed bounce webhook. Each is posted once in the invoice's thread with
 * Update email, holds the client's reminders until its billing emails change, and is counted by status.
 */

let h: Harness;
afterEach(async () => h?.stop());
/** Each test starts its own app on a fresh database, slow on a loaded machine; the steps themselves are not. */
const SLOW = 180_000;

const pool = () => h.bot.services.db.pool;
const threadTexts = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => String(r.args.text));
const alertsIn = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).filter((r) => /bounced:/.test(String(r.args.text)));
const remindersTo = (inv: InvoiceRecord) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && /Reminder/i.test(m.subject));

async function draftFor(gid: string, amount: number, projectGid = '1200'): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount, projectGid })).status).toBe(200);
  return h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
}

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  const draft = await draftFor(gid, amount);
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  await h.slack.waitFor(() => threadTexts(sent).find((t) => /sent to/.test(t)));
  return sent;
}

type View = {
  callback_id: string;
  private_metadata: string;
  blocks: { type: string; block_id?: string; element?: { type: string; action_id: string; initial_value?: string; initial_option?: { value: string }; initial_time?: string } }[];
};

/** Clicks the alert's Update email as `user` and returns the modal it opened. */
async function updateEmailModal(clientId: string, user = APPROVER): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  expect((await h.clickButton('update_bounced_email', clientId, user)).status).toBe(200);
  return (await h.slack.waitFor(() => h.slack.callsTo('views.open')[before])).args.view as View;
}

/** The modal submitted as opened, with the billing emails replaced. */
function withEmails(view: View, emails: string) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    const el = block.element;
    if (block.type !== 'input' || !el || !block.block_id) continue;
    const value = block.block_id === SETTINGS_BLOCKS.emails ? emails : (el.initial_value ?? null);
    if (el.type === 'static_select' || el.type === 'radio_buttons') values[block.block_id] = { [el.action_id]: { type: el.type, selected_option: el.initial_option ?? null } };
    else if (el.type === 'timepicker') values[block.block_id] = { [el.action_id]: { type: el.type, selected_time: el.initial_time ?? null } };
    else values[block.block_id] = { [el.action_id]: { type: el.type, value } };
  }
  return values;
}

test(
  'a recipient refused at send (550): the alert is in the thread with Update email, reminders wait until the email is updated in its modal, status counts it',
  async () => {
    h = await startHarness({ scheduler: false });
    h.smtp.rejectRecipient('cfo@acme.example', 550, '5.1.1 <cfo@acme.example>: Recipient address rejected: <!channel> no such user');
    const inv = await sentInvoice('8101', 1200);
    // The other contact got it: the invoice is sent; the refused one is a bounce.
    expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number)).map((m) => m.to)).toEqual([['ap@acme.example']]);
    await runDueWork(h.bot.services);
    const [alert, ...more] = alertsIn(inv);
    expect(more).toEqual([]);
    expect(String(alert!.args.text)).toMatch(
      /The invoice email \(INV-\d+\) to cfo@acme\.example bounced: 550 5\.1\.1 &lt;cfo@acme\.example&gt;: Recipient address rejected: &lt;!channel&gt; no such user/,
    );
    const button = JSON.stringify(alert!.args.blocks);
    expect(button).toContain('"action_id":"update_bounced_email"');
    expect(button).toContain('"value":"acme"');

    // Status counts it.
    await h.slashCommand('status');
    const status = await h.slack.waitFor(() => h.slack.responses.find((r) => /bounced email/.test(JSON.stringify(r.body))));
    expect(JSON.stringify(status.body)).toContain('1 bounced email not fixed');

    // Day 8: the day-7 reminder is due but held, sweep after sweep; the alert is not repeated.
    h.advanceDays(8);
    await runDueWork(h.bot.services);
    await runDueWork(h.bot.services);
    expect(remindersTo(inv)).toEqual([]);
    expect((await remindersOf(pool(), inv.id))[0]!.status).toBe('pending');
    expect(alertsIn(inv)).toHaveLength(1);

    // Update email opens the client's settings modal; the new billing emails release the hold.
    const view = await updateEmailModal('acme');
    expect(view.callback_id).toBe('client_settings_modal');
    const saved = await h.submitView(view.callback_id, APPROVER, view.private_metadata, withEmails(view, 'ap@acme.example, finance@acme.example'));
    expect(saved.status).toBe(200);
    await h.slack.waitFor(() => threadTexts(inv).find((t) => /Billing emails updated by <@UAPPROVER1>.*1 bounce resolved, reminders resume/.test(t)));
    expect(await openBounces(pool(), { clientId: 'acme' })).toEqual([]);
    await runDueWork(h.bot.services);
    const reminder = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/i.test(m.subject));
    expect(reminder.to.sort()).toEqual(['ap@acme.example', 'finance@acme.example']);
  },
  SLOW,
);

test(
  'every recipient refused: the invoice waits (no resend, no second alert) until the billing email is updated, then goes out',
  async () => {
    h = await startHarness({ scheduler: false });
    h.smtp.rejectRecipient('ap@acme.example');
    h.smtp.rejectRecipient('cfo@acme.example');
    const draft = await draftFor('8201', 700);
    expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
    await h.slack.waitFor(async () => ((await getInvoice(pool(), draft.id))?.attention?.includes('bounced') ? true : undefined));
    await h.bot.services.background.drain();
    h.clock.advance(60_000);
    await runDueWork(h.bot.services);
    await runDueWork(h.bot.services);
    expect((await getInvoice(pool(), draft.id))!.status).toBe('approved');
    expect(
      alertsIn(draft)
        .map((a) => String(a.args.text).match(/to (\S+) bounced/)![1])
        .sort(),
    ).toEqual(['ap@acme.example', 'cfo@acme.example']);
    expect(await openBounces(pool(), { invoiceId: draft.id })).toHaveLength(2);

    const view = await updateEmailModal('acme');
    await h.submitView(view.callback_id, APPROVER, view.private_metadata, withEmails(view, 'payables@acme.example'));
    await h.slack.waitFor(() => threadTexts(draft).find((t) => /2 bounces resolved/.test(t)));
    await runDueWork(h.bot.services);
    const sent = await h.waitForStatus(draft.id, 'sent');
    expect(sent.recipients).toEqual(['payables@acme.example']);
    expect(h.smtp.messages.filter((m) => m.subject.includes(draft.number)).map((m) => m.to)).toEqual([['payables@acme.example']]);
    expect(alertsIn(draft)).toHaveLength(2);
  },
  SLOW,
);

const bounceCount = async () => Number((await pool().query('SELECT count(*) AS n FROM email_bounces')).rows[0].n);
const inboxCount = async () => Number((await pool().query("SELECT count(*) AS n FROM inbox_events WHERE kind = 'email_bounce'")).rows[0].n);
const deliver = (path: string, req: InboundRequest) => h.send(path, typeof req.body === 'string' ? req.body : req.body.toString('utf8'), req.headers);

test(
  "each provider's bounce webhook: authenticated, stored, matched by our Message-ID and alerted in the thread within one sweep; forged ones are refused with nothing stored",
  async () => {
    const keys = sendgridKeys();
    h = await startHarness({ scheduler: false, env: { SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKeyBase64 } });
    const [a, b, c] = [await sentInvoice('8301', 100), await sentInvoice('8302', 200), await sentInvoice('8303', 300)];
    const nowSec = () => Math.floor(h.clock.now().getTime() / 1000);

    // Forged or unsigned: 401, nothing stored, nothing posted.
    const forged = [
      await deliver('/webhooks/bounces/mailgun', mailgunBounce({ messageId: a.emailMessageId!, recipient: 'ap@acme.example' }, { timestamp: nowSec(), key: 'not-the-key' })),
      await deliver('/webhooks/bounces/mailgun', mailgunBounce({ messageId: a.emailMessageId!, recipient: 'ap@acme.example' }, { timestamp: nowSec() - 3600 })),
      await deliver('/webhooks/bounces/postmark', postmarkBounce({ messageId: b.emailMessageId!, recipient: 'ap@acme.example' }, { auth: 'inbound:wrong' })),
      await h.send('/webhooks/bounces/postmark', postmarkBounce({ messageId: b.emailMessageId!, recipient: 'ap@acme.example' }).body as string, {
        'content-type': 'application/json',
      }),
      await deliver(
        '/webhooks/bounces/sendgrid',
        sendgridEvents([sendgridBounceEvent({ messageId: c.emailMessageId!, recipient: 'ap@acme.example' })], { privateKey: sendgridKeys().privateKey, timestamp: nowSec() }),
      ),
      await h.send('/webhooks/bounces/sendgrid', JSON.stringify([sendgridBounceEvent({ messageId: c.emailMessageId!, recipient: 'ap@acme.example' })]), {
        'content-type': 'application/json',
      }),
    ];
    expect(forged.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await Promise.all(forged.map(async (r) => ((await r.json()) as { error: string }).error))).toEqual([
      'Mailgun signature rejected: signature does not match',
      'Mailgun signature rejected: stale timestamp',
      'basic auth credentials do not match',
      'basic auth credentials do not match',
      'SendGrid signature rejected: signature does not match',
      'SendGrid signature rejected: missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp',
    ]);
    expect([await bounceCount(), await inboxCount()]).toEqual([0, 0]);

    // Genuine deliveries, one per provider, each for another invoice.
    const mg = mailgunBounce({ messageId: a.emailMessageId!, recipient: 'ap@acme.example', reason: 'No such mailbox <!here>' }, { timestamp: nowSec() });
    const mgRes = await deliver('/webhooks/bounces/mailgun', mg);
    expect([mgRes.status, await mgRes.json()]).toEqual([200, { received: true, bounces: 1, duplicate: false }]);
    // The same delivery again (a provider retry) is a duplicate; its token with another event is a replay.
    expect(await (await deliver('/webhooks/bounces/mailgun', mg)).json()).toEqual({ received: true, bounces: 1, duplicate: true });
    const token = (JSON.parse(mg.body as string) as { signature: { token: string } }).signature.token;
    const replay = await deliver('/webhooks/bounces/mailgun', mailgunBounce({ messageId: b.emailMessageId!, recipient: 'cfo@acme.example' }, { timestamp: nowSec(), token }));
    expect(replay.status).toBe(401);
    const pmRes = await deliver('/webhooks/bounces/postmark', postmarkBounce({ messageId: b.emailMessageId!, recipient: 'cfo@acme.example' }));
    expect([pmRes.status, await pmRes.json()]).toEqual([200, { received: true, bounces: 1, duplicate: false }]);
    const sgRes = await deliver(
      '/webhooks/bounces/sendgrid',
      sendgridEvents(
        [
          { email: 'ap@acme.example', event: 'delivered', sg_event_id: 'd1', 'smtp-id': c.emailMessageId },
          sendgridBounceEvent({ messageId: c.emailMessageId!, recipient: 'ap@acme.example' }),
        ],
        { privateKey: keys.privateKey, timestamp: nowSec() },
      ),
    );
    expect([sgRes.status, await sgRes.json()]).toEqual([200, { received: true, bounces: 1, duplicate: false }]);
    // Soft bounces and other events are no bounce: answered 200, nothing stored.
    const soft = await deliver(
      '/webhooks/bounces/mailgun',
      mailgunBounce({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example' }, { timestamp: nowSec(), severity: 'temporary' }),
    );
    expect(await soft.json()).toEqual({ received: true, bounces: 0, duplicate: false });
    const softPm = await deliver('/webhooks/bounces/postmark', {
      ...postmarkBounce({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example' }, { type: 'SoftBounce' }),
      body: JSON.stringify({
        ...JSON.parse(postmarkBounce({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example' }, { type: 'SoftBounce' }).body as string),
        Inactive: false,
      }),
    });
    expect(await softPm.json()).toEqual({ received: true, bounces: 0, duplicate: false });
    // A bounce for an email duebot never sent is stored unmatched and alerts nothing.
    const unknown = await deliver('/webhooks/bounces/postmark', postmarkBounce({ messageId: '<invented.0123@pixelco.example>', recipient: 'ap@acme.example' }));
    expect(unknown.status).toBe(200);

    await h.bot.services.background.drain();
    await runDueWork(h.bot.services);
    expect(alertsIn(a).map((r) => String(r.args.text))).toEqual([
      expect.stringMatching(/invoice email \(INV-\d+\) to ap@acme\.example bounced: 550 No such mailbox &lt;!here&gt; \(reported by the mail provider, mailgun\)/),
    ]);
    expect(alertsIn(b).map((r) => String(r.args.text))).toEqual([expect.stringMatching(/to cfo@acme\.example bounced: The server was unable .*5\.1\.1.*postmark/)]);
    expect(alertsIn(c).map((r) => String(r.args.text))).toEqual([expect.stringMatching(/to ap@acme\.example bounced: 5\.1\.1 550 5\.1\.1 .*sendgrid/)]);
    expect(await bounceCount()).toBe(4);
    expect((await openBounces(pool())).map((x) => x.invoiceId).sort()).toEqual([a.id, b.id, c.id].sort());
    await runDueWork(h.bot.services);
    expect([alertsIn(a).length, alertsIn(b).length, alertsIn(c).length]).toEqual([1, 1, 1]);
  },
  SLOW,
);

test(
  'the emails duebot sends carry what the providers hand back: our Message-ID, and Postmark metadata',
  async () => {
    h = await startHarness({ scheduler: false });
    const inv = await sentInvoice('8401', 100);
    const email = h.smtp.messages.find((m) => m.subject.includes(inv.number))!;
    expect(email.messageId).toBe(inv.emailMessageId);
    expect(email.headers['x-pm-metadata-duebot-message-id']).toBe(inv.emailMessageId);
  },
  SLOW,
);

test(
  'a delivery status notification at the inbound address (Postmark, Mailgun, SendGrid) is a bounce of the email it returns, never a client reply; one for an email duebot never sent acts on nothing',
  async () => {
    h = await startHarness({ scheduler: false });
    const [a, b, c] = [await sentInvoice('8501', 100), await sentInvoice('8502', 200), await sentInvoice('8503', 300)];
    const nowSec = Math.floor(h.clock.now().getTime() / 1000);

    const answers = [
      await h.deliverEmail(postmarkDsn({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example', diagnostic: '550 5.1.1 User unknown <!channel>' })),
      await h.deliverEmail(mailgunDsn({ messageId: b.emailMessageId!, recipient: 'ap@acme.example' }, { timestamp: nowSec })),
      await h.deliverEmail(sendgridDsn({ messageId: c.emailMessageId!, recipient: 'ap@acme.example', status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' })),
      // Forged: a report for a Message-ID duebot never sent.
      await h.deliverEmail(postmarkDsn({ messageId: '<inv-0001.invoice.00000000000000000000000000000000@pixelco.example>', recipient: 'ap@acme.example' })),
      // Transient (4.x.x, Action: delayed would be the same): not a bounce.
      await h.deliverEmail(postmarkDsn({ messageId: a.emailMessageId!, recipient: 'ap@acme.example', status: '4.4.1' })),
      // Forged without credentials: refused, nothing stored.
      await h.deliverEmail(postmarkDsn({ messageId: a.emailMessageId!, recipient: 'ap@acme.example' }, 'inbound:wrong')),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 401]);
    expect(await answers[0]!.json()).toEqual({ received: true, duplicate: false, deliveryReport: true });

    await h.bot.services.background.drain();
    await runDueWork(h.bot.services);
    expect(alertsIn(a).map((r) => String(r.args.text))).toEqual([
      expect.stringMatching(
        /invoice email \(INV-\d+\) to cfo@acme\.example bounced: 5\.1\.1 550 5\.1\.1 User unknown &lt;!channel&gt; \(a delivery failure report came back, postmark\)/,
      ),
    ]);
    expect(alertsIn(b).map((r) => String(r.args.text))).toEqual([expect.stringMatching(/to ap@acme\.example bounced: 5\.1\.1 550 5\.1\.1 .*mailgun/)]);
    expect(alertsIn(c).map((r) => String(r.args.text))).toEqual([expect.stringMatching(/to ap@acme\.example bounced: 5\.2\.2 552 5\.2\.2 Mailbox full .*sendgrid/)]);
    // Not client replies: nothing in inbound_emails, no reply posts.
    expect(Number((await pool().query('SELECT count(*) AS n FROM inbound_emails')).rows[0].n)).toBe(0);
    // The stored deliveries are acted on concurrently (on PostgreSQL), so the rows' order is not the deliveries'.
    const rows = (await pool().query('SELECT recipient, invoice_id FROM email_bounces')).rows as { recipient: string; invoice_id: string | null }[];
    expect(rows).toHaveLength(4);
    expect(rows).toEqual(
      expect.arrayContaining([
        { recipient: 'cfo@acme.example', invoice_id: a.id },
        { recipient: 'ap@acme.example', invoice_id: b.id },
        { recipient: 'ap@acme.example', invoice_id: c.id },
        { recipient: 'ap@acme.example', invoice_id: null },
      ]),
    );
    // A webhook for the same bounce as a DSN is the same bounce: no second row, no second alert.
    await h.send(
      '/webhooks/bounces/postmark',
      postmarkBounce({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example' }).body as string,
      postmarkBounce({ messageId: a.emailMessageId!, recipient: 'cfo@acme.example' }).headers,
    );
    await h.bot.services.background.drain();
    await runDueWork(h.bot.services);
    expect([await bounceCount(), alertsIn(a).length]).toEqual([4, 1]);
  },
  SLOW,
);

test(
  'a reminder refused at send is a bounce of that reminder: the later steps wait; a DSN for a reminder is matched by its Message-ID; two sweeps at once post each alert once',
  async () => {
    h = await startHarness({
      scheduler: false,
      clientsYaml: `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    finalMode: pause
`,
    });
    const inv = await sentInvoice('8601', 500);
    const other = await sentInvoice('8602', 600);
    // The mailbox dies after the invoices went out: the day-7 reminders are refused.
    h.smtp.rejectRecipient('ap@acme.example', 550, '5.1.1 mailbox disabled');
    h.advanceDays(8);
    await runDueWork(h.bot.services);
    // Two processes sweeping at once afterwards: nothing sent, no alert posted twice.
    await Promise.all([runDueWork(h.bot.services), runDueWork(h.bot.services), announceBounces(h.bot.services), announceBounces(h.bot.services)]);
    const alerts = [...alertsIn(inv), ...alertsIn(other)];
    // The first refusal holds the client, so the second invoice's step is not even tried.
    expect(alerts.map((a) => String(a.args.text))).toEqual([expect.stringMatching(/The email about INV-\d+ to ap@acme\.example bounced: 550 5\.1\.1 mailbox disabled/)]);
    expect(remindersTo(inv).concat(remindersTo(other))).toEqual([]);
    const steps = [...(await remindersOf(pool(), inv.id)), ...(await remindersOf(pool(), other.id))].filter((r) => r.stepIndex === 0);
    expect(steps.map((s) => s.status)).toEqual(['pending', 'pending']);
    h.advanceDays(7);
    await runDueWork(h.bot.services);
    expect(h.smtp.messages.filter((m) => /Reminder/i.test(m.subject))).toEqual([]);
    const answer = await h.slashCommand(`remind ${inv.number}`);
    expect(answer.status).toBe(200);
    await h.slack.waitFor(() => h.slack.responses.find((r) => /bounced: update the client's billing emails first/.test(JSON.stringify(r.body))));

    // A DSN for an earlier reminder of another client's invoice is matched through the reminder's Message-ID.
    await pool().query(`UPDATE reminders SET status = 'sent', message_id = '<inv-x.r1.aaaa@pixelco.example>' WHERE invoice_id = $1 AND step_index = 1`, [other.id]);
    await h.deliverEmail(postmarkDsn({ messageId: '<inv-x.r1.aaaa@pixelco.example>', recipient: 'ap@acme.example', status: '5.7.1', diagnostic: '550 5.7.1 rejected by policy' }));
    await h.bot.services.background.drain();
    await runDueWork(h.bot.services);
    expect(alertsIn(other).map((a) => String(a.args.text))).toEqual([expect.stringMatching(/about INV-\d+ to ap@acme\.example bounced: 5\.7\.1 550 5\.7\.1 rejected by policy/)]);

    // A new bounce met by two processes' sweeps and the fast path at once: posted once.
    await recordBounceReport(h.bot.services, {
      kind: 'webhook',
      provider: 'postmark',
      dedupeKey: 'postmark:race',
      messageId: inv.emailMessageId,
      recipient: 'ap@acme.example',
      reason: 'race',
    });
    await Promise.all([runDueWork(h.bot.services), runDueWork(h.bot.services), announceBounces(h.bot.services)]);
    expect(alertsIn(inv).filter((a) => /bounced: race/.test(String(a.args.text)))).toHaveLength(1);
  },
  SLOW,
);

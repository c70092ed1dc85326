import { startHarness, APPROVER, BILLING_CHANNEL, OWNER, type Harness } from '../support/harness.js';
import { mailgunRequest, postmarkRequest, sendgridRequest } from '../support/fake-inbound.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { countInbox } from '../../src/store/inbox.js';
import { getInboundEmailByMessageId, inboundEmailsOf } from '../../src/store/inbound-emails.js';
import { setDisputed } from '../../src/store/disputes.js';
import { addDays, localDate, DAY_MS } from '../../src/domain/calendar.js';

/**
 * Client replies through the real HTTP app: signed or authenticated inbound-email webhooks in, the
 * thread, the owner's task and DM, the paused and resumed reminder sequence, and every Slack control
 * through signed Slack requests.
 */

let h: Harness;
afterEach(async () => h?.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));
const CLIENT = 'ap@acme.example';
const threadText = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => JSON.stringify(r.args));
const emailsAbout = (inv: InvoiceRecord, subject: RegExp) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && subject.test(m.subject));

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  // The "sent" note is the last post of the approval; later posts are the replies' doing.
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => /sent to/.test(String(r.args.text))));
  return sent;
}

test('a dispute reply after the day-7 reminder pauses the sequence; "Resolve: amount stands" resumes it with no step doubled or skipped', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7001', 2400);
  h.advanceDays(7);
  const friendly = await h.smtp.waitFor((m) => /Reminder/i.test(m.subject) && m.subject.includes(inv.number));

  // The client answers the reminder (Postmark format, quoted history below their words).
  const reply = postmarkRequest({
    from: CLIENT,
    subject: `Re: ${friendly.subject}`,
    text: 'Hi,\n\nThe amount is wrong: we agreed on $2,000 for this milestone.\n\nMaria',
    quoted: `Invoice ${inv.number}\nBalance $2,400.00`,
    messageId: '<reply-7001@acme.example>',
    inReplyTo: friendly.messageId,
    references: [inv.emailMessageId!, friendly.messageId],
  });
  const res = await h.deliverEmail(reply);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ received: true, duplicate: false });

  const disputed = await h.slack.waitFor(async () => {
    const i = await getInvoice(pool(), inv.id);
    return i?.disputed ? i : undefined;
  });
  expect(disputed.disputedAt).not.toBeNull();
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['sent', 'paused', 'paused']);

  // Thread: the reply without its quoted history, how it was read, the corrections; then the dispute note.
  const post = await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('reply_to_client')));
  expect(post).toContain('The amount is wrong');
  expect(post).not.toContain('Balance $2,400.00');
  expect(post).toContain('Dispute (amount)');
  expect(post).toContain('reply_not_dispute');
  await h.slack.waitFor(() => threadText(inv).find((t) => /Marked \*disputed\*/.test(t)));
  // The owner: a review task in the client's project and a DM, once.
  const task = await h.slack.waitFor(() => h.asana.createdTasks.find((t) => JSON.stringify(t).includes('Review dispute')));
  expect(JSON.stringify(task)).toContain(`Invoice #${inv.number}`);
  expect(JSON.stringify(task)).toContain('1200');
  await h.slack.waitFor(() => h.slack.callsTo('conversations.open').find((c) => c.args.users === OWNER));
  // The invoice message shows "Disputed" and offers the resolution.
  await h.slack.waitFor(() => {
    const update = JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, inv.slackTs!)?.args ?? {});
    return update.includes('Disputed') && update.includes('resolve_dispute');
  });

  // The same reply delivered again is a duplicate: stored once, posted once.
  const again = await h.deliverEmail(reply);
  expect(await again.json()).toEqual({ received: true, duplicate: true });

  // Day 15: the day-14 step stays held while disputed.
  h.advanceDays(8);
  await settle();
  expect(emailsAbout(inv, /Past due/i)).toHaveLength(0);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['sent', 'paused', 'paused']);

  // Only approvers resolve.
  await h.clickButton('resolve_dispute', inv.id, 'USOMEONE');
  const refusal = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'USOMEONE'));
  expect(String(refusal.args.text)).toMatch(/approver/i);
  expect((await getInvoice(pool(), inv.id))!.disputed).toBe(true);

  const resolvedAt = h.clock.now().getTime();
  expect((await h.clickButton('resolve_dispute', inv.id, APPROVER)).status).toBe(200);
  await h.smtp.waitFor(() => emailsAbout(inv, /Past due/i).length === 1);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Dispute resolved')));
  // The email can arrive before the step is recorded as sent (a loaded machine): wait for the record.
  const steps = await h.slack.waitFor(async () => {
    const all = await remindersOf(pool(), inv.id);
    return all[1]?.status === 'claimed' ? undefined : all;
  });
  expect(steps.map((r) => r.status)).toEqual(['sent', 'sent', 'pending']);
  // The final notice keeps its 16-day distance from the resumed step.
  expect(Math.round((steps[2]!.dueAt.getTime() - resolvedAt) / DAY_MS)).toBe(16);

  h.advanceDays(10);
  await settle();
  expect(emailsAbout(inv, /Past due/i)).toHaveLength(1);
  expect(emailsAbout(inv, /Final notice/i)).toHaveLength(0);
  h.advanceDays(7);
  await h.smtp.waitFor(() => emailsAbout(inv, /Final notice/i).length === 1);
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(1);
  expect(emailsAbout(inv, /Past due/i)).toHaveLength(1);
  expect(emailsAbout(inv, /Final notice/i)).toHaveLength(1);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);

  const trail = (await auditTrail(pool(), inv.id)).map((a) => `${a.actor}:${a.action}`);
  expect(trail).toEqual(expect.arrayContaining(['email:reply_received', 'email:disputed', 'system:dispute_task_created', `slack:${APPROVER}:dispute_resolved`]));
  expect(h.asana.createdTasks.filter((t) => JSON.stringify(t).includes('Review dispute'))).toHaveLength(1);
});

test('Reply to client: the modal sends an email threaded under the client message and records it in the thread', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7002', 900);
  await h.deliverEmail(
    postmarkRequest({
      from: CLIENT,
      subject: `Re: Invoice #${inv.number}`,
      text: 'Can you add our PO number 4711?',
      messageId: '<q-7002@acme.example>',
      inReplyTo: inv.emailMessageId,
      references: [inv.emailMessageId!],
    }),
  );
  const inbound = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<q-7002@acme.example>'));
  expect(inbound.kind).toBe('question');
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Question')));
  expect((await getInvoice(pool(), inv.id))!.disputed).toBe(false);

  await h.clickButton('reply_to_client', String(inbound.id), APPROVER);
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
  expect(JSON.stringify(opened.args.view)).toContain('reply_modal');

  // Only approvers send; an empty message is refused with a field error.
  const refused = await h.submitView('reply_modal', 'USOMEONE', String(inbound.id), { reply_text: { reply_text_input: { type: 'plain_text_input', value: 'hi' } } });
  expect(JSON.stringify(await refused.json())).toMatch(/approvers/);
  const empty = await h.submitView('reply_modal', APPROVER, String(inbound.id), { reply_text: { reply_text_input: { type: 'plain_text_input', value: '  ' } } });
  expect(JSON.stringify(await empty.json())).toMatch(/Write a message/);

  const ok = await h.submitView('reply_modal', APPROVER, String(inbound.id), {
    reply_text: { reply_text_input: { type: 'plain_text_input', value: 'Sure, we will reissue it with PO 4711.' } },
  });
  expect(ok.status).toBe(200);
  const sent = await h.smtp.waitFor((m) => m.to.includes(CLIENT) && m.subject === `Re: Invoice #${inv.number}`);
  expect(sent.inReplyTo).toBe('<q-7002@acme.example>');
  expect(sent.references).toEqual([inv.emailMessageId, '<q-7002@acme.example>']);
  expect(sent.text).toContain('Sure, we will reissue it with PO 4711.');
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('replied to') && t.includes('PO 4711')));
});

/** Tomorrow 12:00 UTC: whole days later it is still past the 09:00 a snoozed sequence resumes at. */
function tomorrowNoon(): Date {
  const d = new Date(Date.now() + DAY_MS);
  d.setUTCHours(12, 0, 0, 0);
  return d;
}

test('a promise to pay snoozes reminders until the day after the promised date (SendGrid format)', async () => {
  // Started at noon: begun before 09:00 UTC, "day 14" would still be before the 09:00 the snooze ends at.
  h = await startHarness({ startAt: tomorrowNoon() });
  const inv = await sentInvoice('7003', 1200);
  h.advanceDays(3);
  const promised = addDays(localDate(h.clock.now(), 'UTC'), 10); // day 13
  const res = await h.deliverEmail(
    sendgridRequest({
      from: CLIENT,
      subject: `RE: Invoice #${inv.number}`,
      text: `Thanks. We will pay on ${promised}.`,
      quoted: 'Invoice',
      messageId: '<p-7003@acme.example>',
      inReplyTo: inv.emailMessageId,
    }),
  );
  expect(res.status).toBe(200);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Promise to pay by')));
  expect((await getInvoice(pool(), inv.id))!.snoozedUntil).toBe(promised);
  const steps = await remindersOf(pool(), inv.id);
  expect(steps.map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
  expect(steps[0]!.dueAt.toISOString()).toBe(`${addDays(promised, 1)}T09:00:00.000Z`);

  h.advanceDays(9); // day 12: past the original day-7 step, before the promised date
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(0);
  h.advanceDays(2); // day 14 ≥ the morning after day 13
  await h.smtp.waitFor(() => emailsAbout(inv, /Reminder/i).length === 1);
  await settle();
  expect(emailsAbout(inv, /Reminder|Past due|Final/i)).toHaveLength(1);
});

test('an out-of-office reply is stored and logged, nothing posted or changed (signed Mailgun, multipart)', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7004', 500);
  const before = h.slack.calls.length;
  const res = await h.deliverEmail(
    mailgunRequest(
      {
        from: CLIENT,
        subject: 'Out of Office: back on Monday',
        text: 'I am out of the office until Monday; the amount is wrong anyway.',
        messageId: '<ooo-7004@acme.example>',
        inReplyTo: inv.emailMessageId,
        headers: { 'Auto-Submitted': 'auto-replied' },
      },
      { timestamp: Math.floor(h.clock.now().getTime() / 1000), multipart: true },
    ),
  );
  expect(res.status).toBe(200);
  const stored = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<ooo-7004@acme.example>'));
  expect(stored).toMatchObject({ kind: 'auto_reply', invoiceId: inv.id, matchedBy: 'in-reply-to' });
  await settle();
  expect(h.slack.calls.slice(before)).toEqual([]);
  expect(await getInvoice(pool(), inv.id)).toMatchObject({ disputed: false, snoozedUntil: null });
  expect((await auditTrail(pool(), inv.id)).map((a) => a.action)).toContain('reply_received');
});

test('bad or stale Mailgun signatures and wrong basic auth get 401 and nothing is stored', async () => {
  h = await startHarness();
  const spec = { from: CLIENT, subject: 'Re: Invoice #INV-0001', text: 'We dispute this.', messageId: '<bad@acme.example>' };
  const now = Math.floor(h.clock.now().getTime() / 1000);
  const tampered = await h.deliverEmail(mailgunRequest(spec, { timestamp: now, tamper: true }));
  expect(tampered.status).toBe(401);
  expect(await tampered.json()).toEqual({ error: 'Mailgun signature rejected: signature does not match' });
  expect((await h.deliverEmail(mailgunRequest(spec, { timestamp: now, key: 'another-key' }))).status).toBe(401);
  const stale = await h.deliverEmail(mailgunRequest(spec, { timestamp: now - 3600 }));
  expect(stale.status).toBe(401);
  expect(JSON.stringify(await stale.json())).toContain('stale');
  expect((await h.deliverEmail(postmarkRequest(spec, 'inbound:wrong'))).status).toBe(401);
  expect((await h.deliverEmail(sendgridRequest(spec, 'someone:else'))).status).toBe(401);
  const unknown = await h.deliverEmail({ body: 'hello', headers: { 'content-type': 'text/plain' } });
  expect(unknown.status).toBe(400);
  expect(await countInbox(pool(), 'email')).toBe(0);

  // Mailgun signs timestamp+token only: a captured signature cannot carry a second email.
  const token = 'c'.repeat(50);
  const first = mailgunRequest({ ...spec, messageId: '<first@acme.example>' }, { timestamp: now, token });
  expect((await h.deliverEmail(first)).status).toBe(200);
  expect(await (await h.deliverEmail(first)).json()).toEqual({ received: true, duplicate: true }); // Mailgun's own retry
  const replay = await h.deliverEmail(mailgunRequest({ ...spec, messageId: '<forged@evil.example>', text: 'Forged' }, { timestamp: now, token }));
  expect(replay.status).toBe(401);
  expect(await replay.json()).toEqual({ error: 'Mailgun signature rejected: token already used for another email' });
  expect(await countInbox(pool(), 'email')).toBe(1);
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('matches no invoice')));
});

test('an unmatched reply goes to the billing channel; a subject with the invoice number finds its thread', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7005', 700);
  const topLevelBefore = h.slack.messages(BILLING_CHANNEL).length;
  const now = Math.floor(h.clock.now().getTime() / 1000);
  expect(
    (
      await h.deliverEmail(
        mailgunRequest({ from: 'someone@else.example', subject: 'Hello there', text: 'Who should we pay?', messageId: '<u-1@else.example>' }, { timestamp: now }),
      )
    ).status,
  ).toBe(200);
  const posted = await h.slack.waitFor(() =>
    h.slack
      .messages(BILLING_CHANNEL)
      .slice(topLevelBefore)
      .find((m) => JSON.stringify(m.args).includes('matches no invoice')),
  );
  expect(posted.args.thread_ts).toBeUndefined();
  expect(JSON.stringify(posted.args)).toContain('Who should we pay?');
  expect(await getInboundEmailByMessageId(pool(), '<u-1@else.example>')).toMatchObject({ invoiceId: null, matchedBy: 'none' });

  // No threading headers, but "#INV-…" in the subject.
  await h.deliverEmail(postmarkRequest({ from: CLIENT, subject: `Question about #${inv.number}`, text: 'This was not approved by our PM.', messageId: '<s-1@acme.example>' }));
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('not approved by our PM')));
  expect((await getInvoice(pool(), inv.id))!.disputed).toBe(true);
  expect((await inboundEmailsOf(pool(), inv.id)).map((e) => [e.matchedBy, e.kind, e.classification.reason])).toEqual([['subject', 'dispute', 'not_approved']]);
});

test('classification corrections through signed Slack requests: Not a dispute resumes, Promise to pay (modal) snoozes, Mark disputed from the message', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7006', 800);
  await h.deliverEmail(
    postmarkRequest({
      from: CLIENT,
      subject: `Re: Invoice #${inv.number}`,
      text: 'Is this broken down by hours? We will dispute nothing, just curious.',
      messageId: '<c-1@acme.example>',
      inReplyTo: inv.emailMessageId,
    }),
  );
  const inbound = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<c-1@acme.example>'));
  expect(inbound.kind).toBe('dispute'); // a keyword reading gets this one wrong…
  await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed);

  // …and a non-approver cannot change it; an approver corrects it with one click.
  await h.clickButton('reply_not_dispute', String(inbound.id), 'USOMEONE');
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'USOMEONE'));
  await h.clickButton('reply_not_dispute', String(inbound.id), APPROVER);
  await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed === false);
  expect((await getInboundEmailByMessageId(pool(), '<c-1@acme.example>'))!.kind).toBe('other');
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('corrected the reading')));

  // "Promise to pay" opens a date modal; a past date is refused, a future one snoozes.
  await h.clickButton('reply_promise', String(inbound.id), APPROVER);
  await h.slack.waitFor(() => h.slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('promise_modal')));
  const today = localDate(h.clock.now(), 'UTC');
  const past = await h.submitView('promise_modal', APPROVER, String(inbound.id), {
    promise_date: { promise_date_input: { type: 'datepicker', selected_date: addDays(today, -1) } },
  });
  expect(JSON.stringify(await past.json())).toMatch(/today or a later date/);
  const promised = addDays(today, 20);
  expect(
    (await h.submitView('promise_modal', APPROVER, String(inbound.id), { promise_date: { promise_date_input: { type: 'datepicker', selected_date: promised } } })).status,
  ).toBe(200);
  await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.snoozedUntil === promised);
  expect((await remindersOf(pool(), inv.id))[0]!.dueAt.toISOString()).toBe(`${addDays(promised, 1)}T09:00:00.000Z`);

  // Mark disputed straight from the invoice message.
  await h.clickButton('mark_disputed', inv.id, APPROVER);
  await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['paused', 'paused', 'paused']);
  await h.slack.waitFor(() => threadText(inv).find((t) => /Marked \*disputed\* \(marked in Slack\)/.test(t)));
  // Twice is harmless: one task, and the second click is told nothing changed.
  await h.clickButton('mark_disputed', inv.id, APPROVER);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('already disputed')));
});

test('Adjust amount: the disputed invoice is voided in Stripe and reissued with a credit; the new one is emailed and runs its own sequence', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7007', 2400);
  await h.clickButton('mark_disputed', inv.id, APPROVER);
  await h.slack.waitFor(() => threadText(inv).find((t) => /Marked \*disputed\*/.test(t)));

  await h.clickButton('adjust_amount', inv.id, 'USOMEONE');
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'USOMEONE'));
  await h.clickButton('adjust_amount', inv.id, APPROVER);
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('adjust_amount_modal')));
  expect(JSON.stringify(opened.args.view)).toContain('Milestone 7007 | 1 | 2400.00');

  const due = addDays(localDate(h.clock.now(), 'UTC'), 7);
  const values = (credit: string) => ({
    edit_lines: { lines_input: { type: 'plain_text_input', value: 'Milestone 7007 | 1 | 2400.00' } },
    adjust_credit: { adjust_credit_input: { type: 'plain_text_input', value: credit } },
    edit_due_date: { due_date_input: { type: 'datepicker', selected_date: due } },
    edit_recipients: { recipients_input: { type: 'plain_text_input', value: 'ap@acme.example' } },
  });
  const refused = await h.submitView('adjust_amount_modal', APPROVER, inv.id, values('3000'));
  expect(JSON.stringify(await refused.json())).toMatch(/less than the lines/);
  expect((await h.submitView('adjust_amount_modal', APPROVER, inv.id, values('400.00'))).status).toBe(200);

  const email = await h.smtp.waitFor((m) => m.subject.includes('Invoice #INV-0002'));
  expect(email.text).toContain('$2,000.00');
  await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.status === 'void');
  const replacement = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'adjustment', inv.id));
  const sentReplacement = await h.waitForStatus(replacement.id, 'sent');
  expect(sentReplacement).toMatchObject({ number: 'INV-0002', total: 200000, disputed: false });
  expect(sentReplacement.lines.at(-1)).toMatchObject({ description: 'Credit (dispute settlement)', amount: -40000 });
  const stripeInvoices = [...h.stripe.invoices.values()] as unknown as { metadata: Record<string, string>; status: string }[];
  expect(stripeInvoices.map((i) => [i.metadata.duebot_number, i.status])).toEqual([
    ['INV-0001', 'void'],
    ['INV-0002', 'open'],
  ]);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  expect((await remindersOf(pool(), replacement.id)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('reissued as *INV-0002*')));
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sentReplacement.slackTs!).find((r) => /sent to/.test(String(r.args.text))));

  h.advanceDays(7);
  await h.smtp.waitFor((m) => /Reminder/i.test(m.subject) && m.subject.includes('INV-0002'));
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(0);
  expect((await auditTrail(pool(), inv.id)).map((a) => a.action)).toContain('voided_for_adjustment');
});

test('a step claimed just as the dispute begins is held as paused (not skipped) and goes out after the resolution', async () => {
  h = await startHarness();
  const inv = await sentInvoice('7008', 300);
  // The dispute flag lands without the pause (as if the scheduler had already picked the step up).
  expect(await setDisputed(pool(), inv.id, true, h.clock.now())).toBe(true);
  h.advanceDays(7);
  await h.slack.waitFor(async () => (await remindersOf(pool(), inv.id))[0]?.status === 'paused');
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(0);
  await h.clickButton('resolve_dispute', inv.id, APPROVER);
  await h.smtp.waitFor(() => emailsAbout(inv, /Reminder/i).length === 1);
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(1);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['sent', 'pending', 'pending']);
});

describe("a reply acts only when it is provably the client's", () => {
  const NOT_OURS = "the sender is not one of Acme Ltd's billing contacts and the reply does not answer one of our emails";
  const replyAudit = async (inv: InvoiceRecord, messageId: string) =>
    (await auditTrail(pool(), inv.id)).find((a) => a.action === 'reply_received' && a.details.messageId === messageId)!.details;

  test('a spoofed dispute (unknown sender, invoice number in the subject) changes nothing and goes to a person; the same words from a billing address dispute', async () => {
    h = await startHarness();
    const inv = await sentInvoice('7101', 1500);
    await h.deliverEmail(
      postmarkRequest({ from: 'Acme AP <mallory@evil.example>', subject: `Re: Invoice #${inv.number}`, text: 'The amount is wrong.', messageId: '<spoof-7101@evil.example>' }),
    );
    const post = await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('mallory@evil.example')));
    expect(post).toContain('Not acted on');
    expect(post).toContain(NOT_OURS);
    for (const action of ['reply_mark_disputed', 'reply_promise', 'reply_to_client']) expect(post).toContain(action);
    expect(post).not.toContain('reply_not_dispute');
    expect(await getInboundEmailByMessageId(pool(), '<spoof-7101@evil.example>')).toMatchObject({ invoiceId: inv.id, matchedBy: 'subject', kind: 'dispute' });
    expect(await getInvoice(pool(), inv.id)).toMatchObject({ disputed: false });
    expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(await replyAudit(inv, '<spoof-7101@evil.example>')).toMatchObject({ sender: 'mallory@evil.example', matchedBy: 'subject', notActedOn: NOT_OURS });
    expect(h.asana.createdTasks.filter((t) => JSON.stringify(t).includes('Review dispute'))).toHaveLength(0);

    // A billing contact (any letter case, with a display name) writing the same words, no threading headers.
    await h.deliverEmail(
      postmarkRequest({ from: 'Maria <CFO@Acme.example>', subject: `Re: Invoice #${inv.number}`, text: 'The amount is wrong.', messageId: '<real-7101@acme.example>' }),
    );
    await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed);
    expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['paused', 'paused', 'paused']);
    expect(await replyAudit(inv, '<real-7101@acme.example>')).toMatchObject({ sender: 'CFO@Acme.example', actedOn: 'billing-contact' });
  });

  test('"Mark disputed" on a reply that was not acted on disputes the invoice, keeping the reason it was read with', async () => {
    h = await startHarness();
    const inv = await sentInvoice('7102', 600);
    await h.deliverEmail(
      postmarkRequest({ from: 'someone@elsewhere.example', subject: `Invoice #${inv.number}`, text: 'You overcharged us.', messageId: '<s-7102@elsewhere.example>' }),
    );
    const inbound = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<s-7102@elsewhere.example>'));
    await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Not acted on')));
    expect((await getInvoice(pool(), inv.id))!.disputed).toBe(false);
    await h.clickButton('reply_mark_disputed', String(inbound.id), APPROVER);
    await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed);
    expect((await getInboundEmailByMessageId(pool(), '<s-7102@elsewhere.example>'))!.classification).toMatchObject({ kind: 'dispute', reason: 'amount' });
  });

  test('a reply that answers our email acts even from a forwarding address', async () => {
    h = await startHarness();
    const inv = await sentInvoice('7103', 800);
    await h.deliverEmail(
      postmarkRequest({
        from: 'assistant@forwarder.example',
        subject: 'Fwd: your bill',
        text: 'The amount is wrong.',
        messageId: '<fw-7103@forwarder.example>',
        inReplyTo: inv.emailMessageId,
      }),
    );
    await h.slack.waitFor(async () => (await getInvoice(pool(), inv.id))?.disputed);
    expect(await replyAudit(inv, '<fw-7103@forwarder.example>')).toMatchObject({ matchedBy: 'in-reply-to', actedOn: 'answers-our-email' });
    const post = await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('forwarder.example')));
    expect(post).not.toContain('Not acted on');
  });

  test('"We will pay on 2099-12-31" does not snooze; a person can snooze to that date from the post', async () => {
    h = await startHarness();
    const inv = await sentInvoice('7104', 900);
    await h.deliverEmail(
      postmarkRequest({
        from: CLIENT,
        subject: `Re: Invoice #${inv.number}`,
        text: 'We will pay on 2099-12-31.',
        messageId: '<far-7104@acme.example>',
        inReplyTo: inv.emailMessageId,
      }),
    );
    const inbound = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<far-7104@acme.example>'));
    expect(inbound.classification).toMatchObject({ kind: 'promise', promisedDate: '2099-12-31' });
    const latest = addDays(localDate(h.clock.now(), 'UTC'), 60);
    const why = `the promised date 2099-12-31 is more than 60 days away (after ${latest})`;
    const post = await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Not acted on')));
    expect(post).toContain(why);
    expect(post).toContain('Snooze until the promised date');
    expect(await getInvoice(pool(), inv.id)).toMatchObject({ snoozedUntil: null });
    expect(await replyAudit(inv, '<far-7104@acme.example>')).toMatchObject({ notActedOn: why });

    await h.clickButton('reply_promise', String(inbound.id), APPROVER);
    const modal = await h.slack.waitFor(() => h.slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('promise_modal')));
    expect(JSON.stringify(modal.args.view)).toContain('"initial_date":"2099-12-31"');
  });

  test('Reply to client goes to exactly one parsed address, shown in the modal; the subject stays one line; a From with no address acts on nothing', async () => {
    h = await startHarness();
    const inv = await sentInvoice('7105', 400);
    await h.deliverEmail(
      postmarkRequest({
        from: 'M <m@x.example>, other@x.example',
        subject: `Re: Invoice #${inv.number}\r\nBcc: bcc@evil.example`,
        text: 'Can you resend it?',
        messageId: '<two-7105@x.example>',
        inReplyTo: inv.emailMessageId,
      }),
    );
    const inbound = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<two-7105@x.example>'));
    expect(inbound).toMatchObject({ sender: null, replyAddress: 'm@x.example', fromEntries: 2 });
    await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('not a single sender')));

    await h.clickButton('reply_to_client', String(inbound.id), APPROVER);
    const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('reply_modal')));
    const view = JSON.stringify(opened.args.view);
    expect(view).toContain('To: m@x.example');
    expect(view).not.toContain('other@x.example');

    await h.submitView('reply_modal', APPROVER, String(inbound.id), { reply_text: { reply_text_input: { type: 'plain_text_input', value: 'Resent, see attached.' } } });
    const sent = await h.smtp.waitFor((m) => m.text.includes('Resent, see attached.'));
    expect(sent.to).toEqual(['m@x.example']);
    expect(sent.subject).toBe(`Re: Invoice #${inv.number} Bcc: bcc@evil.example`);
    expect(sent.headers.bcc).toBeUndefined();
    // Recorded after the send: wait for it.
    const audited = await h.slack.waitFor(async () => (await auditTrail(pool(), inv.id)).find((a) => a.action === 'client_replied'));
    expect(audited.details.to).toBe('m@x.example');

    // A From line with no address at all: nothing acts, and there is no one to reply to.
    await h.deliverEmail(
      postmarkRequest({ from: 'undisclosed-recipients:;', subject: `Re: Invoice #${inv.number}`, text: 'The amount is wrong.', messageId: '<none-7105@x.example>' }),
    );
    const nobody = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<none-7105@x.example>'));
    await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('the From line has no valid address and the reply does not answer one of our emails')));
    expect((await getInvoice(pool(), inv.id))!.disputed).toBe(false);
    await h.clickButton('reply_to_client', String(nobody.id), APPROVER);
    await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('no valid address')));
  });
});

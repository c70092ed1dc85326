import { openTestDatabase } from '../support/database.js';
import { withTransaction, type Database } from '../../src/store/db.js';
import { upsertClients } from '../../src/store/clients.js';
import { insertDraft, updateInvoice, getInvoice, type NewInvoice } from '../../src/store/invoices.js';
import { insertReminders, remindersOf, claimReminder, finishReminder, cancelPendingReminders } from '../../src/store/reminders.js';
import { heldSteps, pausePendingReminders, retimeSteps } from '../../src/store/disputes.js';
import { getInboundEmail, matchReply, reclassifyInboundEmail, saveInboundEmail, invoiceNumbersIn } from '../../src/store/inbound-emails.js';
import { shiftSequence } from '../../src/domain/dispute-sequence.js';
import { planReminders } from '../../src/domain/schedule.js';
import { DAY_MS } from '../../src/domain/calendar.js';
import { DEFAULT_REMINDER_SCHEDULE } from '../../src/domain/types.js';
import { acmeClient, acmeDraft, NUMBERING } from '../support/store-fixtures.js';

const now = new Date('2026-11-02T10:00:00Z');
const acme = acmeClient();
const numbering = NUMBERING;
const draft = (ref: string): NewInvoice => acmeDraft(ref);

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [acme], now);
});
afterAll(async () => db.close());

async function sentInvoice(ref: string) {
  const inv = (await withTransaction(db.pool, (tx) => insertDraft(tx, draft(ref), numbering, now)))!;
  await updateInvoice(db.pool, inv.id, { status: 'sent', sentAt: now, emailMessageId: `<invoice-${ref}@pixelco.example>` }, now);
  await insertReminders(db.pool, inv.id, planReminders(DEFAULT_REMINDER_SCHEDULE, now, '2026-12-02', 'UTC'));
  return inv;
}

test('a dispute pauses pending steps; resuming re-times and re-pends them; payment cancels paused steps too', async () => {
  const inv = await sentInvoice('p1');
  // Step 0 went out on day 7.
  expect(await claimReminder(db.pool, inv.id, 0, 'me', now)).toBe(true);
  await finishReminder(db.pool, inv.id, 0, { status: 'sent', messageId: '<r1@pixelco.example>' }, now);

  expect(await pausePendingReminders(db.pool, inv.id, 'disputed')).toBe(2);
  expect((await remindersOf(db.pool, inv.id)).map((r) => r.status)).toEqual(['sent', 'paused', 'paused']);
  expect(await claimReminder(db.pool, inv.id, 1, 'me', now)).toBe(false); // a paused step is never picked up

  const resumeAt = new Date(now.getTime() + 20 * DAY_MS);
  const held = await heldSteps(db.pool, inv.id);
  expect(await retimeSteps(db.pool, inv.id, shiftSequence(held, resumeAt), 'pending', null)).toBe(2);
  const steps = await remindersOf(db.pool, inv.id);
  expect(steps.map((r) => [r.status, (r.dueAt.getTime() - now.getTime()) / DAY_MS])).toEqual([
    ['sent', 7],
    ['pending', 20],
    ['pending', 36],
  ]);

  await pausePendingReminders(db.pool, inv.id, 'disputed again');
  expect(await cancelPendingReminders(db.pool, inv.id, 'paid', now)).toBe(2);
});

test('a claimed step finished as paused waits with the others', async () => {
  const inv = await sentInvoice('p2');
  await claimReminder(db.pool, inv.id, 0, 'me', now);
  await finishReminder(db.pool, inv.id, 0, { status: 'paused', note: 'disputed' }, now);
  expect((await remindersOf(db.pool, inv.id))[0]).toMatchObject({ status: 'paused', claimedAt: null, finishedAt: null });
});

test('replies match by In-Reply-To (invoice or reminder Message-ID), then References, then the subject', async () => {
  const inv = await sentInvoice('m1');
  const other = await sentInvoice('m2');
  await claimReminder(db.pool, other.id, 0, 'me', now);
  await finishReminder(db.pool, other.id, 0, { status: 'sent', messageId: '<reminder-m2@pixelco.example>' }, now);

  expect(await matchReply(db.pool, { inReplyTo: '<invoice-m1@pixelco.example>', references: [], subject: '' })).toEqual({ invoiceId: inv.id, matchedBy: 'in-reply-to' });
  expect(await matchReply(db.pool, { inReplyTo: '<reminder-m2@pixelco.example>', references: [], subject: `Re: ${inv.number}` })).toEqual({
    invoiceId: other.id,
    matchedBy: 'in-reply-to',
  });
  expect(await matchReply(db.pool, { inReplyTo: '<unknown@x>', references: ['<invoice-m1@pixelco.example>', '<x@y>'], subject: '' })).toEqual({
    invoiceId: inv.id,
    matchedBy: 'references',
  });
  expect(await matchReply(db.pool, { inReplyTo: null, references: [], subject: `Re: Invoice #${other.number.toLowerCase()} question` })).toEqual({
    invoiceId: other.id,
    matchedBy: 'subject',
  });
  expect(await matchReply(db.pool, { inReplyTo: null, references: [], subject: 'Hello' })).toBeNull();
  expect(invoiceNumbersIn('Re: [Pixel] Invoice #INV-0042 — Design')).toEqual(['INV-0042']);
});

test('inbound emails are stored once per Message-ID and can be reclassified', async () => {
  const inv = await sentInvoice('s1');
  const email = {
    messageId: '<reply-1@acme.example>',
    inboxEventId: null,
    invoiceId: inv.id,
    matchedBy: 'in-reply-to' as const,
    fromAddress: 'ap@acme.example',
    subject: 'Re: Invoice',
    referencesIds: ['<invoice-s1@pixelco.example>'],
    strippedText: 'Thanks',
    receivedAt: now,
    classification: { kind: 'other' as const, reason: null, promisedDate: null, explanation: 'x' },
  };
  const first = await saveInboundEmail(db.pool, email);
  const again = await saveInboundEmail(db.pool, email);
  expect(first.created).toBe(true);
  expect(again).toEqual({ record: first.record, created: false });
  await reclassifyInboundEmail(db.pool, first.record.id, { kind: 'dispute', reason: 'other', promisedDate: null, explanation: 'corrected' });
  expect(await getInboundEmail(db.pool, first.record.id)).toMatchObject({ kind: 'dispute', referencesIds: ['<invoice-s1@pixelco.example>'] });
  expect((await getInvoice(db.pool, inv.id))!).toMatchObject({ disputedAt: null, snoozedUntil: null });
});

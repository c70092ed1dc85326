import { openTestDatabase } from '../support/database.js';
import { migrate, withTransaction, type Database } from '../../src/store/db.js';
import { upsertClients, findClientForTask, getClient, rememberProviderCustomer } from '../../src/store/clients.js';
import { insertDraft, updateInvoice, getInvoice, openInvoicesForAging, recordPaymentRow, type NewInvoice } from '../../src/store/invoices.js';
import { claimReminder, insertReminders, dueReminders, finishReminder, cancelPendingReminders, markStaleRemindersUnknown, remindersOf } from '../../src/store/reminders.js';
import { claimEffect, completeEffect, getEffect, markStaleEffectsUnknown, releaseEffect } from '../../src/store/effects.js';
import { storeInboxEvent, claimDueInboxEvents, markInboxProcessed, rescheduleInboxEvent } from '../../src/store/inbox.js';
import { audit, auditTrail } from '../../src/store/audit.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import { acmeClient, acmeDraft, NUMBERING } from '../support/store-fixtures.js';
import { planReminders } from '../../src/domain/schedule.js';

const now = new Date('2026-11-02T10:00:00Z');
const acme = acmeClient({ asanaProjectGids: ['111', '112'] });
const numbering = NUMBERING;
const draft = (ref: string): NewInvoice => acmeDraft(ref, 150000);

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [acme], now);
});
afterAll(async () => db.close());

describe(`storage (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('migrations are idempotent', async () => {
    expect(await migrate(db.pool)).toEqual([]);
  });

  test('containers of the other project tools are stored per tool and match only within that tool', async () => {
    const initech: Client = { ...acme, id: 'initech', name: 'Initech', asanaProjectGids: [], toolContainers: { clickup: ['901'], trello: ['65a0aa0000000000000000aa'] } };
    await upsertClients(db.pool, [initech], now);
    expect((await getClient(db.pool, 'initech'))?.toolContainers).toEqual({ clickup: ['901'], trello: ['65a0aa0000000000000000aa'] });
    expect((await findClientForTask(db.pool, ['901'], null, 'clickup'))?.id).toBe('initech');
    expect(await findClientForTask(db.pool, ['901'], null, 'monday')).toBeNull();
    expect(await findClientForTask(db.pool, ['111'], null, 'clickup')).toBeNull();
    expect((await findClientForTask(db.pool, ['111'], null, 'asana'))?.id).toBe('acme');
    expect((await findClientForTask(db.pool, ['nope'], 'initech', 'trello'))?.id).toBe('initech');
    expect((await getClient(db.pool, 'acme'))?.toolContainers).toBeUndefined();
  });

  test('clients round-trip and map tasks by project or by name; the back-end customer id survives a reload', async () => {
    expect(await getClient(db.pool, 'acme')).toMatchObject({ name: 'Acme Ltd', currency: 'USD', reminderSchedule: DEFAULT_REMINDER_SCHEDULE, providerCustomerId: null });
    expect((await findClientForTask(db.pool, ['999', '112'], null))?.id).toBe('acme');
    expect((await findClientForTask(db.pool, ['999'], 'acme ltd'))?.id).toBe('acme');
    expect(await findClientForTask(db.pool, ['999'], 'nobody')).toBeNull();
    await rememberProviderCustomer(db.pool, 'acme', 'cus_1');
    await upsertClients(db.pool, [{ ...acme, name: 'Acme Limited' }], now);
    expect(await getClient(db.pool, 'acme')).toMatchObject({ name: 'Acme Limited', providerCustomerId: 'cus_1' });
  });

  test('invoice numbers are gap-free under concurrency, and a rolled-back draft gives its number back', async () => {
    await expect(
      withTransaction(db.pool, async (tx) => {
        await insertDraft(tx, draft('rollback'), numbering, now);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => withTransaction(db.pool, (tx) => insertDraft(tx, draft(`t${i}`), numbering, now))));
    const seqs = created.map((c) => c!.seq!).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(created.find((c) => c!.seq === 3)!.number).toBe('INV-0003');
  });

  test('one invoice per milestone, ever', async () => {
    const again = await withTransaction(db.pool, (tx) => insertDraft(tx, draft('t0'), numbering, now));
    expect(again).toBeNull();
    const next = await withTransaction(db.pool, (tx) => insertDraft(tx, draft('fresh'), numbering, now));
    expect(next!.seq).toBe(13);
  });

  test('money and dates come back exact; compare-and-set status updates', async () => {
    const inv = (await withTransaction(db.pool, (tx) => insertDraft(tx, { ...draft('big'), total: 9_000_000_000_000 }, numbering, now)))!;
    const read = await getInvoice(db.pool, inv.id);
    expect(read).toMatchObject({ total: 9_000_000_000_000, dueDate: '2026-12-02', currency: 'USD', status: 'draft', amountPaid: 0 });
    const [a, b] = await Promise.all([
      updateInvoice(db.pool, inv.id, { status: 'approved', approvedBy: 'slack:U1' }, now, ['draft']),
      updateInvoice(db.pool, inv.id, { status: 'discarded' }, now, ['draft']),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await getInvoice(db.pool, 'not-a-uuid')).toBeNull();
  });

  test('a reminder step is claimed by exactly one of many racing processes', async () => {
    const inv = (await withTransaction(db.pool, (tx) => insertDraft(tx, draft('rem'), numbering, now)))!;
    await insertReminders(db.pool, inv.id, planReminders(DEFAULT_REMINDER_SCHEDULE, now, '2026-12-02', 'UTC'));
    await insertReminders(db.pool, inv.id, planReminders(DEFAULT_REMINDER_SCHEDULE, now, '2026-12-02', 'UTC')); // replanning is harmless
    expect(await remindersOf(db.pool, inv.id)).toHaveLength(3);
    const later = new Date(now.getTime() + 8 * 86400000);
    const due = (await dueReminders(db.pool, later)).filter((r) => r.invoiceId === inv.id);
    expect(due.map((r) => r.stepIndex)).toEqual([0]);
    const wins = await Promise.all(Array.from({ length: 6 }, (_, i) => claimReminder(db.pool, inv.id, 0, `p${i}`, later)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    await finishReminder(db.pool, inv.id, 0, { status: 'sent', messageId: '<m1@x>' }, later);
    expect(await claimReminder(db.pool, inv.id, 0, 'p9', later)).toBe(false);

    // A claim that never finished becomes "unknown" after the timeout, never pending again.
    expect(await claimReminder(db.pool, inv.id, 1, 'crashy', later)).toBe(true);
    expect(await markStaleRemindersUnknown(db.pool, new Date(later.getTime() - 1), later)).toEqual([]);
    const stale = await markStaleRemindersUnknown(db.pool, new Date(later.getTime() + 1), later);
    expect(stale.map((s) => [s.stepIndex, s.status])).toEqual([[1, 'unknown']]);
    expect(await cancelPendingReminders(db.pool, inv.id, 'paid', later)).toBe(1);
    expect((await remindersOf(db.pool, inv.id)).map((r) => r.status)).toEqual(['sent', 'unknown', 'cancelled']);
  });

  test('effects are claimed once; released claims can be retaken; stale claims turn unknown', async () => {
    const claim = { key: 'invoice-email:x', invoiceId: null, kind: 'invoice-email', claimedBy: 'p1' };
    expect(await claimEffect(db.pool, claim, now)).toBe(true);
    expect(await claimEffect(db.pool, claim, now)).toBe(false);
    await releaseEffect(db.pool, claim.key);
    expect(await claimEffect(db.pool, claim, now)).toBe(true);
    await completeEffect(db.pool, claim.key, { messageId: '<a@b>' }, now);
    await releaseEffect(db.pool, claim.key); // a finished effect cannot be released
    expect(await getEffect(db.pool, claim.key)).toMatchObject({ status: 'done', result: { messageId: '<a@b>' } });
    expect(await claimEffect(db.pool, { ...claim, key: 'dm:y' }, now)).toBe(true);
    const stale = await markStaleEffectsUnknown(db.pool, new Date(now.getTime() + 1), now);
    expect(stale.map((e) => e.key)).toEqual(['dm:y']);
  });

  test('inbox dedupes deliveries and keeps failures for retry', async () => {
    const first = await storeInboxEvent(db.pool, { source: 'stripe', externalId: 'evt_1', kind: 'backend_event', payload: { a: 1 } }, now);
    expect(first).not.toBeNull();
    expect(await storeInboxEvent(db.pool, { source: 'stripe', externalId: 'evt_1', kind: 'backend_event', payload: { a: 1 } }, now)).toBeNull();
    const claim = () => claimDueInboxEvents(db.pool, { now, receivedBefore: now, leaseUntil: new Date(now.getTime() + 60_000), limit: 5 });
    const [claimed] = await claim();
    await rescheduleInboxEvent(db.pool, claimed!, 'network down', now);
    expect(await claim()).toEqual([expect.objectContaining({ externalId: 'evt_1', attempts: 2, lastError: 'network down', payload: { a: 1 } })]);
    await markInboxProcessed(db.pool, first!.id, now);
    expect(await claim()).toEqual([]);
  });

  test('payments are recorded once per source event; audit trail keeps order; aging sees open invoices', async () => {
    const inv = (await withTransaction(db.pool, (tx) => insertDraft(tx, draft('pay'), numbering, now)))!;
    const payment = { invoiceId: inv.id, sourceEvent: 'stripe:evt_9', amount: 5000, currency: 'USD', amountPaidAfter: 5000, paidAt: now };
    expect(await recordPaymentRow(db.pool, payment)).toBe(true);
    expect(await recordPaymentRow(db.pool, payment)).toBe(false);
    await audit(db.pool, { invoiceId: inv.id, actor: 'asana', action: 'drafted' }, now);
    await audit(db.pool, { invoiceId: inv.id, actor: 'slack:U1', action: 'approved', sourceEvent: 'x' }, now);
    expect((await auditTrail(db.pool, inv.id)).map((a) => [a.actor, a.action])).toEqual([
      ['asana', 'drafted'],
      ['slack:U1', 'approved'],
    ]);
    await updateInvoice(db.pool, inv.id, { status: 'sent', sentAt: now }, now);
    const aging = await openInvoicesForAging(db.pool);
    expect(aging).toContainEqual(expect.objectContaining({ number: inv.number, clientName: 'Acme Limited', currency: 'USD', total: 150000 }));
  });
});

import { openTestDatabase } from '../support/database.js';
import { acmeClient, acmeDraft, NUMBERING } from '../support/store-fixtures.js';
import { withTransaction, type Database } from '../../src/store/db.js';
import { getClient, upsertClients } from '../../src/store/clients.js';
import { insertDraft, type NewInvoice } from '../../src/store/invoices.js';
import {
  claimReminders,
  dueReminders,
  insertReminders,
  listedSteps,
  pendingStepsDueBefore,
  pendingStepsOfClientsDueBefore,
  remindersOf,
  skipPendingStep,
  snoozePendingStep,
} from '../../src/store/reminders.js';
import { DEFAULT_REMINDER_SCHEDULE } from '../../src/domain/types.js';
import { planReminders } from '../../src/domain/schedule.js';

/** The store side of grouped reminders and today's sends: claims across racing processes, Skip and Snooze as compare-and-set. */
const now = new Date('2026-11-02T10:00:00Z');
const day7 = new Date(now.getTime() + 7 * 86_400_000);
const client = acmeClient({ groupReminders: true, sendAt: '10:00' });
const draft = (ref: string): NewInvoice => acmeDraft(ref, 150000);

let db: Database;
const invoiceIds: string[] = [];
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [client], now);
  for (const ref of ['g1', 'g2', 'g3']) {
    const inv = (await withTransaction(db.pool, (tx) => insertDraft(tx, draft(ref), NUMBERING, now)))!;
    await insertReminders(db.pool, inv.id, planReminders(DEFAULT_REMINDER_SCHEDULE, now, '2026-12-02', 'UTC'));
    invoiceIds.push(inv.id);
  }
});
afterAll(async () => db.close());

describe(`grouped claims and today's sends (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('the clients file fields round-trip', async () => {
    expect(await getClient(db.pool, 'acme')).toMatchObject({ groupReminders: true, sendAt: '10:00' });
    await upsertClients(db.pool, [{ ...client, groupReminders: false, sendAt: null }], now);
    const plain = await getClient(db.pool, 'acme');
    expect([plain?.groupReminders, plain?.sendAt]).toEqual([undefined, undefined]);
    await upsertClients(db.pool, [client], now);
  });

  test("the day's steps carry their client; each step is claimed by exactly one of racing grouped claims", async () => {
    const due = await dueReminders(db.pool, day7);
    expect(due.map((s) => [s.clientId, s.stepIndex])).toEqual([
      ['acme', 0],
      ['acme', 0],
      ['acme', 0],
    ]);
    expect(await pendingStepsOfClientsDueBefore(db.pool, ['acme'], day7)).toHaveLength(0);
    expect(await pendingStepsOfClientsDueBefore(db.pool, ['acme'], new Date(day7.getTime() + 1))).toHaveLength(3);
    const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => claimReminders(db.pool, due, `p${i}`, day7)));
    const won = claims.flat().map((s) => s.invoiceId);
    expect(won.sort()).toEqual([...invoiceIds].sort());
    expect((await claimReminders(db.pool, due, 'late', day7)).length).toBe(0);
  });

  test('Skip and Snooze act only on a waiting step, once', async () => {
    const [, step] = await remindersOf(db.pool, invoiceIds[0]!);
    const later = new Date(step!.dueAt.getTime() + 86_400_000);
    expect(await snoozePendingStep(db.pool, step!.invoiceId, 1, step!.dueAt, later, 'snoozed by U1')).toBe(true);
    // A second press (or another process) with the old time changes nothing.
    expect(await snoozePendingStep(db.pool, step!.invoiceId, 1, step!.dueAt, new Date(later.getTime() + 86_400_000), 'snoozed by U2')).toBe(false);
    expect(await skipPendingStep(db.pool, step!.invoiceId, 1, 'skipped by U1', later)).toBe(true);
    expect(await skipPendingStep(db.pool, step!.invoiceId, 1, 'skipped by U2', later)).toBe(false);
    // A claimed step cannot be skipped.
    expect(await skipPendingStep(db.pool, invoiceIds[1]!, 0, 'skipped by U1', later)).toBe(false);
    const [listed] = await listedSteps(db.pool, [{ invoiceId: step!.invoiceId, stepIndex: 1 }]);
    expect(listed).toMatchObject({ status: 'skipped', note: 'skipped by U1', dueAt: later, clientName: 'Acme Ltd', number: expect.stringMatching(/^INV-/) });
    // Today's list leaves out what is not pending.
    const pending = await pendingStepsDueBefore(db.pool, new Date(now.getTime() + 60 * 86_400_000));
    expect(pending.some((s) => s.invoiceId === step!.invoiceId && s.stepIndex === 1)).toBe(false);
    expect(pending.every((s) => s.status === 'pending')).toBe(true);
  });
});

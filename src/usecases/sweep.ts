import { audit } from '../store/audit.js';
import { markStaleEffectsUnknown } from '../store/effects.js';
import { purgeExpiredConnectFlows } from '../store/oauth-flow.js';
import { draftsWithoutMessage, invoicesInStatus, updateInvoice } from '../store/invoices.js';
import { markStaleRemindersUnknown } from '../store/reminders.js';
import { unknownOutcomeNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { deliverInvoice } from './approve-and-send.js';
import { announceBounces } from './bounces.js';
import { postOrAutoSend } from './draft-from-milestone.js';
import { runTaxFollowUps } from './sales-tax.js';
import { getClient } from '../store/clients.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import { retryPendingInbox } from './process-inbox.js';
import { runDueRetainers, type RetainerReport } from './retainers.js';
import { runDueReminders, type StepOutcome } from './run-reminders.js';
import { runWeeklySummary } from './weekly-summary.js';
import { runTodaysSends } from './todays-sends.js';

/** How long a claim may stay unfinished before it counts as a crash mid-send. */
export const CLAIM_TIMEOUT_MS = 5 * 60 * 1000;
/** Work younger than this is left to the in-process fast path that is handling it right now. */
export const FAST_PATH_GRACE_MS = 10 * 1000;

export interface SweepReport {
  flaggedUnknown: number;
  retriedEvents: number;
  postedDrafts: number;
  delivered: number;
  /** Bounce alerts posted in invoice threads. */
  bounceAlerts: number;
  reminders: StepOutcome[];
  retainers: RetainerReport;
}

/**
 * The periodic job (every JOBS_PROCESS_EVERY): finishes whatever a crash or an outage interrupted
 * and sends the reminders that are due. Every part is idempotent, so two processes may run it.
 */
export async function runDueWork(services: Services): Promise<SweepReport> {
  const flaggedUnknown = await flagUnknownOutcomes(services);
  const retriedEvents = await retryPendingInbox(services, FAST_PATH_GRACE_MS);
  const graceCutoff = new Date(services.clock.now().getTime() - FAST_PATH_GRACE_MS);
  // Before the draft sweep: a retainer draft whose post failed is picked up by it on a later run.
  const retainers = await runDueRetainers(services);

  let postedDrafts = 0;
  for (const draft of await draftsWithoutMessage(services.db.pool, graceCutoff)) {
    const client = await getClient(services.db.pool, draft.clientId);
    if (draft.status === 'draft' && client) await postOrAutoSend(services, draft, client);
    else await publishInvoiceMessage(services, draft);
    postedDrafts += 1;
  }
  let delivered = 0;
  for (const approved of await invoicesInStatus(services.db.pool, ['approved'])) {
    if (approved.approvedAt && approved.approvedAt > graceCutoff) continue;
    try {
      const after = await deliverInvoice(services, approved.id);
      if (after?.status === 'sent') delivered += 1;
    } catch (err) {
      services.log.error({ invoice: approved.number, err: String(err) }, 'delivering an approved invoice failed; will retry');
    }
  }
  // Pending sales tax tried again; sales recorded or voided at the tax service where an earlier try failed.
  await runTaxFollowUps(services).catch((err: unknown) => services.log.error({ err: String(err) }, 'sales tax follow-ups failed; will retry'));
  // Before the reminders: a bounce reported since the last run holds its client's steps (and is posted) first.
  const bounceAlerts = await announceBounces(services);
  // Before the reminders: the day's list shows the steps about to go out.
  await runTodaysSends(services).catch((err: unknown) => services.log.error({ err: String(err) }, "today's sends list failed"));
  const reminders = await runDueReminders(services);
  await runWeeklySummary(services);
  await purgeExpiredConnectFlows(services.db.pool, services.clock.now());
  return { flaggedUnknown, retriedEvents, postedDrafts, delivered, bounceAlerts, reminders, retainers };
}

/** Claims left behind by a crash: never repeated blindly, flagged in the invoice thread for a human. */
async function flagUnknownOutcomes(services: Services): Promise<number> {
  const now = services.clock.now();
  const staleBefore = new Date(now.getTime() - CLAIM_TIMEOUT_MS);
  const steps = await markStaleRemindersUnknown(services.db.pool, staleBefore, now);
  const effects = await markStaleEffectsUnknown(services.db.pool, staleBefore, now);
  const items = [
    ...steps.map((s) => ({ invoiceId: s.invoiceId, what: `reminder step ${s.stepIndex + 1} (${s.tone})`, since: s.claimedAt ?? now })),
    ...effects.filter((e) => e.invoiceId).map((e) => ({ invoiceId: e.invoiceId!, what: describeEffect(e.kind), since: e.claimedAt })),
  ];
  for (const item of items) {
    const attention = `Unknown outcome: ${item.what} may or may not have gone out. Check, then act by hand.`;
    const invoice = await updateInvoice(services.db.pool, item.invoiceId, { attention }, now);
    await audit(services.db.pool, { invoiceId: item.invoiceId, actor: 'system', action: 'unknown_outcome', details: { what: item.what } }, now);
    services.log.warn({ invoice: invoice?.number, what: item.what }, 'send outcome unknown after a crash; flagged for a human');
    if (invoice) {
      await publishInvoiceMessage(services, invoice);
      await postInThread(services, invoice, unknownOutcomeNote({ what: item.what, since: item.since }));
    }
  }
  return items.length;
}

function describeEffect(kind: string): string {
  switch (kind) {
    case 'invoice-email':
      return 'the invoice email';
    case 'escalation-task':
      return 'the escalation task';
    case 'escalation-dm':
      return "the owner's escalation DM";
    case 'credit':
      return 'a credit at the invoicing back-end (compare the back-end balance with this invoice)';
    case 'credit-email':
      return "the client's credit email";
    case 'bounce-alert':
      return 'the bounced-email alert in this thread';
    case 'late-fee':
      return 'a late fee invoice at the back-end (check whether it exists there)';
    case 'late-fee-waive':
      return 'voiding a waived late fee at the back-end';
    default:
      return kind;
  }
}

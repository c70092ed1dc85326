import { esc } from '../../blocks/format.js';
import { localDate } from '../domain/calendar.js';
import { line } from '../domain/invoice.js';
import { periodLabel, retainerDue, retainerSourceRef } from '../domain/retainer.js';
import { audit } from '../store/audit.js';
import { listRetainerClients, markRetainerSeen } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import type { Services } from '../services.js';
import { insertClientDraft, postOrAutoSend } from './draft-from-milestone.js';

export const RETAINER_SOURCE = 'retainer';

export interface RetainerReport {
  drafted: number;
  /** Older periods newly reported in Slack as not invoiced automatically. */
  reportedMissed: number;
}

/**
 * Due retainer invoices (called from the periodic job): for each retainer client, the latest due
 * period gets one invoice, ever: the (source, source_ref) unique key holds even with two processes.
 * It then goes the way of any draft: approval in Slack, or straight out for an auto-send client, with
 * the same reminders and payment tracking. Older never-invoiced periods are said once in Slack.
 */
export async function runDueRetainers(services: Services): Promise<RetainerReport> {
  const report: RetainerReport = { drafted: 0, reportedMissed: 0 };
  for (const client of await listRetainerClients(services.db.pool)) {
    try {
      const now = services.clock.now();
      const today = localDate(now, services.settings.timezone);
      const startsOn = client.retainer.startsOn ?? client.retainerSince ?? (await markRetainerSeen(services.db.pool, client.id, today));
      const invoiced = await invoicedPeriods(services, client.id);
      const due = retainerDue({ dayOfMonth: client.retainer.dayOfMonth, startsOn }, services.settings.timezone, now, invoiced);
      if (due.invoice && (await draftRetainerInvoice(services, client, due.invoice))) report.drafted += 1;
      report.reportedMissed += await reportMissed(services, client, due.missed);
    } catch (err) {
      // One client's failure (a concurrent insert, a Slack hiccup) must not stop the others; the next run retries.
      services.log.error({ client: client.id, err: String(err) }, 'retainer run failed for one client; will retry');
    }
  }
  return report;
}

async function invoicedPeriods(services: Services, clientId: string): Promise<Set<string>> {
  const { rows } = await services.db.pool.query<{ source_ref: string }>('SELECT source_ref FROM invoices WHERE source = $1 AND client_id = $2', [RETAINER_SOURCE, clientId]);
  const prefix = `${clientId}:`;
  return new Set(
    rows
      .map((r) => r.source_ref)
      .filter((ref) => ref.startsWith(prefix))
      .map((ref) => ref.slice(prefix.length)),
  );
}

type RetainerClient = Awaited<ReturnType<typeof listRetainerClients>>[number];

async function draftRetainerInvoice(services: Services, client: RetainerClient, period: string): Promise<boolean> {
  const now = services.clock.now();
  const label = periodLabel(period);
  const lines = [line(`${client.retainer.description} — ${label}`, '1', client.retainer.amount, client.currency)];
  const sourceRef = retainerSourceRef(client.id, period);
  const invoice = await withTransaction(services.db.pool, async (tx) => {
    const created = await insertClientDraft(tx, services, client, { source: RETAINER_SOURCE, sourceRef, sourceUrl: null, milestone: `Retainer — ${label}`, lines }, now);
    if (created) {
      await audit(
        tx,
        { invoiceId: created.id, actor: 'scheduler', action: 'drafted', details: { retainer: sourceRef, period, total: created.total, currency: created.currency } },
        now,
      );
    }
    return created;
  });
  if (!invoice) return false;
  services.log.info({ invoice: invoice.number, client: client.id, period }, 'retainer invoice drafted');
  await postOrAutoSend(services, invoice, client);
  return true;
}

/** Each missed period is said once, ever (an effect key per period), so a human decides whether to bill it. */
async function reportMissed(services: Services, client: RetainerClient, missed: readonly string[]): Promise<number> {
  if (missed.length === 0) return 0;
  const now = services.clock.now();
  const key = (period: string) => `retainer-missed:${retainerSourceRef(client.id, period)}`;
  const fresh: string[] = [];
  for (const period of missed) {
    if (await claimEffect(services.db.pool, { key: key(period), invoiceId: null, kind: 'retainer-missed', claimedBy: services.instanceId }, now)) fresh.push(period);
  }
  if (fresh.length === 0) return 0;
  const months = fresh.map(periodLabel).join(', ');
  const posted = await services.slack.post(services.settings.billingChannelId, {
    text: `:warning: Retainer for ${esc(client.name)}: ${months} ${fresh.length === 1 ? 'was' : 'were'} not invoiced (no run on the billing day, or startsOn lies before duebot knew of the retainer). Only the latest month is invoiced automatically; invoice these by hand if they are owed.`,
  });
  if (!posted) {
    // Slack did not take it: give the claims back so the next run says it.
    for (const period of fresh) await releaseEffect(services.db.pool, key(period));
    return 0;
  }
  for (const period of fresh) await completeEffect(services.db.pool, key(period), { reported: true, ts: posted }, services.clock.now());
  services.log.warn({ client: client.id, missed: fresh }, 'older retainer periods were not invoiced; reported for a human');
  return fresh.length;
}

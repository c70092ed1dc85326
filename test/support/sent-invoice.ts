import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { APPROVER, type Harness } from './harness.js';

/**
 * A billing milestone completed in Asana, its draft posted and approved in Slack, the invoice sent: what
 * most end-to-end tests start from. Several e2e files still carry a copy of this; new ones use this one.
 */
export async function sentInvoice(h: Harness, gid: string, amount: number): Promise<InvoiceRecord> {
  const res = await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount });
  if (res.status !== 200) throw new Error(`the milestone webhook answered ${res.status}`);
  const draft = await h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(h.bot.services.db.pool, 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  return h.waitForStatus(draft.id, 'sent');
}

import { connectionStates, type ConnectionState } from '../store/connections.js';
import type { Services } from '../services.js';
import { countOpenBounces } from '../store/bounces.js';
import { inboxBacklog, type InboxBacklog } from '../store/inbox.js';
import { listRegistrations, type WebhookRegistration } from '../store/webhook-registrations.js';
import { countUncomputedTaxes } from '../store/sales-tax.js';

const SMTP_CHECK_MS = 5_000;

export interface IntegrationStatus {
  projectTools: string[];
  backends: { name: string; oauth: boolean; connection: ConnectionState | null }[];
  /** Stored connections whose back-end is not configured in this process (env vars removed). */
  unusedConnections: ConnectionState[];
  smtp: { target: string | null; reachable: boolean | null; error: string | null };
  /** Bounced invoice and reminder emails not fixed yet (the client's billing emails unchanged since). */
  openBounces?: number;
  /** Stored events waiting for a retry, and the dead letters (newest few), as of `checkedAt`. */
  inbox?: InboxBacklog & { checkedAt: Date };
  /** Project-tool webhooks duebot registered (`/invoices connect <tool> <resource>`), by tool then resource. */
  webhookRegistrations?: WebhookRegistration[];
  /** TAX_SERVICE, and how many drafts wait for their tax (pending or failed); absent: none configured. */
  taxService?: { name: string; waiting: number } | null;
}

/** Dead letters listed by `/invoices status` (the count covers all of them). */
const NEWEST_DEAD_LETTERS = 5;

/** `/invoices status`: every configured connection and its state, SMTP checked live. */
export async function integrationStatus(services: Services): Promise<IntegrationStatus> {
  const connections = await connectionStates(services.db.pool);
  const byProvider = new Map(connections.map((c) => [c.provider, c]));
  const backendNames = Object.keys(services.backends).sort();
  return {
    projectTools: Object.keys(services.projectTools).sort(),
    backends: backendNames.map((name) => ({ name, oauth: Object.hasOwn(services.oauth.connectors, name), connection: byProvider.get(name) ?? null })),
    // A project tool's OAuth connection (Asana) belongs to a connector, not to a back-end.
    unusedConnections: connections.filter((c) => !backendNames.includes(c.provider) && !Object.hasOwn(services.oauth.connectors, c.provider)),
    smtp: { target: services.mailer.describe ?? null, ...(await checkSmtp(services)) },
    openBounces: await countOpenBounces(services.db.pool),
    inbox: { ...(await inboxBacklog(services.db.pool, NEWEST_DEAD_LETTERS)), checkedAt: services.clock.now() },
    webhookRegistrations: await listRegistrations(services.db.pool),
    taxService: services.tax ? { name: services.tax.displayName, waiting: await countUncomputedTaxes(services.db.pool) } : null,
  };
}

async function checkSmtp(services: Services): Promise<{ reachable: boolean | null; error: string | null }> {
  const verify = services.mailer.verify?.bind(services.mailer);
  if (!verify) return { reachable: null, error: null };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      verify(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${SMTP_CHECK_MS / 1000} s`)), SMTP_CHECK_MS);
      }),
    ]);
    return { reachable: true, error: null };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

import { esc } from '../../blocks/format.js';
import type { Services } from '../services.js';
import { invoicesInStatus } from '../store/invoices.js';
import { deliverInvoice } from './approve-and-send.js';

/**
 * Connection health of the OAuth back-ends. The token store reports a connection broken only on its
 * active → broken transition, so the billing channel hears about it once. Invoices that cannot be
 * issued meanwhile stay approved and the periodic sweep keeps retrying them, so they go out on the
 * first sweep after an approver reconnects.
 */
export function connectionHealth(services: Services): { broken(provider: string, reason: string): void; connected(provider: string, notice: string): void } {
  const label = (provider: string) => (Object.hasOwn(services.oauth.connectors, provider) ? services.oauth.connectors[provider]!.label : provider);
  const post = (text: string) => {
    void services.slack.post(services.settings.billingChannelId, { text }).catch((err: unknown) => services.log.warn({ err: String(err) }, 'connection notice not posted'));
  };
  return {
    broken(provider, reason) {
      services.log.warn({ provider, reason }, 'accounting connection broken');
      // A connector says what its loss means when that is not held invoices (Asana: the personal token, or no milestones).
      const meaning = Object.hasOwn(services.oauth.connectors, provider) ? services.oauth.connectors[provider]!.whileDisconnected : undefined;
      post(
        `:warning: The ${label(provider)} connection stopped working (${esc(reason)}). ${meaning ?? `Invoices for ${label(provider)} clients are held until an approver reconnects with \`/invoices connect ${provider}\`.`}`,
      );
    },
    /** Posts who connected what (`notice`) and releases the invoices held for this back-end. */
    connected(provider, notice) {
      post(notice);
      // Release what waited on this connection at once rather than on the next sweep.
      void services.background.track(releaseHeld(services, provider));
    },
  };
}

async function releaseHeld(services: Services, provider: string): Promise<void> {
  try {
    for (const invoice of await invoicesInStatus(services.db.pool, ['approved'])) {
      if (invoice.provider !== provider) continue;
      await deliverInvoice(services, invoice.id).catch((err: unknown) =>
        services.log.warn({ invoice: invoice.number, err: String(err) }, 'held invoice not delivered yet; the sweep retries'),
      );
    }
  } catch (err) {
    services.log.warn({ provider, err: String(err) }, 'releasing held invoices failed; the sweep retries');
  }
}

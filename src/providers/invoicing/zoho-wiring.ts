import type { Queryable } from '../../store/db.js';
import type { ConnectionStore } from '../../store/connections.js';
import type { TokenCipher } from '../../store/token-cipher.js';
import type { CallObserver } from '../call-observer.js';
import type { OAuthConnector } from './build-backends.js';
import { createZohoBackend, ZOHO, type ZohoBackend } from './zoho.js';
import { zohoWebhookSecret } from './zoho-webhook.js';

export interface ZohoWiringOptions {
  clientId: string;
  clientSecret: string;
  baseUrl: string | null;
  /** Where people and Zoho reach duebot (PUBLIC_URL), for the redirect URI and the webhook URL. */
  publicUrl: string;
  db: Queryable;
  cipher: TokenCipher;
  connections: ConnectionStore;
  now: () => Date;
  onBroken: (provider: string, reason: string) => void;
  observe: CallObserver;
}

/** The Zoho Invoice back-end and its connect flow: organization choice and the webhook URL shown on connecting. */
export function zohoWiring(options: ZohoWiringOptions): { backend: ZohoBackend; connector: OAuthConnector } {
  const backend = createZohoBackend({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: `${options.publicUrl}/oauth/${ZOHO}/callback`,
    baseUrl: options.baseUrl,
    connections: options.connections,
    now: options.now,
    onBroken: options.onBroken,
    observe: options.observe,
  });
  const connector: OAuthConnector = {
    label: 'Zoho Invoice',
    accountNoun: 'organization',
    idNoun: 'organization id',
    authorizeUrl: (state) => backend.authorizeUrl(state),
    // Several organizations go to the approver's pick (src/usecases/choose-account.ts); the data centre
    // waits with them, sealed inside the refresh token (zoho-oauth.ts).
    exchange: async (query) => {
      const { tokens, organizations } = await backend.exchangeCallback(query);
      const first = organizations[0]!;
      return {
        tokens: { ...tokens, accountId: first.id },
        accountName: first.name,
        ...(organizations.length > 1 ? { choices: organizations.map((o) => ({ accountId: o.id, accountName: o.name })) } : {}),
      };
    },
    async connectedNote() {
      const secret = await zohoWebhookSecret(options.db, options.cipher, options.now());
      return `For payments to show up at once, add a workflow rule in Zoho Invoice (Settings → Automation → Workflow Rules, module Invoices and Customer Payments) with a webhook action: POST ${options.publicUrl}/webhooks/zoho/${secret} (keep this URL secret; duebot also polls).`;
    },
  };
  return { backend, connector };
}

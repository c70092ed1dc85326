import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Queryable } from '../../store/db.js';
import { createConnectionStore, type ConnectionStore, type ConnectionTokens } from '../../store/connections.js';
import { createTokenCipher } from '../../store/token-cipher.js';
import type { InvoicingBackend } from './backend.js';
import { createStripeBackend } from './stripe.js';
import { createFreshBooksBackend, FRESHBOOKS } from './freshbooks.js';
import { createQuickBooksBackend, QUICKBOOKS } from './quickbooks.js';

/** The connect flow of one OAuth back-end, used by the /oauth routes. */
export interface OAuthConnector {
  authorizeUrl(state: string): string;
  /** The callback's query (code, and realmId for QuickBooks) → tokens to store. */
  exchange(query: URLSearchParams): Promise<ConnectionTokens>;
}

export interface InvoicingWiring {
  backends: Record<string, InvoicingBackend>;
  connectors: Record<string, OAuthConnector>;
  connections: ConnectionStore | null;
}

/**
 * Every configured back-end by provider name. `onBroken` is told once when an OAuth connection stops
 * working (it is called late, so the composition root may bind it after Slack exists).
 */
export function buildInvoicingBackends(config: Config, db: Queryable, clock: Clock, onBroken: (provider: string, reason: string) => void): InvoicingWiring {
  const backends: Record<string, InvoicingBackend> = {};
  const connectors: Record<string, OAuthConnector> = {};
  if (config.stripe) backends.stripe = createStripeBackend({ secretKey: config.stripe.secretKey, webhookSecret: config.stripe.webhookSecret, apiUrl: config.stripe.apiUrl });

  const connections = config.encryptionKey ? createConnectionStore(db, createTokenCipher(config.encryptionKey)) : null;
  const base = (config.publicUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '');
  const now = () => clock.now();

  if (config.quickbooks && connections) {
    const qb = config.quickbooks;
    const backend = createQuickBooksBackend({
      clientId: qb.clientId, clientSecret: qb.clientSecret, redirectUri: `${base}/oauth/quickbooks/callback`, apiUrl: qb.apiUrl, sandbox: qb.sandbox,
      tokenUrl: qb.tokenUrl, webhookVerifier: qb.webhookVerifier, connections, now, onBroken,
    });
    backends[QUICKBOOKS] = backend;
    connectors[QUICKBOOKS] = {
      authorizeUrl: (state) => backend.authorizeUrl(state),
      exchange: (query) => {
        const realmId = query.get('realmId');
        if (!realmId) throw new Error('the QuickBooks callback carries no realmId');
        return backend.exchangeCode(query.get('code') ?? '', realmId);
      },
    };
  }
  if (config.freshbooks && connections) {
    const fb = config.freshbooks;
    const backend = createFreshBooksBackend({
      clientId: fb.clientId, clientSecret: fb.clientSecret, redirectUri: `${base}/oauth/freshbooks/callback`, apiUrl: fb.apiUrl, webhookVerifier: fb.webhookVerifier, connections, now, onBroken,
    });
    backends[FRESHBOOKS] = backend;
    connectors[FRESHBOOKS] = { authorizeUrl: (state) => backend.authorizeUrl(state), exchange: (query) => backend.exchangeCode(query.get('code') ?? '') };
  }
  return { backends, connectors, connections };
}

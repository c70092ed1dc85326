import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Queryable } from '../../store/db.js';
import { createConnectionStore, type ConnectedAccount, type ConnectionStore, type ConnectionTokens } from '../../store/connections.js';
import { zohoWiring } from './zoho-wiring.js';
import { createTokenCipher } from '../../store/token-cipher.js';
import type { InvoicingBackend } from './backend.js';
import { createStripeBackend } from './stripe.js';
import { XERO } from './xero-webhooks.js';
import { createInvoiceNinjaBackend, INVOICENINJA } from './invoiceninja.js';
import { createWaveBackend, WAVE } from './wave.js';
import { unobservedCalls, type CallObservers } from '../call-observer.js';

/**
 * The connect flow of one OAuth back-end (`/invoices connect <name>`, the /oauth routes). A new
 * back-end (Xero, Zoho, …) plugs in by adding one of these under its provider name; so does a project
 * tool connected by OAuth (Asana: src/providers/projects/asana-oauth.ts), its tokens in the same store.
 */
export interface OAuthConnector {
  /** How people know it: "QuickBooks". */
  label: string;
  /** What one connected account is called ("company") and what its id is called ("realm"). */
  accountNoun: string;
  idNoun: string;
  authorizeUrl(state: string): string;
  /**
   * The callback's query (code, and realmId for QuickBooks) → tokens to store and the account's name.
   * `choices`: one consent authorised several accounts (Xero organisations, Zoho organizations); the approver picks one in
   * the same browser (src/usecases/choose-account.ts) and `tokens.accountId` becomes the pick.
   */
  exchange(query: URLSearchParams): Promise<{ tokens: ConnectionTokens; accountName: string | null; choices?: ConnectedAccount[] }>;
  /** What happens while it is disconnected, said when an approver disconnects it (default: that back-end's invoices are held). */
  whileDisconnected?: string;
  /** A line for the approver's browser once connected: what to set up at the provider (Zoho's webhook URL). */
  connectedNote?(): Promise<string | null>;
}

/** What the connect flow needs: the connectors, the token store, and the URL people reach the bot at. */
export interface OAuthWiring {
  connectors: Record<string, OAuthConnector>;
  connections: ConnectionStore | null;
  publicUrl: string;
}

export interface InvoicingWiring extends OAuthWiring {
  backends: Record<string, InvoicingBackend>;
}

const withName = ({ accountName, ...tokens }: ConnectionTokens & { accountName: string | null }) => ({ tokens, accountName });

/**
 * Every configured back-end by provider name. `onBroken` is told once when an OAuth connection stops
 * working (it is called late, so the composition root may bind it after Slack exists).
 */
export async function buildInvoicingBackends(
  config: Config,
  db: Queryable,
  clock: Clock,
  onBroken: (provider: string, reason: string) => void,
  observers: CallObservers = unobservedCalls,
): Promise<InvoicingWiring> {
  const backends: Record<string, InvoicingBackend> = {};
  const connectors: Record<string, OAuthConnector> = {};
  if (config.stripe)
    backends.stripe = createStripeBackend({
      secretKey: config.stripe.secretKey,
      webhookSecret: config.stripe.webhookSecret,
      apiUrl: config.stripe.apiUrl,
      observe: observers.for('stripe'),
    });

  const cipher = config.encryptionKey ? createTokenCipher(config.encryptionKey) : null;
  const connections = cipher ? createConnectionStore(db, cipher) : null;
  const base = (config.publicUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '');
  const now = () => clock.now();

  // Each SDK-backed adapter is loaded only when configured: most installs use one or two back-ends.
  if (config.quickbooks && connections) {
    const { createQuickBooksBackend, QUICKBOOKS } = await import('./quickbooks.js');
    const qb = config.quickbooks;
    const backend = createQuickBooksBackend({
      clientId: qb.clientId,
      clientSecret: qb.clientSecret,
      redirectUri: `${base}/oauth/quickbooks/callback`,
      apiUrl: qb.apiUrl,
      sandbox: qb.sandbox,
      tokenUrl: qb.tokenUrl,
      webhookVerifier: qb.webhookVerifier,
      connections,
      now,
      onBroken,
      observe: observers.for(QUICKBOOKS),
    });
    backends[QUICKBOOKS] = backend;
    connectors[QUICKBOOKS] = {
      label: 'QuickBooks',
      accountNoun: 'company',
      idNoun: 'realm',
      authorizeUrl: (state) => backend.authorizeUrl(state),
      exchange: async (query) => {
        const realmId = query.get('realmId');
        if (!realmId) throw new Error('the QuickBooks callback carries no realmId');
        return withName(await backend.exchangeCode(query.get('code') ?? '', realmId));
      },
    };
  }
  if (config.freshbooks && connections) {
    const { createFreshBooksBackend, FRESHBOOKS } = await import('./freshbooks.js');
    const fb = config.freshbooks;
    const backend = createFreshBooksBackend({
      clientId: fb.clientId,
      clientSecret: fb.clientSecret,
      redirectUri: `${base}/oauth/freshbooks/callback`,
      apiUrl: fb.apiUrl,
      webhookVerifier: fb.webhookVerifier,
      connections,
      now,
      onBroken,
      observe: observers.for(FRESHBOOKS),
    });
    backends[FRESHBOOKS] = backend;
    connectors[FRESHBOOKS] = {
      label: 'FreshBooks',
      accountNoun: 'business',
      idNoun: 'account',
      authorizeUrl: (state) => backend.authorizeUrl(state),
      exchange: async (query) => withName(await backend.exchangeCode(query.get('code') ?? '')),
    };
  }
  if (config.xero && connections) {
    const { createXeroBackend } = await import('./xero.js');
    const xero = config.xero;
    const backend = createXeroBackend({
      clientId: xero.clientId,
      clientSecret: xero.clientSecret,
      redirectUri: `${base}/oauth/xero/callback`,
      apiUrl: xero.apiUrl,
      identityUrl: xero.identityUrl,
      loginUrl: xero.loginUrl,
      scopes: xero.scopes,
      webhookKey: xero.webhookKey,
      salesAccountCode: xero.salesAccountCode,
      connections,
      now,
      onBroken,
      observe: observers.for(XERO),
    });
    backends[XERO] = backend;
    connectors[XERO] = {
      label: 'Xero',
      accountNoun: 'organisation',
      idNoun: 'tenant',
      authorizeUrl: (state) => backend.authorizeUrl(state),
      exchange: (query) => backend.exchangeCode(query.get('code') ?? ''),
    };
  }
  if (config.invoiceninja) {
    backends[INVOICENINJA] = createInvoiceNinjaBackend({ ...config.invoiceninja, now, onBroken, observe: observers.for(INVOICENINJA) });
  }
  if (config.zoho && connections && cipher) {
    const zoho = zohoWiring({ ...config.zoho, publicUrl: base, db, cipher, connections, now, onBroken, observe: observers.for('zoho') });
    backends.zoho = zoho.backend;
    connectors.zoho = zoho.connector;
  }
  if (config.wave && connections) {
    const wave = config.wave;
    const backend = createWaveBackend({
      clientId: wave.clientId,
      clientSecret: wave.clientSecret,
      redirectUri: `${base}/oauth/wave/callback`,
      apiUrl: wave.apiUrl,
      authorizeUrl: wave.authorizeUrl,
      tokenUrl: wave.tokenUrl,
      productName: wave.productName,
      connections,
      now,
      onBroken,
      observe: observers.for(WAVE),
    });
    backends[WAVE] = backend;
    connectors[WAVE] = {
      label: 'Wave',
      accountNoun: 'business',
      idNoun: 'business id',
      authorizeUrl: (state) => backend.authorizeUrl(state),
      exchange: (query) => backend.exchangeCode(query.get('code') ?? ''),
    };
  }
  return { backends, connectors, connections, publicUrl: base };
}

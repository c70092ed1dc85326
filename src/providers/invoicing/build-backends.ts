import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Queryable } from '../../store/db.js';
import { createConnectionStore, type ConnectedAccount, type ConnectionStore, type ConnectionTokens } from '../../store/connections.js';
import { createAccountChoiceStore, type AccountChoiceStore, type UnboundTokens } from '../../store/oauth-account-choices.js';
import { createWaveBackend, WAVE } from './wave.js';
import { createTokenCipher } from '../../store/token-cipher.js';
import type { InvoicingBackend } from './backend.js';
import { createStripeBackend } from './stripe.js';
import { createFreshBooksBackend, FRESHBOOKS } from './freshbooks.js';
import { createQuickBooksBackend, QUICKBOOKS } from './quickbooks.js';
import { unobservedCalls, type CallObservers } from '../call-observer.js';

/**
 * The connect flow of one OAuth back-end (`/invoices connect <name>`, the /oauth routes). A new
 * back-end (Xero, Zoho, …) plugs in by adding one of these under its provider name.
 */
export interface OAuthConnector {
  /** How people know it: "QuickBooks". */
  label: string;
  /** What one connected account is called ("company") and what its id is called ("realm"). */
  accountNoun: string;
  idNoun: string;
  authorizeUrl(state: string): string;
  /**
   * The callback's query (code, and realmId for QuickBooks) → tokens to store and the account's name,
   * or, when the consent reaches several accounts (Wave businesses), the accounts for the approver to
   * pick from in the same browser flow (src/usecases/connect-account-choice.ts).
   */
  exchange(query: URLSearchParams): Promise<{ tokens: ConnectionTokens; accountName: string | null } | AccountChoice>;
}

/** Several accounts behind one consent: nothing is stored as a connection until the approver picks one. */
export interface AccountChoice {
  tokens: UnboundTokens;
  choices: ConnectedAccount[];
}

/** What the connect flow needs: the connectors, the token store, and the URL people reach the bot at. */
export interface OAuthWiring {
  connectors: Record<string, OAuthConnector>;
  connections: ConnectionStore | null;
  publicUrl: string;
  /** Consents waiting for the approver's pick of an account (absent: no connector offers a choice). */
  choices?: AccountChoiceStore | null;
}

export interface InvoicingWiring extends OAuthWiring {
  backends: Record<string, InvoicingBackend>;
}

const withName = ({ accountName, ...tokens }: ConnectionTokens & { accountName: string | null }) => ({ tokens, accountName });

/**
 * Every configured back-end by provider name. `onBroken` is told once when an OAuth connection stops
 * working (it is called late, so the composition root may bind it after Slack exists).
 */
export function buildInvoicingBackends(
  config: Config,
  db: Queryable,
  clock: Clock,
  onBroken: (provider: string, reason: string) => void,
  observers: CallObservers = unobservedCalls,
): InvoicingWiring {
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
  const choices = cipher ? createAccountChoiceStore(db, cipher) : null;
  const base = (config.publicUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '');
  const now = () => clock.now();

  if (config.quickbooks && connections) {
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
      exchange: async (query) => {
        const { tokens, businesses } = await backend.exchangeCode(query.get('code') ?? '');
        if (businesses.length === 0) throw new Error('the Wave user has no business that invoices with Wave (not archived, not on classic invoicing)');
        // One business: that one. Several: the approver picks, in the same bound flow.
        if (businesses.length === 1) return { tokens: { ...tokens, accountId: businesses[0]!.accountId }, accountName: businesses[0]!.accountName };
        return { tokens, choices: businesses };
      },
    };
  }
  return { backends, connectors, connections, publicUrl: base, choices };
}

import { randomBytes } from 'node:crypto';
import express from 'express';
import type { ConnectionStore } from '../store/connections.js';
import type { OAuthConnector } from '../providers/invoicing/build-backends.js';
import type { Services } from '../services.js';
import { ownValue } from '../own-key.js';

/** A state is good for this long: the owner clicks through the provider's consent screen in between. */
const STATE_TTL_MS = 15 * 60 * 1000;

/**
 * The connect flow of the OAuth back-ends: `/oauth/<provider>/start` hands out a single-use `state`
 * and redirects to the provider; `/oauth/<provider>/callback` checks and spends that state, exchanges
 * the code and stores the tokens encrypted. Tokens never appear in responses or logs.
 */
export function oauthRouter(services: Services, connectors: Record<string, OAuthConnector>, connections: ConnectionStore | null, onConnected: (provider: string) => void = () => undefined): express.Router {
  const router = express.Router();
  const pool = services.db.pool;

  router.get('/oauth/:provider/start', async (req, res) => {
    const provider = req.params.provider;
    const connector = ownValue(connectors, provider);
    if (!connector) return void res.status(404).json({ error: `${provider} is not configured` });
    const state = randomBytes(24).toString('base64url');
    await pool.query('INSERT INTO oauth_states (state, provider, created_at) VALUES ($1, $2, $3)', [state, provider, services.clock.now()]);
    res.redirect(302, connector.authorizeUrl(state));
  });

  router.get('/oauth/:provider/callback', async (req, res) => {
    const provider = req.params.provider;
    const connector = ownValue(connectors, provider);
    if (!connector || !connections) return void res.status(404).json({ error: `${provider} is not configured` });
    const query = new URL(req.originalUrl, 'http://duebot').searchParams;
    const now = services.clock.now();
    const state = query.get('state') ?? '';
    // Spent even when what follows fails: a state is good for one try.
    const { rows } = await pool.query<{ created_at: Date }>('DELETE FROM oauth_states WHERE state = $1 AND provider = $2 RETURNING created_at', [state, provider]);
    const issued = rows[0] ? new Date(rows[0].created_at) : null;
    if (!issued || now.getTime() - issued.getTime() > STATE_TTL_MS) {
      return void res.status(400).json({ error: 'unknown or expired state: start again at /oauth/' + provider + '/start' });
    }
    if (query.get('error')) return void res.status(400).json({ error: `${provider} refused the connection: ${query.get('error')}` });
    if (!query.get('code')) return void res.status(400).json({ error: 'the callback carries no code' });
    try {
      const tokens = await connector.exchange(query);
      await connections.saveTokens(provider, tokens, services.clock.now());
    } catch (err) {
      services.log.warn({ provider, err: err instanceof Error ? err.message : String(err) }, 'oauth code exchange failed');
      return void res.status(502).json({ error: `could not finish connecting ${provider}; try again` });
    }
    services.log.info({ provider }, 'accounting back-end connected');
    onConnected(provider);
    res.status(200).type('html').send(`<!doctype html><title>duebot</title><p>${provider === 'quickbooks' ? 'QuickBooks' : 'FreshBooks'} is connected. You can close this tab.</p>`);
  });
  return router;
}

import type { ConnectionStore, ConnectionTokens } from '../../store/connections.js';
import { BackendError } from './errors.js';

export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

export interface OAuthSessionOptions {
  provider: string;
  store: ConnectionStore;
  now: () => Date;
  /** Exchanges a refresh token at the provider; throws a BackendError (status 400/401 = revoked). */
  refresh: (refreshToken: string) => Promise<RefreshedTokens>;
  /** Refresh this long before the access token expires (default 5 minutes). */
  skewMs?: number;
  /** Told once when the connection goes from working to broken (reconnect needed). */
  onBroken?: (provider: string, reason: string) => void;
}

/**
 * The tokens of one OAuth back-end: read from the encrypted store, refreshed shortly before expiry
 * (or after a 401), with the rotated refresh token saved on every refresh. One refresh at a time, so
 * concurrent calls never spend the same single-use refresh token twice.
 */
export interface OAuthSession {
  tokens(): Promise<ConnectionTokens>;
  /** Refreshes now (after a 401), unless another call already did since `stale` was read. */
  refresh(stale: ConnectionTokens): Promise<ConnectionTokens>;
  /** Marks the connection broken (a 401 even after a refresh). */
  broken(reason: string): Promise<void>;
}

export function createOAuthSession(options: OAuthSessionOptions): OAuthSession {
  const skew = options.skewMs ?? 5 * 60 * 1000;
  let inFlight: Promise<ConnectionTokens> | null = null;

  async function load(): Promise<ConnectionTokens> {
    const connection = await options.store.get(options.provider);
    if (!connection) throw new BackendError(`${options.provider} is not connected yet: an approver runs \`/invoices connect ${options.provider}\``, 'not_connected', false);
    if (connection.status === 'broken')
      throw new BackendError(
        `${options.provider} connection needs reconnecting (${connection.lastError ?? 'refresh failed'}): an approver runs \`/invoices connect ${options.provider}\``,
        'not_connected',
        false,
      );
    return connection;
  }

  async function markBroken(reason: string): Promise<void> {
    if (await options.store.markBroken(options.provider, reason, options.now())) options.onBroken?.(options.provider, reason);
  }

  function doRefresh(current: ConnectionTokens): Promise<ConnectionTokens> {
    inFlight ??= (async () => {
      try {
        const fresh = await options.refresh(current.refreshToken);
        const next = { accountId: current.accountId, ...fresh };
        if (!(await options.store.saveRefreshed(options.provider, next, options.now()))) {
          // Disconnected or switched to another account meanwhile: these tokens must not be used; the retry reads the new state.
          throw new BackendError(`${options.provider} connection changed during a token refresh`, 'unavailable', true);
        }
        return next;
      } catch (err) {
        const status = err instanceof BackendError ? err.status : null;
        // 400 invalid_grant / 401: the refresh token is revoked or expired; only a reconnect helps.
        if (status === 400 || status === 401) {
          await markBroken(`token refresh failed (${status})`);
          throw new BackendError(
            `${options.provider} token refresh was refused (${status}); an approver reconnects with \`/invoices connect ${options.provider}\``,
            'not_connected',
            false,
            { status, cause: err },
          );
        }
        throw err;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  return {
    async tokens() {
      if (inFlight) return inFlight;
      const current = await load();
      if (current.expiresAt.getTime() - skew > options.now().getTime()) return current;
      return doRefresh(current);
    },
    async refresh(stale) {
      if (inFlight) return inFlight;
      const current = await load();
      if (current.accessToken !== stale.accessToken) return current;
      return doRefresh(current);
    },
    broken: markBroken,
  };
}

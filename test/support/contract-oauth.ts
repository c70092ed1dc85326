import type { ConnectionStore } from '../../src/store/connections.js';

/** What an OAuth back-end's stand-in offers the contract suite for its token tests. */
export interface OAuthFake {
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
}

/**
 * The contract suite's OAuth hooks for a back-end whose tokens duebot keeps in `connections` under
 * `provider`: expire the stored access token, read what is stored, revoke everything at the stand-in.
 */
export function storedOAuth(connections: ConnectionStore, provider: string, fake: OAuthFake) {
  const stored = async () => (await connections.get(provider))!;
  return {
    async expire() {
      await connections.saveTokens(provider, { ...(await stored()), expiresAt: new Date(Date.now() - 1000) }, new Date());
    },
    stored,
    liveRefreshTokens: () => fake.liveRefreshTokens(),
    revokeAll() {
      fake.revokeAccessTokens();
      fake.revokeRefreshTokens();
    },
    connections,
  };
}

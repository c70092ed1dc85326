import { randomBytes } from 'node:crypto';
import { startHarness, MEMBER, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, type FakeQuickBooks, quickbooksEnv } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks, type FakeFreshBooks, freshbooksEnv } from '../support/fake-freshbooks.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';

/** `/invoices status` through a signed Slack request: project tools, back-ends with their OAuth connections, SMTP checked live. */

let h: Harness;
let qbo: FakeQuickBooks;
let fb: FakeFreshBooks;
const key = randomBytes(32);
beforeAll(async () => {
  [qbo, fb] = await Promise.all([startFakeQuickBooks(), startFakeFreshBooks()]);
  h = await startHarness({
    env: {
      ENCRYPTION_KEY: key.toString('base64'),
      PUBLIC_URL: 'https://duebot.example.com',
      ...quickbooksEnv(qbo),
      ...freshbooksEnv(fb),
    },
  });
});
afterAll(async () => {
  await h?.stop();
  await Promise.all([qbo?.close(), fb?.close()]);
});

async function status(user: string): Promise<{ text: string; body: string }> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand('status', user)).status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
  return { text: String(answer.body.text), body: JSON.stringify(answer.body.blocks) };
}

test('lists every configured connection with its state, and follows a connection breaking', async () => {
  const store = createConnectionStore(h.bot.services.db.pool, createTokenCipher(key));
  const connectedAt = new Date('2026-11-20T15:30:00Z');
  await store.saveTokens('quickbooks', { accountId: '9130', accessToken: 'at', refreshToken: 'rt', expiresAt: new Date('2026-12-01T00:00:00Z') }, connectedAt);

  const first = await status(MEMBER);
  expect(first.text).toBe('Connections: needs attention: FreshBooks');
  for (const line of [
    ':white_check_mark: Asana: configured',
    ':white_check_mark: Stripe: configured (API key)',
    ':white_check_mark: QuickBooks Online: connected, last success Nov 20, 2026, 3:30 PM',
    ':warning: FreshBooks: not connected yet; an approver runs `/invoices connect freshbooks`',
    ':white_check_mark: SMTP 127.0.0.1:',
    ': reachable',
  ]) {
    expect(first.body).toContain(line);
  }

  await store.markBroken('quickbooks', 'invalid_grant: refresh token expired', new Date('2026-11-21T08:00:00Z'));
  const second = await status('UAPPROVER1');
  expect(second.text).toBe('Connections: needs attention: FreshBooks, QuickBooks Online');
  expect(second.body).toContain(
    ':x: QuickBooks Online: broken (invalid_grant: refresh token expired), last success Nov 20, 2026, 3:30 PM; reconnect with `/invoices connect quickbooks`',
  );
  expect(second.body).not.toContain('"rt"');
});

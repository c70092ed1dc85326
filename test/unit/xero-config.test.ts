import { ConfigError, loadConfig } from '../../src/config.js';

/** XERO_* settings: Xero is on only with both app keys, and its tokens need ENCRYPTION_KEY. */
const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-SECRETBOT',
  SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
  BILLING_CHANNEL_ID: 'C0123ABCD',
  OWNER_SLACK_USER_ID: 'U0OWNER1',
  APPROVER_SLACK_USER_IDS: 'U0AAA1',
  ASANA_ACCESS_TOKEN: '1/SECRETASANA',
  SMTP_URL: 'smtp://user:SECRETPASS@mail.example.com:587',
  EMAIL_FROM: 'Pixel & Co <billing@pixel.example>',
  BUSINESS_NAME: 'Pixel & Co',
};
const key = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

test('Xero alone is a complete invoicing back-end; its URLs, scopes and account are overridable', () => {
  const config = loadConfig({
    ...base,
    ENCRYPTION_KEY: key,
    XERO_CLIENT_ID: 'CLIENT',
    XERO_CLIENT_SECRET: 'SECRET',
    XERO_WEBHOOK_KEY: 'hook-key',
    XERO_API_URL: 'http://127.0.0.1:4040',
    XERO_IDENTITY_URL: 'http://127.0.0.1:4041',
    XERO_SALES_ACCOUNT: '4000',
  });
  expect(config.stripe).toBeNull();
  expect(config.xero).toEqual({
    clientId: 'CLIENT',
    clientSecret: 'SECRET',
    webhookKey: 'hook-key',
    apiUrl: 'http://127.0.0.1:4040',
    identityUrl: 'http://127.0.0.1:4041',
    loginUrl: null,
    scopes: null,
    salesAccountCode: '4000',
  });
});

test('half a key pair, a missing ENCRYPTION_KEY or a bad URL is named', () => {
  expect(problemsOf({ ...base, ENCRYPTION_KEY: key, XERO_CLIENT_ID: 'CLIENT' })).toContain('XERO_CLIENT_SECRET: is required to use Xero (XERO_CLIENT_ID is set)');
  expect(problemsOf({ ...base, XERO_CLIENT_ID: 'CLIENT', XERO_CLIENT_SECRET: 'SECRET' })).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: is required/)]);
  expect(problemsOf({ ...base, ENCRYPTION_KEY: key, XERO_CLIENT_ID: 'CLIENT', XERO_CLIENT_SECRET: 'SECRET', XERO_API_URL: 'ftp://x' })).toEqual([
    expect.stringMatching(/^XERO_API_URL/),
  ]);
});

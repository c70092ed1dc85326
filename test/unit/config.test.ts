import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { CONFIG_VARIABLES, ConfigError, loadConfig, parseInterval } from '../../src/config.js';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-SECRETBOT',
  SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
  BILLING_CHANNEL_ID: 'C0123ABCD',
  OWNER_SLACK_USER_ID: 'U0OWNER1',
  APPROVER_SLACK_USER_IDS: 'U0AAA1, U0BBB2',
  STRIPE_SECRET_KEY: 'sk_test_SECRETSTRIPE',
  STRIPE_WEBHOOK_SECRET: 'whsec_SECRETHOOK',
  ASANA_ACCESS_TOKEN: '1/SECRETASANA',
  SMTP_URL: 'smtp://user:SECRETPASS@mail.example.com:587',
  EMAIL_FROM: 'Pixel & Co <billing@pixel.example>',
  BUSINESS_NAME: 'Pixel & Co',
};

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** The lines of a .env file as a shell would export them (quotes stripped, comments skipped). */
/** The file as `npm start` reads it: Node's own .env parser (process.loadEnvFile uses the same). */
function readDotEnv(path: string): Record<string, string> {
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

describe('config', () => {
  test('a full environment parses, with defaults', () => {
    expect(loadConfig(valid)).toEqual({
      port: 3000,
      logLevel: 'info',
      database: { url: null, dataDir: './data' },
      slack: {
        botToken: 'xoxb-1-2-SECRETBOT',
        signingSecret: 'SIGNINGSECRETVALUE',
        appToken: null,
        apiUrl: null,
        billingChannelId: 'C0123ABCD',
        ownerUserId: 'U0OWNER1',
        approverUserIds: ['U0AAA1', 'U0BBB2'],
      },
      stripe: { secretKey: 'sk_test_SECRETSTRIPE', webhookSecret: 'whsec_SECRETHOOK', apiUrl: null },
      encryptionKey: null,
      quickbooks: null,
      freshbooks: null,
      xero: null,
      invoiceninja: null,
      zoho: null,
      wave: null,
      payments: { pollEveryMs: 900_000 },
      asana: { accessToken: '1/SECRETASANA', apiUrl: null, ownerAssignee: 'me', oauth: null },
      clickup: null,
      trello: null,
      tax: null,
      monday: null,
      payInstructions: null,
      promiseMaxDays: 60,
      todaysSendsAt: '08:30',
      forecastMilestonesCacheMs: 60_000,
      invoiceAmountCeiling: '1000000',
      generic: null,
      email: { smtpUrl: 'smtp://user:SECRETPASS@mail.example.com:587', from: 'Pixel & Co <billing@pixel.example>', replyTo: null },
      business: { name: 'Pixel & Co', timezone: 'UTC', invoiceNumberPrefix: 'INV-' },
      weekly: { forecastChannelId: null, ownerEmail: null },
      clientsFile: null,
      publicUrl: null,
      trustProxy: null,
      webhookRegistrationsMax: 50,
      jobs: { processEveryMs: 30_000, lockLifetimeMs: 15_000 },
      metricsToken: null,
      inboundEmail: { mailgunSigningKey: null, basicAuth: null },
      sendgridWebhookPublicKey: null,
      dkim: null,
      inboxRetry: { firstMs: 60_000, maxDelayMs: 21_600_000, giveUpAfterMs: 259_200_000 },
    });
  });

  test('overrides are read and the Slack API URL gets its trailing slash', () => {
    const config = loadConfig({
      ...valid,
      PORT: '8080',
      LOG_LEVEL: 'debug',
      DATA_DIR: '/var/lib/duebot',
      SLACK_API_URL: 'http://127.0.0.1:4030/api',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      ASANA_API_URL: 'http://127.0.0.1:4040/api/1.0',
      OWNER_ASANA_ASSIGNEE: 'owner@agency.example',
      BUSINESS_TIMEZONE: 'Europe/Berlin',
      INVOICE_NUMBER_PREFIX: 'PX-',
      PAY_INSTRUCTIONS: 'Bank transfer to Pixel & Co\\nIBAN GB00 0000',
      CLIENTS_FILE: './clients.yml',
      PUBLIC_URL: 'https://duebot.example.com',
      EMAIL_REPLY_TO: 'accounts@pixel.example',
      JOBS_PROCESS_EVERY: '2 minutes',
      JOBS_LOCK_LIFETIME: '10 seconds',
      DATABASE_URL: 'postgres://u@h/db',
    });
    expect(config).toMatchObject({
      port: 8080,
      logLevel: 'debug',
      database: { url: 'postgres://u@h/db', dataDir: '/var/lib/duebot' },
      slack: { apiUrl: 'http://127.0.0.1:4030/api/' },
      stripe: { apiUrl: 'http://127.0.0.1:12111' },
      asana: { apiUrl: 'http://127.0.0.1:4040/api/1.0', ownerAssignee: 'owner@agency.example' },
      email: { replyTo: 'accounts@pixel.example' },
      business: { timezone: 'Europe/Berlin', invoiceNumberPrefix: 'PX-' },
      payInstructions: 'Bank transfer to Pixel & Co\nIBAN GB00 0000',
      clientsFile: './clients.yml',
      publicUrl: 'https://duebot.example.com',
      jobs: { processEveryMs: 120_000, lockLifetimeMs: 10_000 },
    });
    expect(loadConfig({ ...valid, SLACK_API_URL: 'http://127.0.0.1:4030/api/' }).slack.apiUrl).toBe('http://127.0.0.1:4030/api/');
  });

  test('an empty environment names every required variable on its own line', () => {
    const err = errorOf({});
    expect(err.problems).toEqual([
      'SLACK_BOT_TOKEN: is required',
      'SLACK_SIGNING_SECRET: is required (or set SLACK_APP_TOKEN to use Socket Mode)',
      'BILLING_CHANNEL_ID: is required',
      'OWNER_SLACK_USER_ID: is required',
      'APPROVER_SLACK_USER_IDS: is required',
      'STRIPE_SECRET_KEY: is required (or set QUICKBOOKS_CLIENT_ID/SECRET or FRESHBOOKS_CLIENT_ID/SECRET): configure at least one invoicing back-end',
      'ASANA_ACCESS_TOKEN: is required (no project tool is configured: set ASANA_ACCESS_TOKEN, CLICKUP_API_TOKEN, TRELLO_API_KEY, MONDAY_API_TOKEN or GENERIC_WEBHOOK_SECRET)',
      'SMTP_URL: is required',
      'EMAIL_FROM: is required',
      'BUSINESS_NAME: is required',
    ]);
    expect(err.message).toBe(err.problems.join('\n'));
  });

  test('blank and whitespace-only values count as unset', () => {
    expect(problemsOf({ ...valid, BUSINESS_NAME: '   ', PORT: '', LOG_LEVEL: ' ' })).toEqual(['BUSINESS_NAME: is required']);
    expect(loadConfig({ ...valid, PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, database: { url: null } });
  });

  test('invalid values are named with what is wrong, and secrets never appear', () => {
    const problems = problemsOf({
      ...valid,
      PORT: '99999',
      BUSINESS_TIMEZONE: 'Mars/Olympus',
      SLACK_BOT_TOKEN: 'xoxp-Sekr1tUSER',
      JOBS_PROCESS_EVERY: 'often',
      STRIPE_WEBHOOK_SECRET: 'Sekr1tNOPREFIX',
      APPROVER_SLACK_USER_IDS: 'dana',
      SMTP_URL: 'http://Sekr1t@x',
      EMAIL_FROM: 'nobody',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'SLACK_BOT_TOKEN',
      'APPROVER_SLACK_USER_IDS',
      'STRIPE_WEBHOOK_SECRET',
      'SMTP_URL',
      'EMAIL_FROM',
      'BUSINESS_TIMEZONE',
      'JOBS_PROCESS_EVERY',
    ]);
    expect(problems.join('\n')).not.toMatch(/Sekr1t/);
    expect(problems.find((p) => p.startsWith('BUSINESS_TIMEZONE'))).toMatch(/IANA/);
    expect(problems.find((p) => p.startsWith('SLACK_BOT_TOKEN'))).toMatch(/xoxb-/);
  });

  test.each([
    ['PORT', '0x10', /port number/],
    ['PORT', '1e3', /port number/],
    ['PORT', '-1', /port number/],
    ['PORT', '65536', /port number/],
    ['LOG_LEVEL', 'verbose', /trace, debug, info/],
    ['DATABASE_URL', 'mysql://root:pw@db/duebot', /postgres/],
    ['SLACK_APP_TOKEN', 'xoxb-not-an-app-token', /xapp-/],
    ['SLACK_API_URL', 'not a url', /URL/],
    ['BILLING_CHANNEL_ID', '#billing', /channel id/],
    ['OWNER_SLACK_USER_ID', 'C0123ABCD', /user id/],
    ['APPROVER_SLACK_USER_IDS', ' , ', /user ids/],
    ['APPROVER_SLACK_USER_IDS', 'U0AAA1,dana', /user ids/],
    ['STRIPE_SECRET_KEY', 'pk_test_publishable', /sk_ or rk_/],
    ['STRIPE_API_URL', 'ftp://stripe.example', /http/],
    ['OWNER_ASANA_ASSIGNEE', 'Dana Smith', /gid|email/],
    ['SMTP_URL', 'mail.example.com:587', /smtp/],
    ['EMAIL_REPLY_TO', 'accounts@', /email address/],
    ['BUSINESS_TIMEZONE', 'GMT+25', /IANA/],
    ['JOBS_PROCESS_EVERY', '50 ms', /at least 100 ms/],
    ['JOBS_PROCESS_EVERY', '30 days', /interval like/],
    ['JOBS_PROCESS_EVERY', '1000 hours', /at most 24 days/],
    ['PUBLIC_URL', 'duebot.example.com', /URL/],
  ])('%s=%j is refused on one line', (name, value, reason) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toMatch(reason);
  });

  test('accepted forms of ports, intervals, senders and assignees', () => {
    expect(loadConfig({ ...valid, PORT: '0' }).port).toBe(0);
    expect(loadConfig({ ...valid, JOBS_PROCESS_EVERY: '100' }).jobs.processEveryMs).toBe(100);
    expect(loadConfig({ ...valid, JOBS_PROCESS_EVERY: '1 hour' }).jobs.processEveryMs).toBe(3_600_000);
    expect(loadConfig({ ...valid, JOBS_LOCK_LIFETIME: '3 s' }).jobs.lockLifetimeMs).toBe(3000);
    expect(errorOf({ ...valid, JOBS_LOCK_LIFETIME: '2 s' }).problems).toEqual(['JOBS_LOCK_LIFETIME: must be at least 3 seconds']);
    expect(loadConfig({ ...valid, EMAIL_FROM: 'billing@pixel.example' }).email.from).toBe('billing@pixel.example');
    expect(loadConfig({ ...valid, OWNER_ASANA_ASSIGNEE: '1200000000000001' }).asana.ownerAssignee).toBe('1200000000000001');
    expect(loadConfig({ ...valid, DATABASE_URL: 'postgresql://u:p@h:5432/db' }).database.url).toBe('postgresql://u:p@h:5432/db');
    expect(loadConfig({ ...valid, BILLING_CHANNEL_ID: 'G0PRIVATE1', STRIPE_SECRET_KEY: 'rk_live_x' }).slack.billingChannelId).toBe('G0PRIVATE1');
  });

  test('Socket Mode makes the signing secret optional', () => {
    const { SLACK_SIGNING_SECRET: _omit, ...rest } = valid;
    expect(problemsOf(rest)).toEqual(['SLACK_SIGNING_SECRET: is required (or set SLACK_APP_TOKEN to use Socket Mode)']);
    expect(loadConfig({ ...rest, SLACK_APP_TOKEN: 'xapp-1-A' }).slack).toMatchObject({ appToken: 'xapp-1-A', signingSecret: null });
  });

  test('no secret value ever reaches an error message', () => {
    const marker = 'Zq9SECRETzq9';
    const err = errorOf({
      ...valid,
      SLACK_BOT_TOKEN: `bad-${marker}`,
      SLACK_SIGNING_SECRET: marker,
      SLACK_APP_TOKEN: `xoxb-${marker}`,
      STRIPE_SECRET_KEY: `pk_${marker}`,
      STRIPE_WEBHOOK_SECRET: `wh_${marker}`,
      ASANA_ACCESS_TOKEN: marker,
      SMTP_URL: `http://user:${marker}@mail.example.com`,
      DATABASE_URL: `mysql://user:${marker}@db/duebot`,
      BUSINESS_NAME: '',
    });
    expect(err.problems.map((p) => p.split(':')[0])).toEqual([
      'DATABASE_URL',
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'SMTP_URL',
      'BUSINESS_NAME',
    ]);
    expect(err.message).not.toContain(marker);
  });

  test('.env.example documents every variable, each with a comment, and its placeholders load', () => {
    const text = readFileSync('.env.example', 'utf8');
    const env = readDotEnv('.env.example');
    const lines = text.split('\n');
    expect(lines.flatMap((l) => /^([A-Z_][A-Z0-9_]*)=/.exec(l)?.[1] ?? [])).toEqual([...CONFIG_VARIABLES]);
    expect(Object.keys(env).sort()).toEqual([...CONFIG_VARIABLES].sort());
    for (const name of CONFIG_VARIABLES) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect([name, lines[at - 1]?.startsWith('#')]).toEqual([name, true]);
    }
    expect(loadConfig(env)).toMatchObject({ slack: { billingChannelId: env.BILLING_CHANNEL_ID }, jobs: { processEveryMs: 30_000 } });
  });

  test('.env.example also reads the same when a shell sources it (values with spaces are quoted)', () => {
    const script = `set -a; . ./.env.example; set +a; for n in ${CONFIG_VARIABLES.join(' ')}; do printf '%s=%s\\0' "$n" "\${!n-}"; done`;
    const sourced = execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const shell = Object.fromEntries(
      sourced
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(shell).toEqual(readDotEnv('.env.example'));
  });

  test('METRICS_TOKEN: 16 characters at least, kept as given', () => {
    expect(problemsOf({ ...valid, METRICS_TOKEN: 'short' })).toEqual(['METRICS_TOKEN: must be at least 16 characters']);
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'metrics-token-0123456789' }).metricsToken).toBe('metrics-token-0123456789');
  });

  test('project tools: each is on only with all its credentials, and at least one must be configured', () => {
    const { ASANA_ACCESS_TOKEN: _asana, ...noAsana } = valid;
    expect(problemsOf(noAsana)).toEqual([expect.stringMatching(/^ASANA_ACCESS_TOKEN: is required \(no project tool is configured/)]);
    expect(problemsOf({ ...noAsana, CLICKUP_API_TOKEN: 'pk_1' })).toEqual(['CLICKUP_WEBHOOK_SECRET: is required when CLICKUP_API_TOKEN is set']);
    expect(problemsOf({ ...noAsana, TRELLO_API_KEY: 'k', TRELLO_TOKEN: 't' })).toEqual(['TRELLO_APP_SECRET: is required when TRELLO_API_KEY and TRELLO_TOKEN are set']);
    expect(problemsOf({ ...noAsana, TRELLO_API_KEY: 'k', TRELLO_TOKEN: 't', TRELLO_APP_SECRET: 's' })).toEqual([expect.stringMatching(/^TRELLO_CALLBACK_URL: is required/)]);
    expect(problemsOf({ ...noAsana, MONDAY_SIGNING_SECRET: 's' })).toEqual(['MONDAY_API_TOKEN: is required when MONDAY_SIGNING_SECRET is set']);
    expect(problemsOf({ ...noAsana, GENERIC_WEBHOOK_SECRET: 'short' })).toEqual([expect.stringMatching(/^GENERIC_WEBHOOK_SECRET: must be at least 16/)]);

    const config = loadConfig({
      ...noAsana,
      PUBLIC_URL: 'https://duebot.example.com/',
      CLICKUP_API_TOKEN: 'pk_1',
      CLICKUP_WEBHOOK_SECRET: 'cs',
      CLICKUP_OWNER_ASSIGNEE: '183',
      TRELLO_API_KEY: 'k',
      TRELLO_TOKEN: 't',
      TRELLO_APP_SECRET: 's',
      TRELLO_DONE_LIST_IDS: ' a1, b2 ',
      MONDAY_API_TOKEN: 'm',
      MONDAY_SIGNING_SECRET: 'ms',
      GENERIC_WEBHOOK_SECRET: '0123456789abcdef',
    });
    expect(config).toMatchObject({
      asana: { accessToken: null },
      clickup: { apiToken: 'pk_1', webhookSecret: 'cs', apiUrl: null, ownerAssignee: '183' },
      trello: { callbackUrl: 'https://duebot.example.com/webhooks/trello', doneListIds: ['a1', 'b2'], ownerMemberId: null },
      monday: { doneLabel: 'Done', audience: 'https://duebot.example.com/webhooks/monday', ownerUserId: null },
      generic: { secret: '0123456789abcdef' },
    });
    expect(loadConfig({ ...valid, TRELLO_API_KEY: 'k', TRELLO_TOKEN: 't', TRELLO_APP_SECRET: 's', TRELLO_CALLBACK_URL: 'https://x.example/hook?t=1' }).trello?.callbackUrl).toBe(
      'https://x.example/hook?t=1',
    );
    expect(problemsOf({ ...valid, CLICKUP_OWNER_ASSIGNEE: 'dana', TRELLO_OWNER_MEMBER_ID: 'jdoe', MONDAY_OWNER_USER_ID: 'x' }).map((p) => p.split(':')[0])).toEqual([
      'CLICKUP_OWNER_ASSIGNEE',
      'TRELLO_OWNER_MEMBER_ID',
      'MONDAY_OWNER_USER_ID',
    ]);
  });

  test('inbound email settings: both optional, basic auth must be user:password', () => {
    expect(loadConfig({ ...valid, MAILGUN_SIGNING_KEY: 'key-1', INBOUND_EMAIL_BASIC_AUTH: 'mail:s3cr:et' }).inboundEmail).toEqual({
      mailgunSigningKey: 'key-1',
      basicAuth: 'mail:s3cr:et',
    });
    const err = (() => {
      try {
        loadConfig({ ...valid, INBOUND_EMAIL_BASIC_AUTH: 'nocolon' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems).toEqual(['INBOUND_EMAIL_BASIC_AUTH: must be user:password']);
  });

  test('SENDGRID_WEBHOOK_PUBLIC_KEY: optional, must be an EC public key (base64 DER as SendGrid shows it, or PEM)', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(loadConfig(valid).sendgridWebhookPublicKey).toBeNull();
    expect(loadConfig({ ...valid, SENDGRID_WEBHOOK_PUBLIC_KEY: der }).sendgridWebhookPublicKey?.asymmetricKeyType).toBe('ec');
    expect(loadConfig({ ...valid, SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ format: 'pem', type: 'spki' }).toString() }).sendgridWebhookPublicKey?.asymmetricKeyType).toBe(
      'ec',
    );
    expect(problemsOf({ ...valid, SENDGRID_WEBHOOK_PUBLIC_KEY: 'bm90IGEga2V5' })).toEqual([
      expect.stringMatching(/^SENDGRID_WEBHOOK_PUBLIC_KEY: must be the base64 verification key/),
    ]);
  });

  test('DKIM: domain, selector and key together (inline PEM with \\n, or a file), the key an RSA or Ed25519 private key', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'duebot-dkim-'));
    writeFileSync(join(dir, 'dkim.pem'), pem);
    expect(loadConfig(valid).dkim).toBeNull();
    expect(loadConfig({ ...valid, DKIM_DOMAIN: 'Pixelco.example', DKIM_SELECTOR: 'duebot', DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }).dkim).toEqual({
      domainName: 'pixelco.example',
      keySelector: 'duebot',
      privateKey: pem,
    });
    expect(loadConfig({ ...valid, DKIM_DOMAIN: 'pixelco.example', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: join(dir, 'dkim.pem') }).dkim?.privateKey).toBe(pem);
    expect(problemsOf({ ...valid, DKIM_DOMAIN: 'pixelco.example' })).toEqual([
      'DKIM_SELECTOR: is required to sign outgoing mail with DKIM (the other DKIM_ settings are set)',
      'DKIM_PRIVATE_KEY: is required to sign outgoing mail with DKIM (or DKIM_PRIVATE_KEY_FILE)',
    ]);
    expect(problemsOf({ ...valid, DKIM_DOMAIN: 'pixelco.example', DKIM_SELECTOR: 'duebot', DKIM_PRIVATE_KEY: 'not a key' })).toEqual([
      'DKIM_PRIVATE_KEY: must be an RSA (or Ed25519) private key in PEM format',
    ]);
    expect(problemsOf({ ...valid, DKIM_DOMAIN: 'pixelco.example', DKIM_SELECTOR: 'duebot', DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem') })).toEqual([
      'DKIM_PRIVATE_KEY_FILE: cannot be read (ENOENT)',
    ]);
    expect(problemsOf({ ...valid, DKIM_DOMAIN: 'not a domain', DKIM_SELECTOR: 'duebot', DKIM_PRIVATE_KEY: pem })).toEqual([
      expect.stringMatching(/^DKIM_DOMAIN: must be a domain/),
    ]);
    // The key never appears in a problem.
    expect(problemsOf({ ...valid, DKIM_DOMAIN: 'x', DKIM_SELECTOR: 'duebot', DKIM_PRIVATE_KEY: pem }).join('\n')).not.toContain('PRIVATE KEY-----');
  });

  test('PAY_INSTRUCTIONS: optional text up to 1000 characters, \\n starting a new line', () => {
    expect(loadConfig(valid).payInstructions).toBeNull();
    expect(loadConfig({ ...valid, PAY_INSTRUCTIONS: '  Pay by check  ' }).payInstructions).toBe('Pay by check');
    expect(problemsOf({ ...valid, PAY_INSTRUCTIONS: 'x'.repeat(1001) })).toEqual(['PAY_INSTRUCTIONS: must be at most 1000 characters']);
  });

  test('PROMISE_MAX_DAYS: whole days 1..3650, 60 when unset', () => {
    expect(loadConfig(valid).promiseMaxDays).toBe(60);
    expect(loadConfig({ ...valid, PROMISE_MAX_DAYS: ' 90 ' }).promiseMaxDays).toBe(90);
    for (const bad of ['0', '-5', '1.5', 'two months', '99999'])
      expect(problemsOf({ ...valid, PROMISE_MAX_DAYS: bad })).toEqual(['PROMISE_MAX_DAYS: must be a number of days (1..3650)']);
  });

  test('TODAYS_SENDS_AT: a time of day (08:30 when unset) or off', () => {
    expect(loadConfig({ ...valid, TODAYS_SENDS_AT: ' 7:15 ' }).todaysSendsAt).toBe('07:15');
    expect(loadConfig({ ...valid, TODAYS_SENDS_AT: 'OFF' }).todaysSendsAt).toBeNull();
  });

  test('TRUST_PROXY: a hop count or the proxies\' addresses, never "all"', () => {
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: ' Loopback, 10.0.0.0/8 , ::1 ' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
    for (const bad of ['true', 'all', '0', '11', '10.0.0.0/33', '10.0.0.0/8/1', 'proxy.example', '1,2'])
      expect(problemsOf({ ...valid, TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY: must be a number of proxy hops/)]);
  });

  test('FORECAST_MILESTONES_CACHE: an interval (a minute when unset) or off', () => {
    expect(loadConfig(valid).forecastMilestonesCacheMs).toBe(60_000);
    expect(loadConfig({ ...valid, FORECAST_MILESTONES_CACHE: '5 minutes' }).forecastMilestonesCacheMs).toBe(300_000);
    expect(loadConfig({ ...valid, FORECAST_MILESTONES_CACHE: 'Off' }).forecastMilestonesCacheMs).toBe(0);
    expect(problemsOf({ ...valid, FORECAST_MILESTONES_CACHE: 'sometimes' })).toEqual([
      'FORECAST_MILESTONES_CACHE: must be an interval like "30 seconds", "2 minutes", "500 ms" or a number of milliseconds, or off',
    ]);
    for (const bad of ['25:00', 'morning', '8.30'])
      expect(problemsOf({ ...valid, TODAYS_SENDS_AT: bad })).toEqual(['TODAYS_SENDS_AT: must be a time of day such as 08:30, or off']);
  });

  test('INVOICE_AMOUNT_CEILING: a whole amount above zero (default 1000000), at most 12 digits', () => {
    expect(loadConfig({ ...valid, INVOICE_AMOUNT_CEILING: '250,000' }).invoiceAmountCeiling).toBe('250000');
    for (const bad of ['0', '1000.50', '-5', 'lots', '1000000000000']) {
      expect(problemsOf({ ...valid, INVOICE_AMOUNT_CEILING: bad })).toEqual([expect.stringMatching(/^INVOICE_AMOUNT_CEILING: must be a whole amount above zero/)]);
    }
  });

  test('intervals', () => {
    expect(parseInterval('30 seconds')).toBe(30_000);
    expect(parseInterval('1 second')).toBe(1000);
    expect(parseInterval('500 ms')).toBe(500);
    expect(parseInterval('250 milliseconds')).toBe(250);
    expect(parseInterval('1500')).toBe(1500);
    expect(parseInterval('1 hour')).toBe(3_600_000);
    expect(parseInterval('2 hours')).toBe(7_200_000);
    expect(parseInterval('2 min')).toBe(120_000);
    expect(parseInterval('3 minutes')).toBe(180_000);
    expect(parseInterval('soon')).toBeNull();
    expect(parseInterval('5 days')).toBeNull();
  });
});

describe('invoicing back-ends', () => {
  const { STRIPE_SECRET_KEY: _k, STRIPE_WEBHOOK_SECRET: _w, ...noStripe } = valid;
  const key = Buffer.alloc(32, 7);
  const qbo = { QUICKBOOKS_CLIENT_ID: 'ABqbo', QUICKBOOKS_CLIENT_SECRET: 'SECRETQBO' };
  const fb = { FRESHBOOKS_CLIENT_ID: 'fbid', FRESHBOOKS_CLIENT_SECRET: 'SECRETFB' };

  test('QuickBooks or FreshBooks alone is enough, with ENCRYPTION_KEY as hex or base64', () => {
    const config = loadConfig({
      ...noStripe,
      ...qbo,
      ...fb,
      ENCRYPTION_KEY: key.toString('base64'),
      QUICKBOOKS_SANDBOX: 'true',
      QUICKBOOKS_API_URL: 'http://127.0.0.1:4010',
      FRESHBOOKS_WEBHOOK_VERIFIER: 'v',
      PAYMENT_POLL_EVERY: '5 minutes',
    });
    expect(config).toMatchObject({
      stripe: null,
      encryptionKey: key,
      quickbooks: { clientId: 'ABqbo', clientSecret: 'SECRETQBO', sandbox: true, apiUrl: 'http://127.0.0.1:4010', webhookVerifier: null, tokenUrl: null },
      freshbooks: { clientId: 'fbid', clientSecret: 'SECRETFB', webhookVerifier: 'v', apiUrl: null },
      payments: { pollEveryMs: 300_000 },
    });
    expect(loadConfig({ ...noStripe, ...fb, ENCRYPTION_KEY: key.toString('hex') }).encryptionKey).toEqual(key);
  });

  test('half pairs, a missing or bad ENCRYPTION_KEY each get one line, without the values', () => {
    expect(problemsOf({ ...valid, STRIPE_WEBHOOK_SECRET: '' })).toEqual(['STRIPE_WEBHOOK_SECRET: is required to use Stripe (STRIPE_SECRET_KEY is set)']);
    expect(problemsOf({ ...noStripe, ...qbo })).toEqual(['ENCRYPTION_KEY: is required to store OAuth tokens (32 bytes, e.g. `openssl rand -base64 32`)']);
    expect(problemsOf({ ...noStripe, FRESHBOOKS_CLIENT_ID: 'x', ENCRYPTION_KEY: key.toString('hex') })).toEqual([
      'FRESHBOOKS_CLIENT_SECRET: is required to use FreshBooks (FRESHBOOKS_CLIENT_ID is set)',
    ]);
    expect(problemsOf({ ...noStripe, WAVE_CLIENT_ID: 'w', WAVE_CLIENT_SECRET: 'SECRETWAVE' })).toEqual([
      'ENCRYPTION_KEY: is required to store OAuth tokens (32 bytes, e.g. `openssl rand -base64 32`)',
    ]);
    expect(problemsOf({ ...noStripe, WAVE_CLIENT_SECRET: 'SECRETWAVE', ENCRYPTION_KEY: key.toString('hex') })).toEqual([
      'WAVE_CLIENT_ID: is required to use Wave (WAVE_CLIENT_SECRET is set)',
    ]);
    expect(loadConfig({ ...noStripe, WAVE_CLIENT_ID: 'w', WAVE_CLIENT_SECRET: 'SECRETWAVE', ENCRYPTION_KEY: key.toString('hex') }).wave).toEqual({
      clientId: 'w',
      clientSecret: 'SECRETWAVE',
      apiUrl: null,
      authorizeUrl: null,
      tokenUrl: null,
      productName: null,
    });
    const bad = problemsOf({ ...valid, ENCRYPTION_KEY: 'Sekr1tTooShort' });
    expect(bad).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: must be 32 bytes/)]);
    expect(bad.join()).not.toContain('Sekr1t');
  });
});

describe('weekly forecast settings', () => {
  test('FORECAST_CHANNEL_ID and OWNER_EMAIL are optional, checked when set', () => {
    expect(loadConfig({ ...valid, FORECAST_CHANNEL_ID: 'C0FORECAST', OWNER_EMAIL: 'owner@pixel.example' }).weekly).toEqual({
      forecastChannelId: 'C0FORECAST',
      ownerEmail: 'owner@pixel.example',
    });
    expect(problemsOf({ ...valid, FORECAST_CHANNEL_ID: '#forecast', OWNER_EMAIL: 'owner' }).map((p) => p.split(':')[0])).toEqual(['FORECAST_CHANNEL_ID', 'OWNER_EMAIL']);
  });
});

describe('inbox retry settings', () => {
  test('default to 1 minute doubling up to 6 hours, for 3 days; the first delay may not exceed the cap', () => {
    expect(loadConfig(valid).inboxRetry).toEqual({ firstMs: 60_000, maxDelayMs: 6 * 3_600_000, giveUpAfterMs: 72 * 3_600_000 });
    expect(loadConfig({ ...valid, INBOX_RETRY_FIRST: '30 seconds', INBOX_RETRY_MAX_DELAY: '2 hours', INBOX_GIVE_UP_AFTER: '168 hours' }).inboxRetry).toEqual({
      firstMs: 30_000,
      maxDelayMs: 7_200_000,
      giveUpAfterMs: 168 * 3_600_000,
    });
    expect(problemsOf({ ...valid, INBOX_RETRY_FIRST: '2 hours', INBOX_RETRY_MAX_DELAY: '1 hour' })).toEqual(['INBOX_RETRY_FIRST: must be at most INBOX_RETRY_MAX_DELAY']);
    expect(problemsOf({ ...valid, INBOX_GIVE_UP_AFTER: 'forever' })).toEqual([expect.stringMatching(/^INBOX_GIVE_UP_AFTER: must be an interval/)]);
  });
});

describe('tax service settings', () => {
  const base = { TAX_FROM_STATE: 'NY', TAX_FROM_ZIP: '10118' };
  test('off unless TAX_SERVICE is set; each service needs its credentials and the from-address', () => {
    expect(loadConfig({ ...valid, TAXJAR_API_KEY: 'ignored' }).tax).toBeNull();
    // In the order of .env.example.
    expect(problemsOf({ ...valid, TAX_SERVICE: 'taxjar' })).toEqual([
      'TAXJAR_API_KEY: is required with TAX_SERVICE=taxjar (TaxJar → Account → SmartCalcs API)',
      'TAX_FROM_STATE: is required with TAX_SERVICE=taxjar (the state you sell from, e.g. NY)',
      'TAX_FROM_ZIP: is required with TAX_SERVICE=taxjar (the ZIP code you sell from)',
    ]);
    expect(problemsOf({ ...valid, ...base, TAX_SERVICE: 'avalara', AVALARA_ACCOUNT_ID: '1100' })).toEqual(['AVALARA_LICENSE_KEY: is required with TAX_SERVICE=avalara']);
    expect(problemsOf({ ...valid, ...base, TAX_FROM_ZIP: '9', TAX_SERVICE: 'taxjar', TAXJAR_API_KEY: 'k' })).toEqual([expect.stringMatching(/^TAX_FROM_ZIP: .*not a US ZIP/)]);
    expect(problemsOf({ ...valid, ...base, TAX_SERVICE: 'taxjar', TAXJAR_API_KEY: 'k', TAX_NEXUS_STATES: 'CA,XX' })).toEqual([expect.stringMatching(/^TAX_NEXUS_STATES: "XX"/)]);
    expect(problemsOf({ ...valid, TAX_SERVICE: 'vertex' })).toEqual(['TAX_SERVICE: must be taxjar or avalara (or empty for none)']);
  });

  test('a complete setting', () => {
    expect(loadConfig({ ...valid, ...base, TAX_SERVICE: 'avalara', AVALARA_ACCOUNT_ID: '1100', AVALARA_LICENSE_KEY: 'KEY', AVALARA_API_URL: 'http://127.0.0.1:4060' }).tax).toEqual(
      {
        service: 'avalara',
        origin: { from: { line1: null, city: null, region: 'NY', postalCode: '10118', country: 'US' }, nexusStates: [] },
        taxjar: null,
        avalara: { accountId: '1100', licenseKey: 'KEY', companyCode: 'DEFAULT', environment: 'http://127.0.0.1:4060', taxCode: null },
      },
    );
    expect(loadConfig({ ...valid, ...base, TAX_SERVICE: 'taxjar', TAXJAR_API_KEY: 'k', TAX_NEXUS_STATES: 'ca, wa' }).tax).toMatchObject({
      service: 'taxjar',
      origin: { nexusStates: ['CA', 'WA'] },
      taxjar: { apiKey: 'k', apiUrl: null },
    });
  });
});

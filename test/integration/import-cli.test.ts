import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImportCli } from '../../scripts/import.js';
import { openDatabase } from '../../src/store/db.js';
import { localTime } from '../../src/domain/calendar.js';
import { createTestDatabaseUrl } from '../support/database.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';

const SMALL = new URL('../fixtures/forecast/small.csv', import.meta.url).pathname;
let env: Record<string, string>;
let stripe: FakeStripe;
let dir: string;
let database: Awaited<ReturnType<typeof createTestDatabaseUrl>>;

beforeAll(async () => {
  stripe = await startFakeStripe();
  dir = await mkdtemp(join(tmpdir(), 'duebot-import-'));
  database = await createTestDatabaseUrl();
  await writeFile(join(dir, 'clients.yml'), 'clients:\n  - id: acme\n    name: Acme\n    emails: ap@acme.example\n    currency: USD\n    asanaProjects: ["1200"]\n');
  env = {
    DATA_DIR: join(dir, 'data'),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'signing-secret',
    BILLING_CHANNEL_ID: 'C0123ABCD',
    OWNER_SLACK_USER_ID: 'U0123ABCD',
    APPROVER_SLACK_USER_IDS: 'U0123ABCD',
    STRIPE_SECRET_KEY: 'sk_test_import',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    ASANA_ACCESS_TOKEN: 'asana-token',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    EMAIL_FROM: 'Billing <billing@pixelco.example>',
    BUSINESS_NAME: 'Pixel & Co',
    BUSINESS_TIMEZONE: 'UTC',
    CLIENTS_FILE: join(dir, 'clients.yml'),
  };
});
afterAll(async () => {
  await stripe.close();
  await database.drop();
});

async function countImported(): Promise<{ client_id: string; n: number }[]> {
  const db = await openDatabase({ url: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
  try {
    const { rows } = await db.pool.query<{ client_id: string; n: number }>(
      "SELECT client_id, count(*)::int AS n FROM invoices WHERE source = 'import' GROUP BY client_id ORDER BY client_id",
    );
    return rows;
  } finally {
    await db.close();
  }
}

describe('npm run import', () => {
  test('--csv imports the file with the clients file loaded first (Acme is matched, the rest kept under imported clients)', async () => {
    const report = await runImportCli(['--csv', SMALL], env);
    expect(report).toMatchObject({ origin: 'csv', read: 16, imported: 16, skipped: [], newClients: ['Bolt', 'Cafe', 'Dyno'] });
    expect(await countImported()).toEqual([
      { client_id: 'acme', n: 9 },
      { client_id: 'imported-bolt', n: 2 },
      { client_id: 'imported-cafe', n: 4 },
      { client_id: 'imported-dyno', n: 1 },
    ]);
    expect(await runImportCli(['--csv', SMALL], env)).toMatchObject({ imported: 0, unchanged: 16 });
  });

  test('--backend stripe --since reads the account from that date on', async () => {
    const at = (ymd: string) => Math.floor(localTime(ymd, 12, 'UTC').getTime() / 1000);
    stripe.seedInvoice({
      customerName: 'Acme',
      number: 'ST-1',
      currency: 'USD',
      total: 50000,
      created: at('2026-05-01'),
      dueDate: at('2026-05-31'),
      status: 'paid',
      paidAt: at('2026-06-02'),
    });
    stripe.seedInvoice({ customerName: 'Acme', number: 'ST-2', currency: 'USD', total: 50000, created: at('2026-07-01'), dueDate: at('2026-07-31'), status: 'open' });
    const report = await runImportCli(['--backend', 'stripe', '--since', '2026-06-01'], env);
    expect(report).toMatchObject({ origin: 'stripe', read: 1, imported: 1, skipped: [] });
  });

  test('bad input names what is wrong', async () => {
    await expect(runImportCli([], env)).rejects.toThrow(/^usage: npm run import/);
    await expect(runImportCli(['--csv', SMALL, '--backend', 'stripe'], env)).rejects.toThrow(/^usage/);
    await expect(runImportCli(['--backend', 'stripe', '--since', '2026-02-30'], env)).rejects.toThrow('--since "2026-02-30" is not a YYYY-MM-DD date');
    await expect(runImportCli(['--backend', 'quickbooks'], env)).rejects.toThrow('the back-end "quickbooks" is not configured (configured: stripe)');
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'customer,invoice_number,invoice_date,due_date,amount,currency,paid_date\nAcme,X-1,2026-01-01,2026-01-31,12.5.0,USD,\n');
    await expect(runImportCli(['--csv', bad], env)).rejects.toThrow(/^row 2, column amount: /);
    const { SLACK_BOT_TOKEN: _, ...noSlack } = env;
    await expect(runImportCli(['--csv', SMALL], noSlack)).rejects.toThrow();
  });
});

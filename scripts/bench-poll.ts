/**
 * `npm run bench:poll`: one payment-poll run over 2,500 open Stripe invoices, through the real Stripe
 * SDK against the local stand-in, and prints how long it took and how many requests it made: the open
 * invoices are listed 100 a page, and `BENCH_POLL_PAID` of them (default 25) drop out of that listing
 * (as paid ones do) and are read one by one. First with
 * the read pace lifted (what duebot itself costs: keyset pages, reads, comparisons), then, with
 * BENCH_POLL_PACED=1, at the production pace (POLL_LIMITS: 25 Stripe reads a second, about 100 s).
 *
 * DATABASE_URL set → a fresh database on that PostgreSQL server (dropped afterwards); unset → PGlite.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/log.js';
import { openDatabase } from '../src/store/db.js';
import { upsertClients } from '../src/store/clients.js';
import { createStripeBackend } from '../src/providers/invoicing/stripe.js';
import { POLL_LIMITS, pollOpenInvoices } from '../src/usecases/poll-payments.js';
import { DEFAULT_REMINDER_SCHEDULE } from '../src/domain/types.js';
import type { Services } from '../src/services.js';
import { startFakeStripe } from '../test/support/fake-stripe.js';
import { createScratchDatabase } from '../test/support/database.js';
import { insertOpenInvoices, seedOpenStripeInvoices } from '../test/support/open-invoices.js';

const COUNT = Number(process.env.BENCH_POLL_INVOICES ?? 2500);
const PAID = Number(process.env.BENCH_POLL_PAID ?? 25);
const now = new Date();

const target = await createScratchDatabase(process.env.DATABASE_URL ?? null, 'duebot_bench_poll');
const db = await openDatabase({ url: target.url, dataDir: 'memory://' });
const fake = await startFakeStripe();
try {
  const stripe = createStripeBackend({ secretKey: 'sk_test_bench', webhookSecret: fake.webhookSecret, apiUrl: fake.url });
  const ids = await seedOpenStripeInvoices(fake, stripe, COUNT);
  const template = fake.invoices.get(ids[0]!)!;
  // Out of the open listing, as paid ones would be, but with nothing to apply (applying posts to Slack).
  for (const id of ids.slice(1, 1 + PAID)) fake.invoices.set(id, { ...template, id, status: 'draft' });

  await upsertClients(
    db.pool,
    [
      {
        id: 'acme',
        name: 'Acme Ltd',
        emails: ['ap@acme.example'],
        currency: 'USD',
        paymentTermsDays: 7,
        provider: 'stripe',
        asanaProjectGids: [],
        reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
        finalMode: 'pause',
        autoSend: false,
      },
    ],
    now,
  );
  await insertOpenInvoices(db.pool, { clientId: 'acme', provider: 'stripe', count: COUNT, status: 'sent', providerIds: ids, now });
  const services = { db, clock: { now: () => new Date() }, backends: { stripe }, log: createLogger('silent') } as unknown as Services;

  const run = async (label: string, limits: typeof POLL_LIMITS) => {
    const reads = () => fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/invoices/')).length;
    const listPages = () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/invoices').length;
    const [before, pagesBefore] = [reads(), listPages()];
    const started = performance.now();
    const report = await pollOpenInvoices(services, { limits });
    const ms = performance.now() - started;
    console.log(
      `${label.padEnd(34)} ${COUNT} open invoices: ${(ms / 1000).toFixed(2)} s, ${listPages() - pagesBefore} list pages + ${reads() - before} single reads, checked ${report.checked.stripe ?? 0}, deferred ${report.deferred.stripe ?? 0}, failed ${report.failed} (${db.kind})`,
    );
  };
  await run('poll, pace lifted (10 at a time)', { stripe: { concurrency: 10, perWindow: 1_000_000, windowMs: 1000 } });
  if (process.env.BENCH_POLL_PACED === '1') await run('poll at the production pace', POLL_LIMITS);
} finally {
  await fake.close();
  await db.close();
  await target.drop();
}

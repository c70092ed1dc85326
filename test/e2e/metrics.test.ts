import express from 'express';
import type { AddressInfo } from 'node:net';
import { startHarness, HARNESS_METRICS_TOKEN, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { quickbooksEnv } from '../support/fake-quickbooks.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { countInbox } from '../../src/store/inbox.js';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Database } from '../../src/store/db.js';
import { lastSweepFinished, recordSweepFinished } from '../../src/store/sweep-heartbeat.js';
import { healthRouter } from '../../src/http/health.js';
import { Metrics } from '../../src/metrics.js';
import { parseMetrics as parse, total, type Sample } from '../support/prometheus-text.js';

/**
 * GET /metrics after a real lifecycle shows what happened; /readyz turns 503 on a late sweep, a broken
 * connection and an unreachable database; METRICS_TOKEN guards the scrape.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function scrape(bot: { url: string }, headers: Record<string, string> = { Authorization: `Bearer ${HARNESS_METRICS_TOKEN}` }): Promise<Sample[]> {
  const res = await fetch(`${bot.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parse(await res.text());
}

test('after draft → approve → send → reminder → payment, /metrics shows the numbers that happened', async () => {
  h = await startHarness();
  const harness = h;
  expect((await harness.completeMilestone({ gid: '8101', name: 'Milestone M - Metrics', amount: 1200 })).status).toBe(200);
  const draft = await harness.slack.waitFor(async () => findInvoiceBySource(harness.bot.services.db.pool, 'asana', '8101'));
  await harness.slack.waitFor(() => harness.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await harness.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await harness.waitForStatus(draft.id, 'sent');

  harness.advanceDays(7);
  await harness.smtp.waitFor((m) => /Reminder/i.test(m.subject) && m.subject.includes(sent.number));
  harness.advanceDays(2);
  harness.stripe.pay(sent.providerInvoiceId!);
  expect((await harness.deliverStripe('invoice.paid', sent.providerInvoiceId!)).status).toBe(200);
  await harness.waitForStatus(draft.id, 'paid');
  // Both webhooks (Asana, Stripe) stored and processed.
  await harness.slack.waitFor(async () => (await harness.bot.services.db.pool.query('SELECT 1 FROM inbox_events WHERE processed_at IS NULL')).rowCount === 0 || undefined);
  expect(await countInbox(harness.bot.services.db.pool)).toBe(2);

  const m = await scrape(harness.bot);
  // Emails: exactly what the SMTP server received, by kind; none failed.
  expect(harness.smtp.messages).toHaveLength(2);
  expect(total(m, 'duebot_emails_total', { kind: 'invoice', outcome: 'sent' })).toBe(1);
  expect(total(m, 'duebot_emails_total', { kind: 'reminder_friendly', outcome: 'sent' })).toBe(1);
  expect(total(m, 'duebot_emails_total', { outcome: 'sent' })).toBe(2);
  expect(total(m, 'duebot_emails_total', { outcome: 'failed' })).toBe(0);
  // One reminder, its lag observed once.
  expect(total(m, 'duebot_reminder_lag_seconds_count', { tone: 'friendly' })).toBe(1);
  // Invoices by state: one paid, every other state present at 0.
  expect(total(m, 'duebot_invoices', { state: 'paid' })).toBe(1);
  expect(
    m
      .filter((s) => s.name === 'duebot_invoices')
      .map((s) => s.labels.state)
      .sort(),
  ).toEqual(['approved', 'discarded', 'draft', 'paid', 'partially_paid', 'sent', 'uncollectible', 'void']);
  expect(total(m, 'duebot_invoices')).toBe(1);
  expect(total(m, 'duebot_inbox_backlog')).toBe(0);
  expect(total(m, 'duebot_inbox_dead_letters')).toBe(0);
  expect(total(m, 'duebot_database_up')).toBe(1);
  // Provider calls: Stripe's as many as the fake Stripe served, all ok; Asana read the task back.
  expect(total(m, 'duebot_provider_calls_total', { provider: 'stripe', status: 'ok' })).toBe(harness.stripe.requests.length);
  expect(total(m, 'duebot_provider_calls_total', { provider: 'stripe', operation: 'finalize invoice', status: 'ok' })).toBe(1);
  expect(total(m, 'duebot_provider_calls_total', { provider: 'stripe' })).toBe(total(m, 'duebot_provider_calls_total', { provider: 'stripe', status: 'ok' }));
  expect(total(m, 'duebot_provider_calls_total', { provider: 'asana', operation: 'GET', status: 'ok' })).toBeGreaterThan(0);
  expect(total(m, 'duebot_provider_call_duration_seconds_count', { provider: 'stripe' })).toBe(harness.stripe.requests.length);
  expect(total(m, 'duebot_rate_limit_waits_total')).toBe(0);
  expect(total(m, 'duebot_backend_connection_up', { provider: 'stripe' })).toBe(1);
  // The scheduler swept (and says when); the process metrics are there too.
  expect(total(m, 'duebot_sweep_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);
  expect(total(m, 'duebot_sweep_last_success_timestamp_seconds')).toBeGreaterThan(0);
  expect(m.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
}, 180_000); // a whole lifecycle: room for a loaded machine

test("each Metrics keeps its own registry: one bot's numbers never show in another's", async () => {
  h = await startHarness({ scheduler: false });
  const quiet = new Metrics({ defaultMetrics: false });
  const quietEmails = async () => total(parse(await quiet.render({ database: null })), 'duebot_emails_total');
  // Every kind and outcome is there from the start, at 0.
  const series = parse(await quiet.render({ database: null })).filter((s) => s.name === 'duebot_emails_total');
  expect(series).toHaveLength(16);
  expect(await quietEmails()).toBe(0);
  h.bot.services.metrics.emailSent('reply');
  expect(total(await scrape(h.bot), 'duebot_emails_total', { kind: 'reply' })).toBe(1);
  expect(await quietEmails()).toBe(0);
});

test('with METRICS_TOKEN set, /metrics wants it as a bearer token', async () => {
  const token = 'metrics-token-0123456789abcdef';
  h = await startHarness({ scheduler: false, env: { METRICS_TOKEN: token } });
  const refused: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: token }, { Authorization: `Basic ${token}` }];
  for (const headers of refused) {
    const res = await fetch(`${h.bot.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: expect.stringMatching(/METRICS_TOKEN/) });
    expect(body).not.toContain(token);
  }
  expect(total(await scrape(h.bot, { Authorization: `Bearer ${token}` }), 'duebot_database_up')).toBe(1);
  // The probes stay open.
  expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${h.bot.url}/readyz`)).status).toBe(200);
});

test('/readyz: 503 naming the sweep once it is 3 intervals late; /healthz stays 200', async () => {
  // One sweep an hour (real time), so none runs while the business clock is moved below.
  h = await startHarness({ processEvery: '1 hour' });
  const harness = h;
  // On PostgreSQL Agenda hears of the job at once (LISTEN/NOTIFY) and sweeps at start: the clock moves only
  // once that sweep is stamped, so none ends after a move. On PGlite the first scan is an hour away.
  if (harness.bot.services.db.kind === 'postgres') await harness.slack.waitFor(() => lastSweepFinished(harness.bot.services.db.pool));
  const ready = await fetch(`${h.bot.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, sweep: { ok: true }, connections: { ok: true } } });

  h.clock.advance(2 * 3600_000);
  expect((await fetch(`${h.bot.url}/readyz`)).status).toBe(200);
  h.clock.advance(1.5 * 3600_000);
  const late = await fetch(`${h.bot.url}/readyz`);
  expect(late.status).toBe(503);
  const body = (await late.json()) as { status: string; failed: string[]; checks: Record<string, { ok: boolean; reason?: string }> };
  expect(body.status).toBe('unready');
  expect(body.failed).toEqual(['sweep']);
  expect(body.checks.sweep!.reason).toMatch(/3 × JOBS_PROCESS_EVERY/);
  expect(body.checks.database).toEqual({ ok: true });

  // Another process's sweep counts: Agenda hands each sweep to one process, the database stamps it.
  const stamp = h.clock.now();
  await recordSweepFinished(h.bot.services.db.pool, stamp, 'duebot-other');
  expect((await fetch(`${h.bot.url}/readyz`)).status).toBe(200);
  expect(total(await scrape(h.bot), 'duebot_sweep_last_success_timestamp_seconds')).toBe(stamp.getTime() / 1000);
  h.clock.advance(3 * 3600_000 + 60_000);
  expect((await fetch(`${h.bot.url}/readyz`)).status).toBe(503);

  // Left out on request (a load balancer that must keep routing Slack to a bot whose sweep is late).
  expect((await fetch(`${h.bot.url}/readyz?exclude=sweep`)).status).toBe(200);
  expect((await fetch(`${h.bot.url}/readyz?exclude=sweep,nonsense`)).status).toBe(400);
  const health = await fetch(`${h.bot.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', database: { reachable: true }, scheduler: { running: true } });

  // A stopped scheduler is not ready either.
  await h.bot.scheduler!.stop();
  const stopped = (await (await fetch(`${h.bot.url}/readyz`)).json()) as { failed: string[]; checks: { sweep: { reason: string } } };
  expect(stopped.failed).toEqual(['sweep']);
  expect(stopped.checks.sweep.reason).toMatch(/stopped/);
});

test('/readyz: 503 naming the connection when an OAuth back-end is broken; /metrics shows it down', async () => {
  h = await startHarness({ scheduler: false, env: quickbooksEnv({ clientId: 'qb-client', clientSecret: 'qb-secret', verifier: 'qb-verifier', url: 'http://127.0.0.1:9' }) });
  const store = h.bot.services.oauth.connections!;
  expect((await fetch(`${h.bot.url}/readyz`)).status).toBe(200); // never connected is not broken
  expect(total(await scrape(h.bot), 'duebot_backend_connection_up', { provider: 'quickbooks' })).toBe(0);

  await store.saveTokens(
    'quickbooks',
    { accountId: 'realm-1', accessToken: 'secret-access-token', refreshToken: 'secret-refresh-token', expiresAt: new Date(h.clock.now().getTime() + 3600_000) },
    h.clock.now(),
    'Acme Books',
  );
  expect(total(await scrape(h.bot), 'duebot_backend_connection_up', { provider: 'quickbooks' })).toBe(1);
  expect(await store.markBroken('quickbooks', 'refresh token revoked', h.clock.now())).toBe(true);

  const res = await fetch(`${h.bot.url}/readyz`);
  expect(res.status).toBe(503);
  const text = await res.text();
  expect(JSON.parse(text)).toMatchObject({ status: 'unready', failed: ['connections'], checks: { connections: { ok: false, reason: expect.stringMatching(/quickbooks/) } } });
  expect(text).not.toMatch(/secret-|revoked/);
  expect(total(await scrape(h.bot), 'duebot_backend_connection_up', { provider: 'quickbooks' })).toBe(0);
  expect(total(await scrape(h.bot), 'duebot_backend_connection_up', { provider: 'stripe' })).toBe(1);
  expect((await fetch(`${h.bot.url}/readyz?exclude=connections`)).status).toBe(200);
});

test('/readyz: 503 naming the database when it does not answer; /metrics still answers with duebot_database_up 0', async () => {
  h = await startHarness({ scheduler: false });
  // The bot's routes over a PostgreSQL address nothing listens on (a port just given back).
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const pool = new pg.Pool({ host: '127.0.0.1', port: deadPort, user: 'postgres', database: 'postgres' });
  const gone: Database = { pool, kind: 'postgres', location: 'nowhere', close: () => pool.end() };
  const services = { ...h.bot.services, db: gone };
  const web = express().use(
    healthRouter({ services, metrics: new Metrics({ defaultMetrics: false }), scheduler: () => null, processEveryMs: 30_000, metricsToken: HARNESS_METRICS_TOKEN }),
  );
  const server = web.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unready', failed: ['database'], checks: { database: { ok: false, reason: 'the database does not answer' } } });
    const m = parse(await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${HARNESS_METRICS_TOKEN}` } })).text());
    expect(total(m, 'duebot_database_up')).toBe(0);
    expect(m.some((s) => s.name === 'duebot_inbox_backlog' || s.name === 'duebot_invoices')).toBe(false);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: { reachable: false } });
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await pool.end();
  }
});

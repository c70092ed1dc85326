import { createHash } from 'node:crypto';
import express from 'express';
import { parseExclude } from '../domain/readiness.js';
import type { Metrics } from '../metrics.js';
import type { Services } from '../services.js';
import { databaseAnswers, metricsSnapshot, readiness, type SchedulerState } from '../usecases/operational-state.js';
import { safeEqual } from './signatures.js';

export interface HealthSources {
  services: Services;
  metrics: Metrics;
  /** This process's scheduler; null when it runs none (or has not started it yet). */
  scheduler: () => SchedulerState | null;
  /** JOBS_PROCESS_EVERY: a sweep older than 3 of these makes the process unready. */
  processEveryMs: number;
  /** METRICS_TOKEN: when set, GET /metrics wants `Authorization: Bearer <it>`. */
  metricsToken: string | null;
}

/**
 * GET /healthz (liveness: the process answers; always 200, with the database and scheduler state for
 * people), GET /readyz (200 or 503 with the check that failed) and GET /metrics (Prometheus text).
 */
export function healthRouter(sources: HealthSources): express.Router {
  const { services } = sources;
  const router = express.Router();

  router.get('/healthz', async (_req, res) => {
    // Liveness only: a restart cures none of what /readyz checks, so nothing here fails the probe.
    const reachable = await databaseAnswers(services);
    const scheduler = sources.scheduler();
    res.status(200).json({
      status: 'ok',
      database: { kind: services.db.kind, reachable },
      scheduler: scheduler
        ? { running: scheduler.running, lastDueWorkAt: scheduler.lastDueWorkAt, lastError: scheduler.lastError }
        : { running: false, lastDueWorkAt: null, lastError: null },
    });
  });

  router.get('/readyz', async (req, res) => {
    const exclude = parseExclude(req.query.exclude);
    if (!exclude) {
      res.status(400).json({ error: 'exclude names checks to leave out: database, sweep, connections (comma-separated)' });
      return;
    }
    const result = await readiness(services, sources.scheduler(), sources.processEveryMs, exclude);
    const failed = Object.entries(result.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    res.status(result.ready ? 200 : 503).json({ status: result.ready ? 'ready' : 'unready', ...(failed.length ? { failed } : {}), checks: result.checks });
  });

  const expected = sources.metricsToken ? digest(`Bearer ${sources.metricsToken}`) : null;
  router.get('/metrics', async (req, res) => {
    // Every route is public: without a token the business's numbers are not served to anyone.
    if (!expected) {
      res.status(404).json({ error: 'GET /metrics is off: set METRICS_TOKEN to turn it on' });
      return;
    }
    // Hashed first so the comparison takes the same time whatever the length of what was sent.
    if (!safeEqual(digest(req.header('authorization') ?? ''), expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ error: 'GET /metrics wants Authorization: Bearer <METRICS_TOKEN>' });
      return;
    }
    const text = await sources.metrics.render(await metricsSnapshot(services));
    res.status(200).type(sources.metrics.contentType).send(text);
  });
  return router;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

import express from 'express';
import { ping, type Database } from '../store/db.js';

export interface HealthSources {
  db: Database;
  scheduler: () => { running: boolean; lastDueWorkAt: Date | null; lastError: string | null } | null;
}

/** GET /healthz: 200 with the database and scheduler state, 503 when the database is unreachable. */
export function healthRouter(sources: HealthSources): express.Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    const reachable = await ping(sources.db.pool);
    const scheduler = sources.scheduler();
    res.status(reachable ? 200 : 503).json({
      status: reachable ? 'ok' : 'unavailable',
      database: { kind: sources.db.kind, reachable },
      scheduler: scheduler ?? { running: false, lastDueWorkAt: null, lastError: null },
    });
  });
  return router;
}

import express, { type Request, type Response } from 'express';
import { localDate } from '../domain/calendar.js';
import { statementCsv } from '../domain/client-page.js';
import type { Services } from '../services.js';
import { clientForToken, clientPageFor } from '../usecases/client-page.js';
import { answerFailure, notFound } from './errors.js';
import { CLIENT_PAGE_CSP, clientPageHtml } from './client-page-html.js';

/** Misses allowed per address and window before it is told to slow down (a real client never misses). */
const GUESS_LIMIT = 30;
const GUESS_WINDOW_MS = 10 * 60 * 1000;

/**
 * GET /c/<token> (the client page) and GET /c/<token>/statement.csv. No login: the token is the key.
 * An unknown, malformed or revoked token gets the same 404 as any unknown path; an address that keeps
 * missing gets 429 for a while. Every answer is uncacheable, unframeable, unindexed and sends no referrer.
 */
export function clientPageRouter(services: Services): express.Router {
  const router = express.Router();
  const guesses = new GuessCounter(GUESS_LIMIT, GUESS_WINDOW_MS);

  router.use('/c', (_req, res, next) => {
    res.set({
      'Content-Security-Policy': CLIENT_PAGE_CSP,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'X-Robots-Tag': 'noindex, nofollow',
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    next();
  });

  /** The client the token opens, or null once the refusal is answered (429 for a guesser, else the plain 404). */
  const clientOrRefusal = async (req: Request, res: Response) => {
    const address = req.ip ?? '';
    if (guesses.blocked(address))
      return void res
        .status(429)
        .set('Retry-After', String(GUESS_WINDOW_MS / 1000))
        .json({ error: 'too many requests; try again later' });
    const client = await clientForToken(services, String(req.params.token));
    if (!client) {
      guesses.miss(address);
      notFound(req, res, () => undefined);
    }
    return client;
  };

  router.get('/c/:token', async (req, res) => {
    try {
      const client = await clientOrRefusal(req, res);
      if (!client) return;
      const page = await clientPageFor(services, client);
      // Relative, so a PUBLIC_URL with a path prefix works too; "/c/<token>/" (a trailing slash) is one level deeper.
      const statement = req.path.endsWith('/') ? 'statement.csv' : `${req.params.token}/statement.csv`;
      res.type('html').send(clientPageHtml(page, statement));
    } catch (err) {
      answerFailure(res, services.log, err, { route: 'GET /c/…' });
    }
  });

  router.get('/c/:token/statement.csv', async (req, res) => {
    try {
      const client = await clientOrRefusal(req, res);
      if (!client) return;
      const page = await clientPageFor(services, client);
      const today = localDate(services.clock.now(), services.settings.timezone);
      const name = `statement-${client.id.replace(/[^A-Za-z0-9_-]/g, '') || 'client'}-${today}.csv`;
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` });
      // The byte-order mark makes spreadsheet programs read the file as UTF-8 (umlauts, currency signs).
      res.send(`\ufeff${statementCsv(page)}`);
    } catch (err) {
      answerFailure(res, services.log, err, { route: 'GET /c/…/statement.csv' });
    }
  });
  return router;
}

/** Misses per address in fixed windows; the table is dropped whole when it grows large (a flood of addresses). */
export class GuessCounter {
  private readonly misses = new Map<string, { count: number; since: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(address: string): boolean {
    const entry = this.misses.get(address);
    if (entry && this.now() - entry.since >= this.windowMs) this.misses.delete(address);
    return (this.misses.get(address)?.count ?? 0) >= this.limit;
  }

  miss(address: string): void {
    if (this.misses.size >= 10_000) this.misses.clear();
    const entry = this.misses.get(address);
    if (entry && this.now() - entry.since < this.windowMs) entry.count += 1;
    else this.misses.set(address, { count: 1, since: this.now() });
  }
}

import express from 'express';
import { escapeHtml } from '../email/template-engine.js';
import type { Services } from '../services.js';
import { STATE_TTL_MS } from '../store/oauth-flow.js';
import { finishConsent, startConsent, type ConsentEnd } from '../usecases/connect-backend.js';
import { finishAccountChoice } from '../usecases/connect-account-choice.js';

/** The cookie that ties a consent to the browser that opened the approver's link. */
const BROWSER_COOKIE = 'duebot_oauth';

/**
 * The connect flow of the OAuth back-ends: `/oauth/<provider>/start?link=…` spends the one-time link an
 * approver was DMed, sets a browser cookie and redirects to the provider; `/oauth/<provider>/callback`
 * checks the state and that cookie, then connects (see src/usecases/connect-backend.ts). Answers JSON
 * on refusal; tokens never appear in responses or logs.
 */
export function oauthRouter(services: Services): express.Router {
  const router = express.Router();
  const secure = services.oauth.publicUrl.startsWith('https:');

  router.get('/oauth/:provider/start', async (req, res) => {
    const provider = req.params.provider;
    const link = typeof req.query.link === 'string' ? req.query.link : null;
    const started = await startConsent(services, provider, link);
    if (!started.ok) {
      return void res.status(started.status).json({ error: started.error });
    }
    res.cookie(BROWSER_COOKIE, started.browserNonce, { httpOnly: true, sameSite: 'lax', secure, path: `/oauth/${provider}`, maxAge: STATE_TTL_MS });
    res.redirect(302, started.redirectTo);
  });

  router.get('/oauth/:provider/callback', async (req, res) => {
    const provider = req.params.provider;
    const query = new URL(req.originalUrl, 'http://duebot').searchParams;
    const finished = await finishConsent(services, provider, query, cookieValue(req.headers.cookie, BROWSER_COOKIE));
    answer(res, provider, finished);
  });

  // The approver's pick when the consent reached several accounts (the cookie is still this browser's).
  router.post('/oauth/:provider/choose', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.length <= 512 ? v : null);
    const finished = await finishAccountChoice(services, req.params.provider, text(form.choice), text(form.account), cookieValue(req.headers.cookie, BROWSER_COOKIE));
    answer(res, req.params.provider, finished);
  });

  /** The browser page: done (cookie cleared), a choice of accounts (cookie kept for the pick), or a JSON refusal. */
  function answer(res: express.Response, provider: string, finished: ConsentEnd): void {
    if (!finished.ok) return void res.status(finished.status).json({ error: finished.error });
    const html = `<!doctype html><meta charset="utf-8"><title>duebot</title><p>${escapeHtml(finished.page)}</p>`;
    if (finished.choose) {
      const c = finished.choose;
      const buttons = c.options.map((o) => `<p><button type="submit" name="account" value="${escapeHtml(o.id)}">${escapeHtml(o.label)}</button></p>`).join('');
      return void res
        .status(200)
        .type('html')
        .send(`${html}<form method="post" action="${escapeHtml(c.action)}"><input type="hidden" name="choice" value="${escapeHtml(c.token)}">${buttons}</form>`);
    }
    res.clearCookie(BROWSER_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: `/oauth/${provider}` });
    res.status(200).type('html').send(html);
  }
  return router;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    // The nonce is base64url: nothing to decode.
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

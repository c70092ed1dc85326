import express from 'express';
import { escapeHtml } from '../email/template-engine.js';
import type { Services } from '../services.js';
import { STATE_TTL_MS } from '../store/oauth-flow.js';
import { finishConsent, startConsent, type ConsentEnd } from '../usecases/connect-backend.js';
import { finishAccountChoice } from '../usecases/connect-choice.js';

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
    answer(res, provider, await finishConsent(services, provider, query, cookieValue(req.headers.cookie, BROWSER_COOKIE)));
  });

  // The approver's pick among several accounts (a form on the callback's page, same browser cookie).
  router.post('/oauth/:provider/choose', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), async (req, res) => {
    const provider = req.params.provider;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
    answer(res, provider, await finishAccountChoice(services, provider, text('choice'), text('account'), cookieValue(req.headers.cookie, BROWSER_COOKIE)));
  });

  function answer(res: express.Response, provider: string, finished: ConsentEnd): void {
    if (!finished.ok) return void res.status(finished.status).json({ error: finished.error });
    const page = `<!doctype html><meta charset="utf-8"><title>duebot</title><p>${escapeHtml(finished.page)}</p>`;
    if (finished.choose) {
      // The flow goes on in this browser: the cookie stays until the pick.
      const buttons = finished.choose.accounts
        .map((a) => `<p><button name="account" value="${escapeHtml(a.accountId)}">${escapeHtml(a.accountName ?? a.accountId)} (${escapeHtml(a.accountId)})</button></p>`)
        .join('');
      const form = `<form method="post" action="/oauth/${encodeURIComponent(provider)}/choose"><input type="hidden" name="choice" value="${escapeHtml(finished.choose.token)}">${buttons}</form>`;
      return void res
        .status(200)
        .type('html')
        .send(page + form);
    }
    res.clearCookie(BROWSER_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: `/oauth/${provider}` });
    res.status(200).type('html').send(page);
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

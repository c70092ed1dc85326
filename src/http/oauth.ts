import express from 'express';
import { escapeHtml } from '../email/template-engine.js';
import type { Services } from '../services.js';
import { STATE_TTL_MS } from '../store/oauth-flow.js';
import { finishConsent, startConsent } from '../usecases/connect-backend.js';
import { chooseAccount, type AccountChoicePage } from '../usecases/choose-account.js';

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
    if (!finished.ok) return void res.status(finished.status).json({ error: finished.error });
    // Several accounts authorised: the cookie stays, the pick is posted from this page in this browser.
    if (finished.choose) return void res.status(200).type('html').send(choicePage(finished.page, finished.choose));
    res.clearCookie(BROWSER_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: `/oauth/${provider}` });
    res
      .status(200)
      .type('html')
      .send(`<!doctype html><meta charset="utf-8"><title>duebot</title><p>${escapeHtml(finished.page)}</p>`);
  });

  router.post('/oauth/:provider/choose', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const provider = req.params.provider;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const finished = await chooseAccount(services, provider, text(form.choice), text(form.account), cookieValue(req.headers.cookie, BROWSER_COOKIE));
    if (!finished.ok) return void res.status(finished.status).json({ error: finished.error });
    res.clearCookie(BROWSER_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: `/oauth/${provider}` });
    res
      .status(200)
      .type('html')
      .send(`<!doctype html><meta charset="utf-8"><title>duebot</title><p>${escapeHtml(finished.page)}</p>`);
  });
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

/** One button per account; the form posts to `choose` beside this callback, carrying the one-time choice token. */
function choicePage(intro: string, choice: AccountChoicePage): string {
  const buttons = choice.accounts
    .map((a) => `<p><button type="submit" name="account" value="${escapeHtml(a.accountId)}">${escapeHtml(a.accountName ?? a.accountId)}</button></p>`)
    .join('');
  return `<!doctype html><meta charset="utf-8"><title>duebot</title><p>${escapeHtml(intro)}</p><form method="post" action="choose"><input type="hidden" name="choice" value="${escapeHtml(choice.choiceToken)}">${buttons}</form>`;
}

import { APPROVER, BILLING_CHANNEL, type Harness } from './harness.js';

/**
 * The approver's connect flow for an OAuth back-end, as a person does it: `/invoices connect <provider>`
 * in Slack, the one-time link from the DM opened in a browser (which keeps the cookie), the provider's
 * consent, then its redirect to the callback with the state and the code.
 */

/**
 * The clients file of one client, Acme (Asana project 1200, emailed at ap@acme.example), billed through
 * `provider`; `extra` adds its further settings ("finalMode: pause").
 */
export function acmeOn(provider: string, { currency = 'USD', paymentTermsDays = 7, extra = [] as string[] } = {}): string {
  const settings = [`currency: ${currency}`, `paymentTermsDays: ${paymentTermsDays}`, 'asanaProjects: ["1200"]', `provider: ${provider}`, ...extra];
  return `clients:\n  - id: acme\n    name: Acme Ltd\n    emails: [ap@acme.example]\n${settings.map((line) => `    ${line}\n`).join('')}`;
}

/** One client billed through QuickBooks, for the tests that connect it. */
export const ACME_ON_QUICKBOOKS = acmeOn('quickbooks', { extra: ['finalMode: pause'] });

/** Runs `/invoices connect <provider>` as `user`; returns the ephemeral answer's text. */
export async function slashConnect(h: Harness, provider: string, user: string): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(`connect ${provider}`, user)).status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  return String(answer.body.text ?? '');
}

/** The DMs (chat.postMessage to the user id) that carry a connect link for `provider`, oldest first. */
export function connectLinks(h: Harness, provider: string, user: string): string[] {
  const pattern = new RegExp(`https?://[^\\s>|]+/oauth/${provider}/start\\?link=[\\w-]+`);
  return h.slack.messages(user).flatMap((m) => pattern.exec(String(m.args.text ?? '')) ?? []);
}

/** Asks for a link as an approver and returns its path and query (to be opened against the bot's own URL). */
export async function requestConnectLink(h: Harness, provider: string, user = APPROVER): Promise<string> {
  const before = connectLinks(h, provider, user).length;
  expect(await slashConnect(h, provider, user)).toMatch(/sent you a DM/);
  const link = await h.slack.waitFor(() => connectLinks(h, provider, user)[before]);
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

export interface OpenedLink {
  response: Response;
  /** `name=value` of the cookie the start route set (what the browser sends back), or null. */
  cookie: string | null;
  /** The OAuth state in the redirect to the provider, or null. */
  state: string | null;
  location: URL | null;
}

/** Opens a link path in a "browser": no redirects followed, the cookie kept. */
export async function openLink(h: Harness, path: string): Promise<OpenedLink> {
  const response = await fetch(`${h.bot.url}${path}`, { redirect: 'manual' });
  const setCookie = response.headers.get('set-cookie');
  const location = response.headers.get('location') ? new URL(response.headers.get('location')!) : null;
  return { response, cookie: setCookie ? setCookie.split(';')[0]! : null, state: location?.searchParams.get('state') ?? null, location };
}

/** The provider's redirect back to the bot, from the browser holding `cookie` (null: another browser). */
export async function callback(h: Harness, provider: string, query: Record<string, string>, cookie: string | null): Promise<Response> {
  return fetch(`${h.bot.url}/oauth/${provider}/callback?${new URLSearchParams(query).toString()}`, { headers: cookie ? { cookie } : {} });
}

const LABELS: Record<string, string> = { quickbooks: 'QuickBooks', freshbooks: 'FreshBooks', asana: 'Asana' };

/**
 * The whole approver flow; `consent` is what the provider adds to the callback (code, realmId). When the
 * account is connected at once, waits for the channel's notice so nothing is left in flight.
 */
export async function connectBackend(h: Harness, provider: string, consent: Record<string, string>, user = APPROVER): Promise<Response> {
  const opened = await openLink(h, await requestConnectLink(h, provider, user));
  expect(opened.response.status).toBe(302);
  expect(opened.cookie).not.toBeNull();
  const notices = () => h.slack.messages(BILLING_CHANNEL).filter((m) => String(m.args.text ?? '').includes(`connected ${LABELS[provider] ?? provider}`)).length;
  const before = notices();
  const res = await callback(h, provider, { state: opened.state ?? '', ...consent }, opened.cookie);
  const page = res.status === 200 ? await res.clone().text() : '';
  if (/is connected/.test(page)) await h.slack.waitFor(() => notices() > before);
  return res;
}

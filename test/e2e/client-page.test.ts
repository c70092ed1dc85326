import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startHarness, APPROVER, CLIENTS_YAML, MEMBER, type Harness } from '../support/harness.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { clientPageUrl } from '../../src/usecases/client-page.js';

/**
 * The client page in a real headless browser (Debian's chromium through playwright-core): the link in
 * the emails, what the page lists, pay links, the CSV statement, and revoking and renewing from Slack.
 */
/** The harness's clients, with Acme's page on (Globex's stays off). */
const CLIENTS = CLIENTS_YAML.replace('    finalMode: pause\n', '    finalMode: pause\n    clientPage: true\n');
const HOSTILE = `=cmd|' /C calc'!A0 <script>window.pwned = 1</script>`;
const PAGE_LINK = /All your invoices: https:\/\/duebot\.test\/c\/([A-Za-z0-9_-]{43})/;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
beforeAll(async () => {
  [h, browser] = await Promise.all([
    startHarness({ clientsYaml: CLIENTS }),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] }),
  ]);
  context = await browser.newContext({ acceptDownloads: true, javaScriptEnabled: false });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const pool = () => h.bot.services.db.pool;
const pageUrl = (token: string) => `${h.bot.url}/c/${token}`;

async function sentInvoice(gid: string, name: string, amount: number, projectGid = '1200'): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name, amount, projectGid })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs || inv?.status === 'sent' ? inv : undefined;
  });
  if (draft.status === 'draft') await h.clickButton('approve_invoice', draft.id, APPROVER);
  return h.waitForStatus(draft.id, 'sent');
}

/** Runs `/invoices client-link …` and returns the answer's text. */
async function clientLink(text: string, user = APPROVER): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(`client-link ${text}`, user)).status).toBe(200);
  return String((await h.slack.waitFor(() => h.slack.responses[before])).body.text);
}

let acmeToken = '';
let open: InvoiceRecord;

test('the emails carry the link; the page lists open and recently paid invoices, not other clients’, with working pay links and a CSV statement', async () => {
  open = await sentInvoice('9701', HOSTILE, 1234.5);
  const paid = await sentInvoice('9702', 'Milestone paid', 400);
  const other = await sentInvoice('9703', 'Globex work', 999, '1300');

  const email = await h.smtp.waitFor((m) => m.subject.includes(open.number));
  acmeToken = PAGE_LINK.exec(email.text)![1]!;
  expect(email.html).toContain(`href="https://duebot.test/c/${acmeToken}"`);
  // The same link in every email to the client; none for a client whose page is off (today's wording unchanged).
  expect(PAGE_LINK.exec((await h.smtp.waitFor((m) => m.subject.includes(paid.number))).text)?.[1]).toBe(acmeToken);
  expect((await h.smtp.waitFor((m) => m.subject.includes(other.number))).text).not.toContain('All your invoices');

  h.advanceDays(2);
  h.stripe.pay(paid.providerInvoiceId!);
  await h.deliverStripe('invoice.paid', paid.providerInvoiceId!);
  await h.waitForStatus(paid.id, 'paid');

  const page = await context.newPage();
  const response = (await page.goto(pageUrl(acmeToken)))!;
  expect(response.status()).toBe(200);
  expect(response.headers()).toMatchObject({
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-robots-tag': 'noindex, nofollow',
  });
  expect(response.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
  expect(await page.getAttribute('html', 'lang')).toBe('en');
  expect(await page.textContent('h1')).toBe('Invoices for Acme Ltd');
  // The inline style passed the CSP (its hash), and the hostile milestone is text, never run.
  expect(await page.evaluate("getComputedStyle(document.querySelector('th[scope=col]')).backgroundColor")).toBe('rgb(243, 244, 246)');
  const rows = (selector: string) => page.$$eval(selector, (trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
  const openTable = 'table:has(caption:text("Open invoices")) tbody tr';
  expect(await rows(openTable)).toEqual([[open.number, HOSTILE, '$1,234.50', expect.any(String), '0', 'Pay']]);
  expect(await rows('table:has(caption:text("Paid in the last 90 days")) tbody tr')).toEqual([[paid.number, 'Milestone paid', '$400.00', expect.any(String)]]);
  expect(await page.textContent('ul.totals')).toBe('Total due: $1,234.50');
  expect(await page.content()).not.toContain(other.number);
  expect(await page.evaluate('window.pwned')).toBeUndefined();

  // The statement downloads as CSV, the formula kept as text.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
  expect(download.suggestedFilename()).toMatch(/^statement-acme-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\ufeff/, '').split('\r\n');
  expect(csv[0]).toBe('Invoice,Description,Status,Currency,Amount due,Due date,Days overdue,Amount,Paid on,Payment link');
  expect(csv[1]).toBe(`${open.number},'${HOSTILE},open,USD,1234.50,${open.dueDate},0,,,${open.paymentUrl}`);
  expect(csv[2]).toMatch(new RegExp(`^${paid.number},Milestone paid,paid,USD,0,,,400.00,\\d{4}-\\d{2}-\\d{2},$`));

  // The pay link opens the invoice's payment page at the back-end.
  await Promise.all([page.waitForURL(open.paymentUrl!), page.click(`a.pay[aria-label="Pay invoice ${open.number}"]`)]);
  expect(await page.textContent('body')).toContain(`Invoice ${open.number}Status: openAmount remaining: 1234.50 USD`);
  await page.close();
});

test('a new link replaces the old one, in the page and the next email; a revoked or unknown token gets the same 404', async () => {
  expect(acmeToken).not.toBe('');
  // Approvers only.
  const refusals = h.slack.responses.length;
  await h.slashCommand('client-link acme new', MEMBER);
  expect(String((await h.slack.waitFor(() => h.slack.responses[refusals])).body.text)).toMatch(/only invoice approvers/i);
  expect((await fetch(pageUrl(acmeToken))).status).toBe(200);

  const answer = await clientLink('Acme Ltd new');
  const fresh = /https:\/\/duebot\.test\/c\/([A-Za-z0-9_-]{43})/.exec(answer)![1]!;
  expect(fresh).not.toBe(acmeToken);
  const unknown = await fetch(pageUrl('A'.repeat(43)));
  const old = await fetch(pageUrl(acmeToken));
  const noRoute = await fetch(`${pageUrl(acmeToken)}/no/such/path`);
  const unknownBody = await unknown.text();
  expect([old.status, await old.text()]).toEqual([unknown.status, unknownBody]);
  expect([noRoute.status, await noRoute.text()]).toEqual([unknown.status, unknownBody]);
  expect(old.status).toBe(404);
  expect(old.headers.get('cache-control')).toBe('no-store');
  expect((await fetch(`${pageUrl(acmeToken)}/statement.csv`)).status).toBe(404);

  const page = await context.newPage();
  expect((await page.goto(pageUrl(fresh)))!.status()).toBe(200);
  expect(await page.textContent('h1')).toBe('Invoices for Acme Ltd');
  // With a trailing slash the statement link still points at the statement.
  await page.goto(`${pageUrl(fresh)}/`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
  expect(download.suggestedFilename()).toMatch(/^statement-acme-/);
  await page.close();

  // The day-7 reminder carries the new link.
  h.advanceDays(6);
  const reminder = await h.smtp.waitFor((m) => m.subject.includes(open.number) && /Reminder/.test(m.subject));
  expect(PAGE_LINK.exec(reminder.text)?.[1]).toBe(fresh);

  expect(await clientLink('acme revoke')).toMatch(/revoked/);
  const revoked = await fetch(pageUrl(fresh));
  expect([revoked.status, await revoked.text()]).toEqual([404, await (await fetch(pageUrl('B'.repeat(43)))).text()]);
  expect(await clientLink('acme')).toMatch(/revoked; `\/invoices client-link acme new` makes a new one/);
  expect(await clientLink('globex new')).toMatch(/Globex has no client page/);
});

// Last in the file: the guessing address (this test's) stays blocked for the rest of the window.
test('an address that keeps guessing tokens gets 429 with Retry-After, as JSON, before any lookup', async () => {
  // The earlier tests' misses (old and unknown tokens) count too: at most 30 misses in all.
  const answers: number[] = [];
  while (answers.length <= 30 && answers.at(-1) !== 429) answers.push((await fetch(pageUrl(`${'G'.repeat(40)}${String(answers.length).padStart(3, '0')}`))).status);
  expect(answers.at(-1)).toBe(429);
  expect(new Set(answers.slice(0, -1))).toEqual(new Set([404]));
  const blocked = await fetch(`${pageUrl('H'.repeat(43))}/statement.csv`);
  expect(blocked.status).toBe(429);
  expect(blocked.headers.get('retry-after')).toBe('600');
  expect(blocked.headers.get('cache-control')).toBe('no-store');
  expect(await blocked.json()).toEqual({ error: 'too many requests; try again later' });
  // Without TRUST_PROXY, X-Forwarded-For is not believed: naming another address does not escape the block.
  expect((await fetch(pageUrl('H'.repeat(43)), { headers: { 'X-Forwarded-For': '198.51.100.7' } })).status).toBe(429);
});

test('behind a trusted proxy (TRUST_PROXY) each visitor is counted apart: a guesser is blocked, a client is not', async () => {
  const proxied = await startHarness({ clientsYaml: CLIENTS, env: { TRUST_PROXY: '1' } });
  try {
    const url = await clientPageUrl(proxied.bot.services, { id: 'acme', clientPage: true });
    const token = url!.split('/c/')[1]!;
    const from = (address: string, path: string) => fetch(`${proxied.bot.url}/c/${path}`, { headers: { 'X-Forwarded-For': address } });
    const answers: number[] = [];
    while (answers.length <= 30 && answers.at(-1) !== 429) answers.push((await from('203.0.113.9', `${'G'.repeat(40)}${String(answers.length).padStart(3, '0')}`)).status);
    expect(answers).toEqual([...Array<number>(30).fill(404), 429]);
    expect((await from('203.0.113.9', token)).status).toBe(429);
    expect((await from('198.51.100.7', token)).status).toBe(200);
  } finally {
    await proxied.stop();
  }
});

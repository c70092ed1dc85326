import { createGenericTool, signGenericBody } from '../../src/providers/projects/generic.js';
import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { countInbox } from '../../src/store/inbox.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';

const SECRET = 'generic-test-secret-0123456789';
const receive = (body: unknown, signature?: string) => {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return createGenericTool({ secret: SECRET }).webhook!.receive({ method: 'POST', headers: { 'x-duebot-signature': signature ?? signGenericBody(SECRET, raw) }, rawBody: Buffer.from(raw) });
};
const milestone = { externalId: 'zap-1', client: 'acme', milestone: 'Design', lines: [{ description: 'Design', quantity: '2.5', unitAmount: '100.00' }] };

describe('generic webhook: the documented body', () => {
  test('timeEntries in decimal hours become exact milliseconds; lines may then be left out', async () => {
    const outcome = await receive({ externalId: 'zap-t', client: 'acme', milestone: 'Website', timeEntries: [{ task: 'Wireframes', person: 'dana@agency.example', hours: '2.5' }, { hours: 0.3333 }] });
    expect(outcome).toMatchObject({ kind: 'events', events: [{ task: { timeEntries: [
      { taskId: 'zap-t:Wireframes', taskName: 'Wireframes', person: { id: null, name: 'dana@agency.example', email: 'dana@agency.example' }, durationMs: 9_000_000 },
      { taskId: 'zap-t:', taskName: 'Website', person: { id: null, name: null, email: null }, durationMs: 1_199_880 },
    ] } }] });
    expect(await receive({ externalId: 'zap-u', client: 'acme', milestone: 'Website' })).toEqual({ kind: 'malformed', reason: 'lines: needs lines, timeEntries or both' });
    expect(await receive({ externalId: 'zap-v', client: 'acme', milestone: 'W', timeEntries: [{ hours: '1.23456' }] })).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/^timeEntries\.0\.hours: "1\.23456" is not a positive number of hours/) });
  });

  test('a signed milestone is one event carrying its task, keyed by externalId', async () => {
    expect(await receive({ ...milestone, currency: 'eur', url: 'https://tool.example/m/1' })).toEqual({
      kind: 'events', ignored: 0,
      events: [{
        externalId: 'zap-1', taskId: 'zap-1',
        task: {
          taskId: 'zap-1', name: 'Design', completed: true, completedAt: null, url: 'https://tool.example/m/1', projectIds: [], isBillingMilestone: true,
          amount: null, quantity: null, rate: null, clientName: 'acme', currency: 'EUR', lines: [{ description: 'Design', quantity: '2.5', unitAmount: '100.00' }],
        },
      }],
    });
  });

  test.each([
    [{ ...milestone, externalId: '' }, /^externalId:/],
    [{ ...milestone, lines: [] }, /^lines:/],
    [{ ...milestone, lines: [{ description: 'x' }] }, /^lines\.0\.unitAmount:/],
    [{ ...milestone, currency: 'dollars' }, /^currency: "dollars" is not an ISO 4217/],
    [{ ...milestone, extra: 1 }, /extra/],
    ['not json', /not valid JSON/],
  ])('malformed body %# is refused with a reason', async (body, reason) => {
    const outcome = await receive(body);
    expect(outcome).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(reason) });
  });

  test('the signature must be sha256=<hex> of the exact body', async () => {
    expect(await receive(milestone, signGenericBody('other-secret-0123456789', JSON.stringify(milestone)))).toMatchObject({ kind: 'unauthorized' });
    expect(await receive(milestone, signGenericBody(SECRET, JSON.stringify(milestone)).replace('sha256=', ''))).toMatchObject({ kind: 'unauthorized' });
  });
});

describe('generic webhook through the app', () => {
  let h: Harness;
  beforeAll(async () => {
    // The generic webhook alone, without Asana: the bot needs no other project tool.
    h = await startHarness({ tools: ['generic'], asana: false });
  });
  afterAll(async () => h.stop());
  const post = (body: string, signature = signGenericBody(h.genericSecret!, body)) => h.send('/webhooks/generic', body, { 'content-type': 'application/json', 'x-duebot-signature': signature });

  test('a malformed body gets 400 with a reason and nothing is stored', async () => {
    const res = await post(JSON.stringify({ client: 'acme' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/externalId/);
    expect(await countInbox(h.bot.services.db.pool, 'generic')).toBe(0);
  });

  test('fractional quantities stay exact; a currency that is not the client\'s is flagged, not invoiced', async () => {
    expect((await post(JSON.stringify({ ...milestone, externalId: 'g-1' }))).status).toBe(200);
    const invoice = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-1'));
    expect(invoice).toMatchObject({ clientId: 'acme', total: 25_000, lines: [{ description: 'Design', quantity: '2.5', unitAmount: 10_000, amount: 25_000 }] });

    expect((await post(JSON.stringify({ ...milestone, externalId: 'g-2', milestone: 'Wrong currency', currency: 'EUR' }))).status).toBe(200);
    const warning = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('Wrong currency')));
    expect(JSON.stringify(warning.args)).toMatch(/EUR.*USD/);
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-2')).toBeNull();
  });

  test('routes of tools that are not configured answer 404 (Asana included) and store nothing', async () => {
    expect(Object.keys(h.bot.services.projectTools)).toEqual(['generic']);
    expect((await h.send('/webhooks/asana', '{"events":[]}', { 'x-hook-secret': 'abc' })).status).toBe(404);
    expect(await countInbox(h.bot.services.db.pool, 'asana')).toBe(0);
    expect((await h.send('/webhooks/clickup', '{}', {})).status).toBe(404);
    expect((await h.send('/webhooks/nonsense', '{}', {})).status).toBe(404);
  });
});

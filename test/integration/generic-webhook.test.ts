import { createGenericTool, signGenericBody } from '../../src/providers/projects/generic.js';
import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { countInbox } from '../../src/store/inbox.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';

const SECRET = 'generic-test-secret-0123456789';
const receive = (body: unknown, signature?: string) => {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return createGenericTool({ secret: SECRET }).webhook!.receive({
    method: 'POST',
    headers: { 'x-duebot-signature': signature ?? signGenericBody(SECRET, raw) },
    rawBody: Buffer.from(raw),
  });
};
const milestone = { externalId: 'zap-1', client: 'acme', milestone: 'Design', lines: [{ description: 'Design', quantity: '2.5', unitAmount: '100.00' }] };

describe('generic webhook: the documented body', () => {
  test('timeEntries in decimal hours become exact milliseconds; lines may then be left out', async () => {
    const outcome = await receive({
      externalId: 'zap-t',
      client: 'acme',
      milestone: 'Website',
      timeEntries: [{ task: 'Wireframes', person: 'dana@agency.example', hours: '2.5' }, { hours: 0.3333 }],
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [
        {
          task: {
            timeEntries: [
              { taskId: 'zap-t:Wireframes', taskName: 'Wireframes', person: { id: null, name: 'dana@agency.example', email: 'dana@agency.example' }, durationMs: 9_000_000 },
              { taskId: 'zap-t:', taskName: 'Website', person: { id: null, name: null, email: null }, durationMs: 1_199_880 },
            ],
          },
        },
      ],
    });
    expect(await receive({ externalId: 'zap-u', client: 'acme', milestone: 'Website' })).toEqual({ kind: 'malformed', reason: 'lines: needs lines, timeEntries or both' });
    expect(await receive({ externalId: 'zap-v', client: 'acme', milestone: 'W', timeEntries: [{ hours: '1.23456' }] })).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^timeEntries\.0\.hours: "1\.23456" is not a positive number of hours/),
    });
  });

  test('a signed milestone is one event carrying its task, keyed by externalId', async () => {
    expect(await receive({ ...milestone, currency: 'eur', url: 'https://tool.example/m/1' })).toEqual({
      kind: 'events',
      ignored: 0,
      events: [
        {
          externalId: 'zap-1',
          taskId: 'zap-1',
          task: {
            taskId: 'zap-1',
            name: 'Design',
            completed: true,
            completedAt: null,
            url: 'https://tool.example/m/1',
            projectIds: [],
            isBillingMilestone: true,
            amount: null,
            quantity: null,
            rate: null,
            clientName: 'acme',
            currency: 'EUR',
            lines: [{ description: 'Design', quantity: '2.5', unitAmount: '100.00' }],
          },
        },
      ],
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

  test.each([
    [
      [{ description: 'Dust', quantity: '0.0000001', unitAmount: '10' }],
      undefined,
      'lines.0: 0.0000001 × 10 comes to nothing in any currency; a line must come to at least one minor unit',
    ],
    [[{ description: 'Dust', quantity: '0.001', unitAmount: '1.00' }], 'USD', 'lines.0: 0.001 × 1.00 comes to nothing in USD; a line must come to at least one minor unit'],
    [[{ description: 'Free', quantity: '1', unitAmount: '0' }], undefined, /^lines\.0: 1 × 0 comes to nothing/],
    [[{ description: 'Refund', quantity: '1', unitAmount: '-50' }], undefined, /^lines\.0: 1 × -50 comes to nothing/],
    [[{ description: 'None', quantity: '0', unitAmount: '50' }], undefined, 'lines.0: quantity "0" must be above zero'],
    [[{ description: 'Float', quantity: 1e-7, unitAmount: 10 }], undefined, 'lines.0: quantity "1e-7" is not a positive number'],
    [[{ description: 'Sub-cent', quantity: '1', unitAmount: '10.001' }], 'USD', /^lines\.0: "10\.001" has more decimals than USD allows/],
    [[{ description: 'Trillions', quantity: '1', unitAmount: '90000000000000' }], 'USD', /^lines\.0: "90000000000000" is too large/],
    [[{ description: 'Trillions', quantity: '9000000', unitAmount: '10000000' }], 'USD', /^lines\.0: 9000000 × the unit amount is more than/],
    [
      [
        { description: 'A', quantity: '1', unitAmount: '999999999999' },
        { description: 'B', quantity: '1', unitAmount: '999999999999' },
      ],
      undefined,
      /^lines: the lines add up to more than/,
    ],
  ])('lines that can never be invoiced are refused with the reason (%#)', async (lines, currency, reason) => {
    const outcome = await receive({ ...milestone, lines, ...(currency ? { currency } : {}) });
    expect(outcome).toEqual({ kind: 'malformed', reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });
  });

  test('the smallest line that comes to something is accepted (judged in the finest minor unit without a currency)', async () => {
    expect(await receive({ ...milestone, lines: [{ description: 'Half a cent', quantity: '0.5', unitAmount: '0.01' }], currency: 'USD' })).toMatchObject({ kind: 'events' });
    expect(await receive({ ...milestone, lines: [{ description: 'A mill', quantity: '0.0001', unitAmount: '10' }] })).toMatchObject({ kind: 'events' });
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
  const post = (body: string, signature = signGenericBody(h.genericSecret!, body)) =>
    h.send('/webhooks/generic', body, { 'content-type': 'application/json', 'x-duebot-signature': signature });

  test('a malformed body gets 400 with a reason and nothing is stored', async () => {
    const res = await post(JSON.stringify({ client: 'acme' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/externalId/);
    expect(await countInbox(h.bot.services.db.pool, 'generic')).toBe(0);
  });

  test("fractional quantities stay exact; a currency that is not the client's is flagged, not invoiced", async () => {
    expect((await post(JSON.stringify({ ...milestone, externalId: 'g-1' }))).status).toBe(200);
    const invoice = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-1'));
    expect(invoice).toMatchObject({ clientId: 'acme', total: 25_000, lines: [{ description: 'Design', quantity: '2.5', unitAmount: 10_000, amount: 25_000 }] });

    expect((await post(JSON.stringify({ ...milestone, externalId: 'g-2', milestone: 'Wrong currency', currency: 'EUR' }))).status).toBe(200);
    const warning = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('Wrong currency')));
    expect(JSON.stringify(warning.args)).toMatch(/EUR.*USD/);
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-2')).toBeNull();
  });

  test('0.0000001 × 10 and 90 trillion get 400 with the reason, and nothing is stored', async () => {
    const stored = await countInbox(h.bot.services.db.pool, 'generic');
    const dust = await post(JSON.stringify({ ...milestone, externalId: 'g-dust', lines: [{ description: 'Dust', quantity: '0.0000001', unitAmount: '10' }] }));
    expect(dust.status).toBe(400);
    expect(((await dust.json()) as { error: string }).error).toMatch(/^lines\.0: 0\.0000001 × 10 comes to nothing/);
    const huge = await post(
      JSON.stringify({ ...milestone, externalId: 'g-huge', currency: 'USD', lines: [{ description: 'All of it', quantity: '1', unitAmount: '90000000000000.00' }] }),
    );
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toMatch(/too large/);
    expect(await countInbox(h.bot.services.db.pool, 'generic')).toBe(stored);
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-dust')).toBeNull();
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-huge')).toBeNull();
  });

  test('a line too small only in the client\'s currency becomes a "needs set-up" note, not an invoice', async () => {
    // 0.004 USD: something in a three-decimal currency, so accepted at the door; nothing in USD.
    expect(
      (await post(JSON.stringify({ ...milestone, externalId: 'g-mill', milestone: 'Mill line', lines: [{ description: 'Mill', quantity: '0.004', unitAmount: '1' }] }))).status,
    ).toBe(200);
    const note = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('Mill line')));
    expect(JSON.stringify(note.args)).toMatch(/cannot be invoiced yet.*0\.004 × 1\.00 USD comes to 0\.00 USD/);
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'generic', 'g-mill')).toBeNull();
  });

  test('routes of tools that are not configured answer 404 (Asana included) and store nothing', async () => {
    expect(Object.keys(h.bot.services.projectTools)).toEqual(['generic']);
    expect((await h.send('/webhooks/asana', '{"events":[]}', { 'x-hook-secret': 'abc' })).status).toBe(404);
    expect(await countInbox(h.bot.services.db.pool, 'asana')).toBe(0);
    expect((await h.send('/webhooks/clickup', '{}', {})).status).toBe(404);
    expect((await h.send('/webhooks/nonsense', '{}', {})).status).toBe(404);
  });
});

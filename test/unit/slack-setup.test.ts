import { parse } from 'csv-parse/sync';
import { csvCell, toCsv } from '../../src/domain/csv.js';
import { changedSetupFields, fieldsToSave, keepRetainerStart, setupOf, withSetup, type ClientSetup } from '../../src/domain/client-setup.js';
import { clientFixture } from './blocks-fixtures.js';
import { SETUP_BLOCKS, parseClientSetup, readSetupMetadata, setupMetadata } from '../../blocks/client-setup-modal.js';
import { NEW_INVOICE_BLOCKS, parseNewInvoice } from '../../blocks/new-invoice-modal.js';
import { agingRow, parseExportRequest } from '../../src/usecases/exports.js';
import { historyQuery } from '../../src/usecases/history.js';

const client = clientFixture({
  asanaProjectGids: ['1200'],
  retainer: { amount: 150000, description: 'Support', dayOfMonth: 5, startsOn: '2026-01-01' },
});

/** Slack's view.state.values for the modals: block id → the input's value. */
const state = (inputs: Record<string, string>, selects: Record<string, string> = {}, dates: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(inputs).map(([block, value]) => [block, { value: { type: 'plain_text_input', value } }])),
  ...Object.fromEntries(Object.entries(selects).map(([block, value]) => [block, { value: { type: 'static_select', selected_option: { value } } }])),
  ...Object.fromEntries(Object.entries(dates).map(([block, value]) => [block, { value: { type: 'datepicker', selected_date: value } }])),
});

describe('CSV', () => {
  test.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['-12.50', '-12.50'],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
  ])('outside text %j is written as %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  test('numbers are written as they are; empty values as nothing', () => {
    expect([csvCell(-5), csvCell(12), csvCell(null), csvCell(undefined)]).toEqual(['-5', '12', '', '']);
  });

  test('a table parses back to what went in (formulas kept as text)', () => {
    const csv = toCsv(
      ['Name', 'Amount'],
      [
        ['=HYPERLINK("x")', '10.00'],
        ['Acme, Inc.', 3],
      ],
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parse(csv)).toEqual([
      ['Name', 'Amount'],
      ['\'=HYPERLINK("x")', '10.00'],
      ['Acme, Inc.', '3'],
    ]);
  });
});

describe('export requests', () => {
  test.each([
    ['aging', { kind: 'aging', from: null, to: null }],
    ['INVOICES', { kind: 'invoices', from: null, to: null }],
    ['audit 2026-01-01', { kind: 'audit', from: '2026-01-01', to: null }],
    ['audit 2026-01-01 2026-01-31', { kind: 'audit', from: '2026-01-01', to: '2026-01-31' }],
  ])('%s', (words, request) => expect(parseExportRequest(words)).toEqual({ ok: true, request }));

  test.each([
    ['', /Export what/],
    ['clients', /Export what/],
    ['aging 2026-01-01', /takes no dates/],
    ['audit 2026-02-30', /not a date/],
    ['audit 2026-02-01 2026-01-01', /ends \(2026-01-01\) before it starts/],
    ['audit 2026-01-01 2026-01-02 2026-01-03', /At most two dates/],
  ])('%j is refused', (words, message) => {
    const parsed = parseExportRequest(words);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  test('an aging row: balance in major units, days past due, the bucket by days since sending', () => {
    const now = new Date('2026-03-20T12:00:00Z');
    const row = agingRow(
      {
        number: 'INV-1',
        clientId: 'acme',
        clientName: 'Acme',
        milestone: 'Design',
        status: 'partially_paid',
        currency: 'JPY',
        total: 120000,
        amountPaid: 20000,
        dueDate: '2026-03-10',
        createdAt: now,
        sentAt: new Date('2026-02-28T09:00:00Z'),
        paidAt: null,
        provider: 'stripe',
        source: 'asana',
        disputed: false,
      },
      now,
      'UTC',
    );
    expect(row).toEqual(['INV-1', 'Acme', 'Design', 'JPY', '120000', '20000', '100000', '2026-02-28', '2026-03-10', 10, '15-30', 'no']);
  });
});

describe('client setup', () => {
  const current = setupOf(client);

  test('only the fields this person changed are saved, not those someone else changed since the modal opened', () => {
    const opened = current;
    const meanwhile: ClientSetup = { ...current, currency: 'EUR' };
    const submitted: ClientSetup = { ...current, name: 'Acme Group' };
    expect(changedSetupFields(meanwhile, submitted)).toEqual(['name', 'currency']);
    expect(fieldsToSave(meanwhile, submitted, opened)).toEqual(['name']);
    expect(fieldsToSave(current, { ...current, toolContainers: { trello: [] } }, null)).toEqual([]);
  });

  test('laid over a client: a null retainer or mapping and empty containers remove them', () => {
    const next = withSetup(client, { retainer: null, mapping: null, toolContainers: {}, name: 'New' });
    expect(next.name).toBe('New');
    expect('retainer' in next || 'mapping' in next || 'toolContainers' in next).toBe(false);
  });

  test('a retainer saved from Slack keeps its start date from the file', () => {
    const fromSlack = { amount: 2000, description: 'Support', dayOfMonth: 1, startsOn: null };
    expect(keepRetainerStart(fromSlack, client.retainer!)).toEqual({ ...fromSlack, startsOn: '2026-01-01' });
    expect(keepRetainerStart(null, client.retainer!)).toBeNull();
  });

  test('the modal is checked by the clients file rules, each problem on its field', () => {
    const parsed = parseClientSetup(
      state({
        [SETUP_BLOCKS.name]: '',
        [SETUP_BLOCKS.emails]: 'nope',
        [SETUP_BLOCKS.currency]: 'XXXX',
        [SETUP_BLOCKS.terms]: '999',
        [SETUP_BLOCKS.trelloBoards]: 'abc',
        [SETUP_BLOCKS.retainerDay]: '31',
      }),
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && Object.keys(parsed.errors).sort()).toEqual(
      [SETUP_BLOCKS.name, SETUP_BLOCKS.emails, SETUP_BLOCKS.currency, SETUP_BLOCKS.terms, SETUP_BLOCKS.trelloBoards, SETUP_BLOCKS.retainerAmount, SETUP_BLOCKS.retainerDay].sort(),
    );
  });

  test('a valid modal: the entry as the clients file would give it', () => {
    const parsed = parseClientSetup(
      state(
        {
          [SETUP_BLOCKS.name]: 'Café Grand',
          [SETUP_BLOCKS.emails]: 'a@cafe.example; b@cafe.example',
          [SETUP_BLOCKS.currency]: 'jpy',
          [SETUP_BLOCKS.terms]: '14',
          [SETUP_BLOCKS.clickupLists]: '901, 902, 901',
          [SETUP_BLOCKS.retainerAmount]: '50000',
          [SETUP_BLOCKS.doneStatus]: 'Shipped',
        },
        { [SETUP_BLOCKS.provider]: 'xero' },
      ),
    );
    expect(parsed.ok && parsed.client).toMatchObject({
      id: 'cafe-grand',
      emails: ['a@cafe.example', 'b@cafe.example'],
      currency: 'JPY',
      paymentTermsDays: 14,
      provider: 'xero',
      toolContainers: { clickup: ['901', '902'] },
      retainer: { amount: 50000, description: 'Monthly retainer', dayOfMonth: 1 },
      mapping: { doneStatus: 'Shipped', billingField: 'Billing milestone' },
    });
  });

  test("the modal remembers what it was opened with, within Slack's 3000 characters", () => {
    expect(readSetupMetadata(setupMetadata('acme', current))).toEqual({ clientId: 'acme', opened: current });
    const huge = { ...current, emails: Array.from({ length: 200 }, (_, i) => `billing${i}@acme.example`) };
    expect(readSetupMetadata(setupMetadata('acme', huge))).toEqual({ clientId: 'acme', opened: null });
    expect(readSetupMetadata(setupMetadata(null, null))).toEqual({ clientId: null, opened: null });
    expect(readSetupMetadata('not json')).toBeNull();
  });
});

describe('/invoices new form', () => {
  test('lines as "description | amount" or with a quantity, in the client currency', () => {
    const parsed = parseNewInvoice(state({ [NEW_INVOICE_BLOCKS.lines]: 'Workshop | twelve\nWorkshop | 1200\nTravel | 2 | 150.5' }), 'EUR', '2026-03-01');
    expect(!parsed.ok && parsed.errors[NEW_INVOICE_BLOCKS.lines]).toMatch(/^Line 1: "twelve" is not an amount$/);
    const ok = parseNewInvoice(state({ [NEW_INVOICE_BLOCKS.lines]: 'Workshop | 1200\nTravel | 2 | 150.5' }), 'EUR', '2026-03-01');
    expect(ok).toEqual({
      ok: true,
      lines: [
        { description: 'Workshop', quantity: '1', unitAmount: 120000, amount: 120000 },
        { description: 'Travel', quantity: '2', unitAmount: 15050, amount: 30100 },
      ],
      dueDate: null,
      termsDays: null,
    });
  });

  test('a due date in the past and impossible terms are refused; a date today is fine', () => {
    const lines = { [NEW_INVOICE_BLOCKS.lines]: 'Workshop | 10' };
    const bad = parseNewInvoice(state({ ...lines, [NEW_INVOICE_BLOCKS.terms]: '366' }, {}, { [NEW_INVOICE_BLOCKS.dueDate]: '2026-02-28' }), 'USD', '2026-03-01');
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual([NEW_INVOICE_BLOCKS.dueDate, NEW_INVOICE_BLOCKS.terms].sort());
    const ok = parseNewInvoice(state({ ...lines, [NEW_INVOICE_BLOCKS.terms]: '0' }, {}, { [NEW_INVOICE_BLOCKS.dueDate]: '2026-03-01' }), 'USD', '2026-03-01');
    expect(ok).toMatchObject({ ok: true, dueDate: '2026-03-01', termsDays: 0 });
    expect(parseNewInvoice(state({}), 'USD', '2026-03-01')).toEqual({
      ok: false,
      errors: { [NEW_INVOICE_BLOCKS.lines]: 'Add at least one line, e.g. "Design sprint | 1500.00".' },
    });
  });
});

test('/invoices history words: the query and an optional page', () => {
  expect(historyQuery('acme')).toEqual({ query: 'acme', page: 1 });
  expect(historyQuery('Acme Ltd page 3')).toEqual({ query: 'Acme Ltd', page: 3 });
  expect(historyQuery('INV-0042 page 0')).toEqual({ query: 'INV-0042', page: 1 });
});

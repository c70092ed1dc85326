import { resolve } from 'node:path';
import { loadClientsFile, parseClients, slugify } from '../../src/clients-file.js';

/** One client entry named "Test Co" with a valid email, unless `fields` (a flow-mapping body) sets its own. */
const entry = (fields: string) => `  - { name: Test Co, ${/^emails:/.test(fields) ? '' : 'emails: t@test.example, '}${fields} }\n`;

describe('clients file', () => {
  test('the shipped example loads completely, with defaults filled in', async () => {
    const { clients, errors } = await loadClientsFile('clients.example.yml');
    expect(errors).toEqual([]);
    expect(clients).toEqual([
      {
        id: 'acme',
        name: 'Acme Ltd',
        emails: ['ap@acme.example', 'cfo@acme.example'],
        currency: 'USD',
        paymentTermsDays: 14,
        provider: 'stripe',
        asanaProjectGids: ['1203456789012345'],
        reminderSchedule: [
          { day: 7, from: 'delivery', tone: 'friendly' },
          { day: 14, from: 'delivery', tone: 'firm' },
          { day: 30, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'pause',
        autoSend: false,
        billingAddress: { line1: '350 5th Ave', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' },
      },
      {
        id: 'globex-corporation',
        name: 'Globex Corporation',
        emails: ['billing@globex.example'],
        currency: 'USD',
        paymentTermsDays: 30,
        provider: 'stripe',
        asanaProjectGids: ['1209876543210987'],
        reminderSchedule: [
          { day: 7, from: 'delivery', tone: 'friendly' },
          { day: 14, from: 'delivery', tone: 'firm' },
          { day: 30, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'notice-only',
        autoSend: true,
        retainer: { amount: 400000, description: 'Monthly support retainer', dayOfMonth: 1, startsOn: '2026-12-01' },
      },
      {
        id: 'initech',
        name: 'Initech GmbH',
        emails: ['rechnungen@initech.example'],
        currency: 'EUR',
        paymentTermsDays: 21,
        provider: 'stripe',
        asanaProjectGids: ['1201111111111111'],
        reminderSchedule: [
          { day: -3, from: 'due', tone: 'friendly' },
          { day: 7, from: 'delivery', tone: 'friendly' },
          { day: 21, from: 'delivery', tone: 'firm' },
          { day: 35, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'pause',
        autoSend: false,
        timezone: 'Europe/Berlin',
        businessHours: { start: '09:00', end: '17:00' },
      },
      {
        id: 'umbrella',
        name: 'Umbrella Studio',
        emails: ['accounts@umbrella.example'],
        currency: 'USD',
        paymentTermsDays: 30,
        provider: 'stripe',
        asanaProjectGids: [],
        toolContainers: { clickup: ['901234567'], trello: ['65a0aa0000000000000000aa'], monday: ['1234567890'] },
        reminderSchedule: [
          { day: 7, from: 'delivery', tone: 'friendly' },
          { day: 14, from: 'delivery', tone: 'firm' },
          { day: 30, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'pause',
        autoSend: false,
      },
      {
        id: 'hooli',
        name: 'Hooli',
        emails: ['ap@hooli.example'],
        currency: 'USD',
        paymentTermsDays: 30,
        provider: 'stripe',
        asanaProjectGids: [],
        toolContainers: { clickup: ['901234568'] },
        reminderSchedule: [
          { day: 7, from: 'delivery', tone: 'friendly' },
          { day: 14, from: 'delivery', tone: 'firm' },
          { day: 30, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'pause',
        autoSend: false,
        mapping: {
          billingField: 'Invoice this',
          billingTag: null,
          amountField: 'Fee',
          quantityField: 'Quantity',
          rateField: 'Rate',
          clientField: 'Client',
          doneStatus: 'Ready to bill',
        },
        timeBilling: { groupBy: 'task', rate: 12_000, personRates: { 'dana@agency.example': 15_000 } },
      },
    ]);
  });

  test('ClickUp lists, Trello boards and monday boards: read as strings, checked, one client each', () => {
    const { clients, errors } = parseClients(
      [
        'clients:',
        '  - { name: A, emails: a@a.example, clickupLists: [901, "902"], mondayBoards: [1234567890], trelloBoards: ["65A0aa0000000000000000aa"] }',
        '  - { name: B, emails: b@b.example, clickupLists: ["901"] }',
        '  - { name: C, emails: c@c.example, trelloBoards: [AbCd1234] }',
        '  - { name: D, emails: d@d.example, mondayBoards: [12345678901234567890] }',
        '  - { name: E, emails: e@e.example, clickupLists: "901" }',
        '  - { name: F, emails: f@f.example, asanaProjects: ["901"], clickupLists: ["903"] }',
      ].join('\n'),
      'clients.yml',
    );
    expect(clients.map((c) => [c.id, c.toolContainers])).toEqual([
      ['a', { clickup: ['901', '902'], trello: ['65A0aa0000000000000000aa'], monday: ['1234567890'] }],
      ['f', { clickup: ['903'] }],
    ]);
    expect(errors).toEqual([
      'clients.yml: client "B" (#2): clickupLists: 901 already belongs to client "A"',
      'clients.yml: client "C" (#3): trelloBoards: "AbCd1234" is not a Trello board id (24 hex characters, the board\'s "id" not its short link)',
      'clients.yml: client "D" (#4): mondayBoards: 12345678901234567000 is too long to read as a number; quote the id ("...")',
      'clients.yml: client "E" (#5): clickupLists: must be a list of ClickUp list ids',
    ]);
  });

  test('a minimal entry gets every default, and its default schedule is its own copy', () => {
    const { clients, errors } = parseClients('clients:\n  - name: Müller & Söhne\n    emails: " kasse@mueller.example "\n  - name: Other\n    emails: o@o.example\n');
    expect(errors).toEqual([]);
    expect(clients[0]).toEqual({
      id: 'muller-sohne',
      name: 'Müller & Söhne',
      emails: ['kasse@mueller.example'],
      currency: 'USD',
      paymentTermsDays: 30,
      provider: 'stripe',
      asanaProjectGids: [],
      reminderSchedule: [
        { day: 7, from: 'delivery', tone: 'friendly' },
        { day: 14, from: 'delivery', tone: 'firm' },
        { day: 30, from: 'delivery', tone: 'final' },
      ],
      finalMode: 'pause',
      autoSend: false,
    });
    clients[0]!.reminderSchedule[0]!.day = 99;
    expect(clients[1]!.reminderSchedule[0]!.day).toBe(7);
  });

  test('bad entries are reported by client and field while good ones still load', () => {
    const { clients, errors } = parseClients(
      `clients:
  - name: Bad Co
    emails: [bob@]
    currency: dollars
    paymentTermsDays: -1
    reminders: [{ day: -3, tone: friendly }, { day: 7, tone: shouty }]
    finalMode: explode
    autoSend: maybe
  - name: Good Co
    emails: ok@good.example
    asanaProjects: [12345]
  - emails: [nameless@x.example]
`,
      'clients.yml',
    );
    expect(clients.map((c) => [c.id, c.asanaProjectGids])).toEqual([['good-co', ['12345']]]);
    expect(errors).toEqual([
      'clients.yml: client "Bad Co" (#1): emails: "bob@" is not an email address',
      'clients.yml: client "Bad Co" (#1): currency: "dollars" is not an ISO 4217 currency code',
      'clients.yml: client "Bad Co" (#1): paymentTermsDays: must be 0..365',
      'clients.yml: client "Bad Co" (#1): reminders.0.day: a negative day needs from: due (days before the due date)',
      'clients.yml: client "Bad Co" (#1): reminders.1.tone: must be friendly, firm or final',
      'clients.yml: client "Bad Co" (#1): finalMode: must be pause or notice-only',
      'clients.yml: client "Bad Co" (#1): autoSend: must be true or false',
      'clients.yml: client #3: name: is required',
    ]);
  });

  test.each([
    ['emails: []', 'emails: needs at least one address'],
    ['emails: 42', 'emails: must be an email address or a list of them'],
    ['id: Test Co', 'id: must be a slug like "acme" (lower-case letters, digits and dashes)'],
    ['currency: 978', 'currency: must be an ISO 4217 currency code like USD'],
    ['paymentTermsDays: 400', 'paymentTermsDays: must be 0..365'],
    ['paymentTermsDays: 7.5', 'paymentTermsDays: must be a whole number of days'],
    ['paymentTermsDays: "30"', 'paymentTermsDays: must be a whole number of days'],
    ['provider: sage', 'provider: must be stripe, quickbooks, freshbooks, xero, invoiceninja, zoho or wave'],
    ['asanaProjects: "1200"', 'asanaProjects: must be a list of Asana project gids'],
    ['asanaProjects: [12345678901234567890]', 'asanaProjects: 12345678901234567000 is too long to read as a number; quote the gid ("...")'],
    ['asanaProjects: ["https://app.asana.com/0/1200"]', 'asanaProjects: "https://app.asana.com/0/1200" is not an Asana project gid (digits only)'],
    ['reminders: weekly', 'reminders: must be a list of {day, tone, from}'],
    ['reminders: [{ day: 1.5, tone: firm }]', 'reminders.0.day: must be a whole number of days'],
    ['reminders: [{ day: 0, tone: firm }]', 'reminders.0.day: day 0 from delivery is the invoice itself; use 1 or more'],
    ['reminders: [{ day: 3, tone: firm, from: sent }]', 'reminders.0.from: must be delivery or due'],
    ['reminders: [{ day: 3, tone: firm, form: due }]', 'reminders.0.form: is not a known field'],
    ['reminders: [{ day: 7, tone: friendly }, { day: 7, tone: firm }]', 'reminders: has the same day twice'],
    ['autoSend: "yes"', 'autoSend: must be true or false'],
    ['autosend: true', 'autosend: is not a known field (did you mean autoSend?)'],
  ])('%s → one error naming the client and field', (fields, error) => {
    const { clients, errors } = parseClients(`clients:\n${entry(fields)}  - { name: Fine, emails: f@fine.example }\n`, 'clients.yml');
    expect(errors).toEqual([`clients.yml: client "Test Co" (#1): ${error}`]);
    expect(clients.map((c) => c.name)).toEqual(['Fine']);
  });

  test('accepted variants: unquoted safe gids, mixed-case currency, due-relative day 0, empty reminder list', () => {
    const { clients, errors } = parseClients(
      `clients:\n${entry('asanaProjects: [1200, "1300", 1200], currency: eur, reminders: [{ day: 0, from: due, tone: firm }]')}` +
        `  - { name: Quiet, emails: [q@q.example, q@q.example], reminders: [] }\n`,
    );
    expect(errors).toEqual([]);
    expect(clients[0]).toMatchObject({ asanaProjectGids: ['1200', '1300'], currency: 'EUR', reminderSchedule: [{ day: 0, from: 'due', tone: 'firm' }] });
    expect(clients[1]).toMatchObject({ emails: ['q@q.example'], reminderSchedule: [] });
  });

  test('an entry that is not a mapping, or has a non-text name, is reported by position', () => {
    const { clients, errors } = parseClients('clients:\n  - acme\n  - { name: 2024, emails: a@a.example }\n  - { name: Ok, emails: ok@ok.example }\n');
    expect(clients.map((c) => c.id)).toEqual(['ok']);
    expect(errors).toEqual(['clients file: client #1: must be a mapping with at least name and emails', 'clients file: client #2: name: must be text']);
  });

  test('duplicate ids and shared Asana projects name both clients; the later one is skipped', () => {
    const { clients, errors } = parseClients(
      `clients:\n  - { id: acme, name: Acme, emails: a@a.example, asanaProjects: ["1"] }\n  - { id: acme, name: Acme Two, emails: b@b.example }\n  - { name: Other, emails: o@o.example, asanaProjects: ["2", "1"] }\n  - { name: ACME, emails: c@c.example }\n`,
    );
    expect(clients.map((c) => c.name)).toEqual(['Acme']);
    expect(errors).toEqual([
      'clients file: client "Acme Two" (#2): id: "acme" is already used by client "Acme"',
      'clients file: client "Other" (#3): asanaProjects: project 1 already belongs to client "Acme"',
      'clients file: client "ACME" (#4): id: "acme" is already used by client "Acme"',
    ]);
  });

  test('a skipped entry claims neither its id nor its projects', () => {
    const { clients, errors } = parseClients(
      `clients:\n  - { id: acme, name: Acme, emails: bad, asanaProjects: ["1"] }\n  - { id: acme, name: Acme, emails: a@a.example, asanaProjects: ["1"] }\n`,
    );
    expect(errors).toEqual(['clients file: client "Acme" (#1): emails: "bad" is not an email address']);
    expect(clients.map((c) => c.id)).toEqual(['acme']);
  });

  test('a missing or unreadable file stops the start with its path; invalid YAML is a single clear error', async () => {
    await expect(loadClientsFile('/nonexistent/clients.yml')).rejects.toThrow(
      'CLIENTS_FILE: /nonexistent/clients.yml does not exist; copy clients.example.yml there and edit it (npm run setup does the copy), or set CLIENTS_FILE to your clients file',
    );
    await expect(loadClientsFile('test')).rejects.toThrow(`CLIENTS_FILE: cannot read test (${resolve('test')}) (EISDIR)`);
    const unclosed = parseClients('clients: [unclosed', 'clients.yml');
    expect(unclosed.clients).toEqual([]);
    expect(unclosed.errors).toHaveLength(1);
    expect(unclosed.errors[0]).toMatch(/^clients\.yml: not valid YAML: .* at line 1, column \d+:?$/);
    expect(parseClients('clients:\n  - name: A\n    name: B\n').errors).toEqual([expect.stringMatching(/^clients file: not valid YAML: Map keys must be unique at line 3/)]);
    expect(parseClients('just: text').errors).toEqual(['clients file: expected a top-level "clients:" list']);
    expect(parseClients('').errors).toEqual(['clients file: expected a top-level "clients:" list']);
    expect(parseClients('clients: []')).toEqual({ clients: [], errors: [] });
  });

  test('time zone and business hours (quiet hours): read, normalised and checked', () => {
    const good = parseClients(`clients:\n${entry('timezone: America/New_York, businessHours: { start: 8, end: "17:30" }')}`);
    expect(good.errors).toEqual([]);
    expect(good.clients[0]).toMatchObject({ timezone: 'America/New_York', businessHours: { start: '08:00', end: '17:30' } });
    expect(parseClients(`clients:\n${entry('emails: n@n.example')}`).clients[0]).not.toHaveProperty('businessHours');
    const bad = parseClients(
      `clients:\n${entry('timezone: Mars/Olympus')}${entry('businessHours: { start: "17:00", end: "09:00" }')}${entry('businessHours: { start: 9am, end: 17 }')}${entry('businessHours: { from: 9, end: 17 }')}`,
    );
    expect(bad.errors).toEqual([
      'clients file: client "Test Co" (#1): timezone: "Mars/Olympus" is not an IANA time zone such as Europe/Berlin',
      'clients file: client "Test Co" (#2): businessHours.end: start must be before end',
      'clients file: client "Test Co" (#3): businessHours.start: "9am" is not a time such as "09:00"',
      'clients file: client "Test Co" (#4): businessHours.start: is required (a time such as "09:00")',
      'clients file: client "Test Co" (#4): businessHours.from: is not a known field',
    ]);
  });

  test('groupReminders (off by default) and sendAt (a time of day, absent by default)', () => {
    const { clients, errors } = parseClients(`clients:\n${entry('id: a, groupReminders: true, sendAt: 10')}${entry('id: b')}${entry('id: c, groupReminders: yes, sendAt: noon')}`);
    expect(clients.map((c) => [c.id, c.groupReminders, c.sendAt])).toEqual([
      ['a', true, '10:00'],
      ['b', undefined, undefined],
    ]);
    expect(errors).toEqual([
      'clients file: client "Test Co" (#3): groupReminders: must be true or false',
      'clients file: client "Test Co" (#3): sendAt: "noon" is not a time such as "09:00"',
    ]);
  });

  test('freshbooksTax names a FreshBooks tax (FreshBooks clients only); payInstructions is free text', () => {
    const { clients, errors } = parseClients(
      'clients:\n' +
        entry('id: a, provider: freshbooks, freshbooksTax: " GST "') +
        entry('id: b, provider: quickbooks, payInstructions: "Wire to IBAN GB00 0000, quoting the invoice number"') +
        entry('id: c, provider: stripe, freshbooksTax: GST') +
        entry('id: d, provider: freshbooks, freshbooksTax: ""') +
        entry('id: e, payInstructions: 42'),
      'clients.yml',
    );
    expect(clients.map((c) => [c.id, c.freshbooksTax ?? null, c.payInstructions ?? null])).toEqual([
      ['a', 'GST', null],
      ['b', null, 'Wire to IBAN GB00 0000, quoting the invoice number'],
    ]);
    expect(errors).toEqual([
      'clients.yml: client "Test Co" (#3): freshbooksTax: applies only to provider: freshbooks (this client uses stripe, where the tax comes from the customer record)',
      'clients.yml: client "Test Co" (#4): freshbooksTax: must not be empty',
      'clients.yml: client "Test Co" (#5): payInstructions: must be text (how to pay without a payment link)',
    ]);
  });

  test('slugs', () => {
    expect(slugify('Acme Ltd.')).toBe('acme-ltd');
    expect(slugify('  Café Crème & Co ')).toBe('cafe-creme-co');
    expect(slugify('株式会社')).toBe('client');
  });
});

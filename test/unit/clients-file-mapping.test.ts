import { parseClients } from '../../src/clients-file.js';
import { acmeClientsFile } from '../support/clients-file.js';
import { DEFAULT_MAPPING } from '../../src/providers/projects/mapping.js';

const file = acmeClientsFile;

describe('clients file: milestone mapping', () => {
  test('absent: no mapping (the default names apply)', () => {
    const { clients, errors } = parseClients(file(''));
    expect(errors).toEqual([]);
    expect(clients[0]!.mapping).toBeUndefined();
    expect(clients[0]!.timeBilling).toBeUndefined();
  });

  test('fields left out keep their default names', () => {
    const { clients, errors } = parseClients(file('    mapping: { billingField: "Invoice this", amountField: " Fee ", doneStatus: Ready to bill, billingTag: billable }'));
    expect(errors).toEqual([]);
    expect(clients[0]!.mapping).toEqual({ ...DEFAULT_MAPPING, billingField: 'Invoice this', amountField: 'Fee', doneStatus: 'Ready to bill', billingTag: 'billable' });
  });

  test('errors name the client and the field; a misspelt field gets a suggestion', () => {
    expect(parseClients(file('    mapping: { amountfield: Fee }')).errors).toEqual([
      'clients file: client "Acme Ltd" (#1): mapping.amountfield: is not a known field (did you mean amountField?)',
    ]);
    expect(parseClients(file('    mapping: { billingField: "  " }')).errors).toEqual(['clients file: client "Acme Ltd" (#1): mapping.billingField: must not be empty']);
    expect(parseClients(file('    mapping: { rateField: 12 }')).errors).toEqual([
      'clients file: client "Acme Ltd" (#1): mapping.rateField: must be a name as the project tool shows it',
    ]);
    expect(parseClients(file('    mapping: Fee')).errors).toEqual([expect.stringMatching(/client "Acme Ltd" \(#1\): mapping: must be a mapping \{billingField/)]);
  });
});

describe('clients file: time entries', () => {
  test('rate and per-person rates in minor units of the client currency; grouped per task by default', () => {
    const { clients, errors } = parseClients(file('    timeEntries: { rate: "120.50", personRates: { "Dana@Agency.example": 150, Sam: "99.99" } }'));
    expect(errors).toEqual([]);
    expect(clients[0]!.timeBilling).toEqual({ groupBy: 'task', rate: 12_050, personRates: { 'dana@agency.example': 15_000, sam: 9_999 } });
    expect(parseClients(file('    timeEntries: { rate: 9000, groupBy: person }', 'JPY')).clients[0]!.timeBilling).toEqual({ groupBy: 'person', rate: 9000, personRates: {} });
  });

  test('enabled: false keeps lines from the Amount fields', () => {
    expect(parseClients(file('    timeEntries: { enabled: false, rate: 100 }')).clients[0]!.timeBilling).toBeUndefined();
  });

  test('errors name the client and the field', () => {
    const errors = (extra: string) => parseClients(file(extra)).errors;
    expect(errors('    timeEntries: { groupBy: task }')).toEqual([
      'clients file: client "Acme Ltd" (#1): timeEntries.rate: is required (major units per hour, e.g. 120 or "120.00")',
    ]);
    expect(errors('    timeEntries: { rate: 0 }')).toEqual(['clients file: client "Acme Ltd" (#1): timeEntries.rate: must be more than zero']);
    expect(errors('    timeEntries: { rate: 100, groupBy: day }')).toEqual(['clients file: client "Acme Ltd" (#1): timeEntries.groupBy: must be task or person']);
    expect(errors('    timeEntries: { rate: 100, personRates: { Sam: "a lot" } }')).toEqual([
      expect.stringMatching(/^clients file: client "Acme Ltd" \(#1\): timeEntries\.personRates\.Sam: /),
    ]);
    expect(errors('    timeEntries: { rate: 100, groupby: task }')).toEqual([
      'clients file: client "Acme Ltd" (#1): timeEntries.groupby: is not a known field (did you mean groupBy?)',
    ]);
  });
});

import { parseClients } from '../../src/clients-file.js';
import { acmeClientsFile } from '../support/clients-file.js';

const file = (retainer: string, currency = 'USD') => acmeClientsFile(`    retainer: ${retainer}`, currency);

describe('clients file: retainer', () => {
  test('absent: no retainer', () => {
    const { clients, errors } = parseClients(file('null').replace('    retainer: null\n', ''));
    expect(errors).toEqual([]);
    expect(clients[0]!.retainer).toBeUndefined();
  });

  test('defaults: "Monthly retainer" on the 1st, from the day it is first seen', () => {
    const { clients, errors } = parseClients(file('{ amount: 1500 }'));
    expect(errors).toEqual([]);
    expect(clients[0]!.retainer).toEqual({ amount: 150000, description: 'Monthly retainer', dayOfMonth: 1, startsOn: null });
  });

  test('every field, amount as an exact decimal string in the client currency', () => {
    const { clients, errors } = parseClients(file('{ amount: "2,500.50", description: "Support plan", dayOfMonth: 15, startsOn: 2026-12-01 }'));
    expect(errors).toEqual([]);
    expect(clients[0]!.retainer).toEqual({ amount: 250050, description: 'Support plan', dayOfMonth: 15, startsOn: '2026-12-01' });
    expect(parseClients(file('{ amount: 120000 }', 'JPY')).clients[0]!.retainer!.amount).toBe(120000);
  });

  test.each([
    ['{ description: x }', 'retainer.amount: is required (major units, e.g. 1500 or "1500.00")'],
    ['{ amount: abc }', 'retainer.amount: "abc" is not an amount'],
    ['{ amount: 0 }', 'retainer.amount: must be more than zero'],
    ['{ amount: -5 }', 'retainer.amount: must be more than zero'],
    ['{ amount: 10.005 }', 'retainer.amount: "10.005" has more decimals than USD allows (2)'],
    ['{ amount: 10, dayOfMonth: 31 }', 'retainer.dayOfMonth: must be a whole day 1..28 (every month has it)'],
    ['{ amount: 10, dayOfMonth: 0 }', 'retainer.dayOfMonth: must be a whole day 1..28'],
    ['{ amount: 10, dayOfMonth: 1.5 }', 'retainer.dayOfMonth: must be a whole day 1..28'],
    ['{ amount: 10, startsOn: 2026-13-01 }', 'retainer.startsOn: "2026-13-01" is not a date YYYY-MM-DD'],
    ['{ amount: 10, startsOn: "next month" }', 'retainer.startsOn: "next month" is not a date YYYY-MM-DD'],
    ['{ amount: 10, description: "" }', 'retainer.description: must not be empty'],
    ['{ amount: 10, dayofmonth: 5 }', 'retainer.dayofmonth: is not a known field (did you mean dayOfMonth?)'],
    ['1500', 'retainer: must be a mapping {amount, description, dayOfMonth, startsOn}'],
  ])('%s is refused with a clear error naming the client', (retainer, message) => {
    const { clients, errors } = parseClients(file(retainer), 'clients.yml');
    expect(clients).toEqual([]);
    expect(errors).toEqual([`clients.yml: client "Acme Ltd" (#1): ${message}`]);
  });
});

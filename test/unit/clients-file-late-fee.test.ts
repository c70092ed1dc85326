import { parseClients } from '../../src/clients-file.js';
import { acmeClientsFile } from '../support/clients-file.js';

const file = (lateFee: string | null, currency = 'USD') => acmeClientsFile(lateFee === null ? '' : `    lateFee: ${lateFee}`, currency);

describe('clients file: lateFee', () => {
  test('absent: no late fees (the default)', () => {
    const { clients, errors } = parseClients(file(null));
    expect(errors).toEqual([]);
    expect(clients[0]!.lateFee).toBeUndefined();
  });

  test('percent in basis points, amounts in minor units of the client currency, defaults for the rest', () => {
    expect(parseClients(file('{ percent: 5, graceDays: 7, cap: "200.50" }')).clients[0]!.lateFee).toEqual({
      kind: 'percent',
      basisPoints: 500,
      graceDays: 7,
      per: 'step',
      cap: 20_050,
    });
    expect(parseClients(file('{ amount: 2500, per: invoice }', 'JPY')).clients[0]!.lateFee).toEqual({ kind: 'flat', amount: 2500, graceDays: 0, per: 'invoice', cap: null });
  });

  test.each([
    ['{ graceDays: 7 }', /lateFee: needs either percent or amount/],
    ['{ percent: 5, amount: 10 }', /lateFee: needs either percent or amount/],
    ['{ percent: 150 }', /lateFee\.percent: "150" is not a percentage/],
    ['{ percent: "1.234" }', /lateFee\.percent: "1\.234" is not a percentage/],
    ['{ amount: 0 }', /lateFee\.amount: must be more than zero/],
    ['{ amount: "1.5" }', /lateFee\.amount: "1\.5" has more decimals than JPY allows/],
    ['{ percent: 5, cap: -1 }', /lateFee\.cap: must be more than zero/],
    ['{ percent: 5, per: month }', /lateFee\.per: must be step or invoice/],
    ['{ percent: 5, grace: 7 }', /lateFee/],
    ['5', /lateFee: must be a mapping/],
  ])('%s is refused with the reason', (value, reason) => {
    const { clients, errors } = parseClients(file(value, 'JPY'));
    expect(clients).toEqual([]);
    expect(errors.join('\n')).toMatch(reason);
  });
});

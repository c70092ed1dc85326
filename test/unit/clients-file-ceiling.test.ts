import { parseClients } from '../../src/clients-file.js';
import { acmeClientsFile } from '../support/clients-file.js';

const file = (maxInvoiceAmount: string | null, currency = 'USD') => acmeClientsFile(maxInvoiceAmount === null ? '' : `    maxInvoiceAmount: ${maxInvoiceAmount}`, currency);

describe('clients file: maxInvoiceAmount', () => {
  test('absent: the business-wide INVOICE_AMOUNT_CEILING applies', () => {
    const { clients, errors } = parseClients(file(null));
    expect(errors).toEqual([]);
    expect(clients[0]!.maxInvoiceAmount).toBeUndefined();
  });

  test('an exact amount in the client currency, stored in minor units', () => {
    expect(parseClients(file('"250,000.50"')).clients[0]!.maxInvoiceAmount).toBe(25_000_050);
    expect(parseClients(file('5000000', 'JPY')).clients[0]!.maxInvoiceAmount).toBe(5_000_000);
  });

  test.each([
    ['0', /maxInvoiceAmount: must be more than zero/],
    ['-5', /maxInvoiceAmount: must be more than zero/],
    ['"12.345"', /maxInvoiceAmount: "12\.345" has more decimals than USD allows/],
    ['90000000000000', /maxInvoiceAmount: "90000000000000" is too large/],
    ['lots', /maxInvoiceAmount: "lots" is not an amount/],
    ['[1]', /maxInvoiceAmount: must be an amount in the client's currency/],
  ])('%s is refused with the reason', (value, reason) => {
    const { clients, errors } = parseClients(file(value));
    expect(clients).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(reason)]);
  });
});

import { dataCentreFromCallback, zohoHosts } from '../../src/providers/invoicing/zoho-dc.js';
import { fromZohoAmount, toZohoAmount } from '../../src/providers/invoicing/zoho-currency.js';
import { packZohoRefreshToken, unpackZohoRefreshToken } from '../../src/providers/invoicing/zoho-oauth.js';
import { parseZohoDelivery } from '../../src/providers/invoicing/zoho-webhook.js';
import { toBackendInvoice, zohoStatus } from '../../src/providers/invoicing/zoho.js';
import { loadConfig } from '../../src/config.js';
import { BackendError } from '../../src/providers/invoicing/errors.js';

/** The pure parts of the Zoho Invoice back-end: data centres, money, the sealed DC, deliveries, statuses. */

const q = (params: Record<string, string>) => new URLSearchParams(params);

describe('the data centre a consent callback names', () => {
  test.each([
    [{}, 'us'],
    [{ location: 'us', 'accounts-server': 'https://accounts.zoho.com' }, 'us'],
    [{ location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' }, 'eu'],
    [{ location: 'IN' }, 'in'],
    [{ location: 'au', 'accounts-server': 'https://accounts.zoho.com.au/' }, 'au'],
    [{ location: 'jp' }, 'jp'],
    [{ location: 'ca', 'accounts-server': 'https://accounts.zohocloud.ca' }, 'ca'],
    [{ 'accounts-server': 'https://accounts.zoho.eu' }, 'eu'],
  ])('%j → %s', (params, dc) => {
    expect(dataCentreFromCallback(q(params))).toEqual({ dc });
  });

  test.each([
    [{ location: 'cn' }, /unknown Zoho data centre/],
    [{ location: 'sa' }, /unknown Zoho data centre/],
    [{ location: '__proto__' }, /unknown Zoho data centre/],
    [{ location: 'toString' }, /unknown Zoho data centre/],
    [{ location: 'ca', 'accounts-server': 'https://accounts.zoho.ca' }, /not one of Zoho/],
    [{ 'accounts-server': 'http://accounts.zoho.com' }, /not one of Zoho/],
    [{ 'accounts-server': 'https://accounts.zoho.com@evil.example' }, /not one of Zoho/],
    [{ location: 'us', 'accounts-server': 'https://accounts.zoho.eu' }, /not the one of data centre "us"/],
  ])('%j is refused', (params, reason) => {
    const result = dataCentreFromCallback(q(params));
    expect('error' in result && result.error).toMatch(reason);
  });

  test("one override replaces every DC's hosts, keeping the DC in the path", () => {
    expect(zohoHosts('eu', null)).toEqual({ accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu' });
    expect(zohoHosts('ca', 'http://127.0.0.1:4070/')).toEqual({ accounts: 'http://127.0.0.1:4070/ca', api: 'http://127.0.0.1:4070/ca' });
  });
});

test('the DC travels with the refresh token; a stored value without one asks for a reconnect', () => {
  const packed = packZohoRefreshToken('jp', '1000.abc.def');
  expect(unpackZohoRefreshToken(packed)).toEqual({ dc: 'jp', refreshToken: '1000.abc.def' });
  expect(() => unpackZohoRefreshToken('1000.abc.def')).toThrow(BackendError);
  expect(() => unpackZohoRefreshToken('zoho-dc=xx;1000.abc')).toThrow(/reconnects/);
});

describe('money at the Zoho boundary', () => {
  test.each([
    [150000, 'USD', 2, 1500],
    [98050, 'EUR', 2, 980.5],
    [150000, 'JPY', 0, 150000],
    [1500, 'ISK', 0, 1500],
    [1255, 'KWD', 3, 1.255],
    [1250, 'KWD', 2, 1.25],
    [1, 'USD', 2, 0.01],
  ])('%d minor %s at precision %d → %d', (minor, currency, precision, wire) => {
    expect(toZohoAmount(minor, currency, precision)).toBe(wire);
  });

  test('an amount Zoho cannot hold with its decimals is refused, never rounded', () => {
    expect(() => toZohoAmount(1255, 'KWD', 2)).toThrow(/1\.255 KWD cannot be sent to Zoho Invoice exactly/);
    expect(() => toZohoAmount(150050, 'USD', 0)).toThrow(/cannot be sent/);
    // duebot's largest amount (15 digits) survives a JSON number both ways.
    expect(toZohoAmount(999_999_999_999_999, 'USD', 2)).toBe(9999999999999.99);
    expect(fromZohoAmount(9999999999999.99, 'USD')).toBe(999_999_999_999_999);
    expect(fromZohoAmount(999999999999.999, 'KWD')).toBe(999_999_999_999_999);
  });

  test.each([
    [1500, 'USD', 150000],
    [980.5, 'EUR', 98050],
    [0.1 + 0.2, 'USD', 30],
    ['1500.00', 'JPY', 1500],
    [1.255, 'KWD', 1255],
    [12.345, 'USD', 1235],
    [-12.345, 'USD', -1235],
    [null, 'USD', 0],
    [undefined, 'USD', 0],
  ])('read back %p %s → %d (what Zoho computed, rounded only past ISO decimals)', (wire, currency, minor) => {
    expect(fromZohoAmount(wire as number, currency)).toBe(minor);
  });
});

describe('workflow deliveries name an invoice to read again, nothing more', () => {
  const now = new Date('2026-11-02T10:00:30Z');
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));

  test('the default invoice body: one event for that invoice, amounts ignored', () => {
    const [event] = parseZohoDelivery(body({ invoice: { invoice_id: '460000000026049', total: 1, status: 'paid' } }), q({}), now);
    expect(event).toMatchObject({ kind: 'payment', providerInvoiceId: '460000000026049', type: 'invoice.workflow', occurredAt: now });
  });

  test('a payment names its invoices (or only itself: then the payment is read)', () => {
    const events = parseZohoDelivery(body({ payment: { payment_id: '9', invoices: [{ invoice_id: '11' }, { invoice_id: '12' }, { invoice_id: '11' }] } }), q({}), now);
    expect(events.map((e) => e.providerInvoiceId)).toEqual(['11', '12']);
    expect(parseZohoDelivery(body({ payment: { payment_id: '9' } }), q({}), now)).toEqual([
      expect.objectContaining({ providerInvoiceId: null, subject: { type: 'payment', id: '9' } }),
    ]);
  });

  test('a credit note names the invoices it was applied to', () => {
    expect(parseZohoDelivery(body({ creditnote: { creditnote_id: '5', invoices: [{ invoice_id: '11' }] } }), q({}), now)).toEqual([
      expect.objectContaining({ kind: 'credit', providerInvoiceId: '11' }),
    ]);
  });

  test('an invoice_id custom parameter on the URL works with any body', () => {
    expect(parseZohoDelivery(Buffer.from('ignored=1'), q({ invoice_id: '77' }), now)).toEqual([expect.objectContaining({ providerInvoiceId: '77' })]);
  });

  test.each([
    ['another entity', body({ contact: { contact_id: '1' } })],
    ['a hostile id', body({ invoice: { invoice_id: '../../organizations' } })],
    ['a prototype key', Buffer.from('{"__proto__":{"invoice_id":"1"}}')],
    ['an array', body([{ invoice: { invoice_id: '1' } }])],
    ['nothing', Buffer.alloc(0)],
  ])('%s is ignored', (_name, raw) => {
    expect(parseZohoDelivery(raw, q({}), now).map((e) => e.kind)).toEqual(['ignored']);
  });

  test('a body that is not JSON is malformed', () => {
    expect(() => parseZohoDelivery(Buffer.from('<xml/>'), q({}), now)).toThrow(/neither JSON/);
  });

  test('the same delivery within a minute is one event; a different body or minute is another', () => {
    const raw = body({ invoice: { invoice_id: '1', balance: 5 } });
    const id = (r: Buffer, at: Date) => parseZohoDelivery(r, q({}), at)[0]!.eventId;
    expect(id(raw, now)).toBe(id(raw, new Date('2026-11-02T10:00:59Z')));
    expect(id(raw, now)).not.toBe(id(body({ invoice: { invoice_id: '1', balance: 0 } }), now));
    expect(id(raw, now)).not.toBe(id(raw, new Date('2026-11-02T10:01:00Z')));
  });
});

test("Zoho's statuses and amounts in duebot's terms: payments and credits apart, no link on a draft or void invoice", () => {
  expect(['draft', 'sent', 'viewed', 'overdue', 'unpaid', 'partially_paid', 'paid', 'void'].map(zohoStatus)).toEqual([
    'draft',
    'open',
    'open',
    'open',
    'open',
    'open',
    'paid',
    'void',
  ]);
  const base = { invoice_id: '1', customer_id: '2', currency_code: 'USD', total: 1500, sub_total: 1500, tax_total: 0, invoice_url: 'https://zoho.example/secure?x' };
  expect(toBackendInvoice({ ...base, status: 'partially_paid', balance: 800, payment_made: 500, credits_applied: 200 }, [{ id: 'cn1', amount: 20000 }])).toMatchObject({
    status: 'open',
    amountDue: 150000,
    amountPaid: 50000,
    amountCredited: 20000,
    amountRemaining: 80000,
    paymentUrl: base.invoice_url,
  });
  expect(toBackendInvoice({ ...base, status: 'draft', balance: 1500 }, []).paymentUrl).toBeNull();
  expect(toBackendInvoice({ ...base, status: 'void', balance: 1500 }, [])).toMatchObject({ paymentUrl: null, amountRemaining: 0 });
});

test('config: Zoho needs both keys and ENCRYPTION_KEY; ZOHO_BASE_URL overrides every host', () => {
  const base = {
    SLACK_BOT_TOKEN: 'xoxb-1-2-BOT',
    SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
    BILLING_CHANNEL_ID: 'C0123ABCD',
    OWNER_SLACK_USER_ID: 'U0OWNER1',
    APPROVER_SLACK_USER_IDS: 'U0AAA1',
    ASANA_ACCESS_TOKEN: '1/ASANA',
    SMTP_URL: 'smtp://mail.example.com:587',
    EMAIL_FROM: 'Pixel & Co <billing@pixel.example>',
    BUSINESS_NAME: 'Pixel & Co',
  };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return String((err as Error).message);
    }
  };
  expect(problems({ ...base, ZOHO_CLIENT_ID: '1000.X' })).toMatch(/ZOHO_CLIENT_SECRET: is required to use Zoho Invoice/);
  expect(problems({ ...base, ZOHO_CLIENT_ID: '1000.X', ZOHO_CLIENT_SECRET: 's' })).toMatch(/ENCRYPTION_KEY: is required/);
  const config = loadConfig({
    ...base,
    ZOHO_CLIENT_ID: '1000.X',
    ZOHO_CLIENT_SECRET: 's',
    ZOHO_BASE_URL: 'http://127.0.0.1:4070',
    ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  });
  expect(config.zoho).toEqual({ clientId: '1000.X', clientSecret: 's', baseUrl: 'http://127.0.0.1:4070' });
});

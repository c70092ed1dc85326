import { invoiceMessage } from '../../blocks/invoice-message.js';
import { RECOMPUTE_TAX, SEND_WITHOUT_TAX } from '../../blocks/sales-tax.js';
import { APPROVE_INVOICE } from '../../blocks/ids.js';
import { parseClientSettings, SETTINGS_BLOCKS } from '../../blocks/client-settings-modal.js';
import { billingAddressOf } from '../../src/domain/billing-address.js';
import { parseClients } from '../../src/clients-file.js';
import type { SalesTaxView } from '../../src/domain/types.js';
import { percentFromFraction, taxMinorUnits } from '../../src/providers/tax/tax-money.js';
import { invoiceView } from './blocks-fixtures.js';

const opts = { timezone: 'UTC', now: new Date('2026-12-03T12:00:00Z') };
const computed: SalesTaxView = {
  status: 'computed',
  amount: 13313,
  ratePercent: '8.875',
  name: 'Sales tax (NY)',
  jurisdiction: 'NY, NEW YORK',
  source: 'TaxJar',
  reason: null,
  decidedBy: null,
};
const actionsOf = (view: ReturnType<typeof invoiceView>) =>
  (invoiceMessage(view, opts).blocks.find((b) => b.type === 'actions') as { elements: { action_id: string }[] }).elements.map((e) => e.action_id);
const textOf = (view: ReturnType<typeof invoiceView>) => JSON.stringify(invoiceMessage(view, opts).blocks);

describe('a draft with a tax service’s tax', () => {
  test('computed: the total adds it, the tax line says the rate and where it came from, Approve is offered', () => {
    const view = invoiceView({ salesTax: computed });
    const text = textOf(view);
    expect(text).toContain('*Total*\\n$1,633.13');
    expect(text).toContain('Subtotal $1,500.00 · Sales tax (NY), 8.875% $133.13 · *Total $1,633.13*');
    expect(text).toContain('Sales tax computed by TaxJar for NY, NEW YORK');
    expect(text).not.toContain('added when sent');
    expect(actionsOf(view)).toContain(APPROVE_INVOICE);
  });

  test('pending or failed: no Approve; Recompute tax and Send without tax instead', () => {
    for (const status of ['pending', 'failed'] as const) {
      const view = invoiceView({ salesTax: { ...computed, status, amount: null, reason: 'TaxJar tax for order failed (503)' } });
      expect(actionsOf(view)).toEqual([RECOMPUTE_TAX, SEND_WITHOUT_TAX, 'edit_invoice', 'discard_invoice']);
      expect(textOf(view)).toContain(status === 'pending' ? 'Sales tax pending' : 'Sales tax not computed');
      expect(textOf(view)).toContain('$1,500.00 + tax');
    }
  });

  test('skipped by an approver: said so, Approve is back', () => {
    const view = invoiceView({ salesTax: { ...computed, status: 'skipped', amount: null, decidedBy: 'slack:UAPPROVER1' } });
    expect(textOf(view)).toContain('No sales tax: <@UAPPROVER1> chose to send without tax');
    expect(actionsOf(view)).toContain(APPROVE_INVOICE);
  });
});

describe('tax money at the boundary', () => {
  test('float dollars become minor units through their decimal text, rounded half away from zero', () => {
    expect(taxMinorUnits(133.13, 'USD', 't')).toBe(13313);
    expect(taxMinorUnits(0.1 + 0.2, 'USD', 't')).toBe(30);
    expect(taxMinorUnits(26.625, 'USD', 't')).toBe(2663);
    expect(taxMinorUnits(26.624999, 'USD', 't')).toBe(2662);
    expect(taxMinorUnits(1.0000005, 'USD', 't')).toBe(100);
    expect(taxMinorUnits(12, 'JPY', 't')).toBe(12);
    expect(() => taxMinorUnits(Number.NaN, 'USD', 't')).toThrow();
    expect(() => taxMinorUnits('abc', 'USD', 't')).toThrow();
  });
  test('a rate fraction as a percent string', () => {
    expect(percentFromFraction(0.08875)).toBe('8.875');
    expect(percentFromFraction(0.101)).toBe('10.1');
    expect(percentFromFraction(0)).toBe('0');
    expect(percentFromFraction(0.06)).toBe('6');
    expect(percentFromFraction(1)).toBe('100');
  });
});

describe('billing address', () => {
  test('clients file: read, upper-cased, country US by default; a bad one names the client and field', () => {
    const { clients, errors } = parseClients(`clients:
  - name: Acme
    emails: ap@acme.example
    billingAddress: { line1: 350 5th Ave, city: New York, region: ny, postalCode: "10118" }
  - name: Bad
    emails: b@bad.example
    billingAddress: { region: NY, postalCode: 1011 }
  - name: Typo
    emails: t@typo.example
    billingAddress: { state: NY }
`);
    expect(clients.map((c) => c.billingAddress)).toEqual([{ line1: '350 5th Ave', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' }]);
    expect(errors).toEqual([
      expect.stringMatching(/client "Bad".*billingAddress: "1011" is not a US ZIP code/),
      expect.stringMatching(/client "Typo".*billingAddress\.state: is not a known field/),
    ]);
  });

  test('settings modal: all empty clears it; a bad ZIP is reported on its field', () => {
    const values = (a: Record<string, string>) => ({
      [SETTINGS_BLOCKS.emails]: { value: { value: 'ap@acme.example' } },
      [SETTINGS_BLOCKS.terms]: { value: { value: '14' } },
      [SETTINGS_BLOCKS.preset]: { value: { selected_option: { value: 'standard' } } },
      [SETTINGS_BLOCKS.finalMode]: { value: { selected_option: { value: 'pause' } } },
      [SETTINGS_BLOCKS.autoSend]: { value: { selected_option: { value: 'approve' } } },
      [SETTINGS_BLOCKS.billingLine1]: { value: { value: a.line1 ?? '' } },
      [SETTINGS_BLOCKS.billingCity]: { value: { value: a.city ?? '' } },
      [SETTINGS_BLOCKS.billingRegion]: { value: { value: a.region ?? '' } },
      [SETTINGS_BLOCKS.billingPostalCode]: { value: { value: a.postalCode ?? '' } },
      [SETTINGS_BLOCKS.billingCountry]: { value: { value: a.country ?? '' } },
    });
    expect(parseClientSettings(values({}) as never)).toMatchObject({ ok: true, settings: { billingAddress: null } });
    expect(parseClientSettings(values({ region: 'wa', postalCode: '98109' }) as never)).toMatchObject({
      ok: true,
      settings: { billingAddress: { region: 'WA', postalCode: '98109', country: 'US', line1: null, city: null } },
    });
    expect(parseClientSettings(values({ region: 'WA', postalCode: '9810' }) as never)).toEqual({
      ok: false,
      errors: { [SETTINGS_BLOCKS.billingPostalCode]: 'Billing address: "9810" is not a US ZIP code (12345 or 12345-6789).' },
    });
  });

  test('other countries: a region and postal code, no US rules', () => {
    expect(billingAddressOf({ region: 'ON', postalCode: 'M5V 3L9', country: 'ca' })).toEqual({
      address: { line1: null, city: null, region: 'ON', postalCode: 'M5V 3L9', country: 'CA' },
      problem: null,
    });
    expect(billingAddressOf({ region: 'NY', postalCode: '10118', country: 'USA' }).problem).toMatch(/two-letter/);
  });
});

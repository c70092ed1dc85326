import { SETTINGS_BLOCKS, clientSettingsModal, describeLateFee, parseClientSettings } from '../../blocks/client-settings-modal.js';
import { lateFeeNote, WAIVE_LATE_FEE } from '../../blocks/late-fee.js';
import { modalProblems } from '../../blocks/limits.js';
import type { ClientSettings } from '../../src/domain/client-settings.js';

const settings: ClientSettings = {
  emails: ['ap@acme.example'],
  paymentTermsDays: 7,
  reminderSchedule: [{ day: 7, from: 'delivery', tone: 'friendly' }],
  finalMode: 'pause',
  autoSend: false,
  timezone: null,
  businessHours: null,
  lateFee: { kind: 'percent', basisPoints: 150, graceDays: 7, per: 'invoice', cap: 5000 },
};
const input = { clientId: 'acme', clientName: 'Acme Ltd', settings, slackFields: [], businessTimezone: 'UTC', currency: 'EUR' };

/** The state Slack submits: the required fields valid, the late fee fields as given (undefined: not in the form). */
function state(fee?: { fee?: string; grace?: string; per?: string; cap?: string }) {
  const values: Record<string, unknown> = {
    [SETTINGS_BLOCKS.emails]: { value: { type: 'plain_text_input', value: 'ap@acme.example' } },
    [SETTINGS_BLOCKS.terms]: { value: { type: 'number_input', value: '7' } },
    [SETTINGS_BLOCKS.preset]: { value: { type: 'static_select', selected_option: { value: 'standard' } } },
    [SETTINGS_BLOCKS.finalMode]: { value: { type: 'radio_buttons', selected_option: { value: 'pause' } } },
    [SETTINGS_BLOCKS.autoSend]: { value: { type: 'radio_buttons', selected_option: { value: 'approve' } } },
  };
  if (fee) {
    values[SETTINGS_BLOCKS.lateFee] = { value: { type: 'plain_text_input', value: fee.fee ?? null } };
    values[SETTINGS_BLOCKS.lateFeeGrace] = { value: { type: 'number_input', value: fee.grace ?? null } };
    values[SETTINGS_BLOCKS.lateFeePer] = { value: { type: 'static_select', selected_option: fee.per ? { value: fee.per } : null } };
    values[SETTINGS_BLOCKS.lateFeeCap] = { value: { type: 'plain_text_input', value: fee.cap ?? null } };
  }
  return values as never;
}

describe('late fee in the client settings modal', () => {
  test('prefilled as people write it, within Slack limits; the read-only view describes it', () => {
    const view = clientSettingsModal(input);
    expect(modalProblems(view)).toEqual([]);
    const initial = Object.fromEntries(
      (view.blocks as { block_id?: string; element?: { initial_value?: string; initial_option?: { value: string } } }[])
        .filter((b) => b.block_id?.startsWith('cs_late_fee'))
        .map((b) => [b.block_id, b.element?.initial_value ?? b.element?.initial_option?.value]),
    );
    expect(initial).toEqual({
      [SETTINGS_BLOCKS.lateFee]: '1.5%',
      [SETTINGS_BLOCKS.lateFeeGrace]: '7',
      [SETTINGS_BLOCKS.lateFeePer]: 'invoice',
      [SETTINGS_BLOCKS.lateFeeCap]: '50.00',
    });
    expect(JSON.stringify(clientSettingsModal({ ...input, readOnly: true }))).toContain(
      '*Late fee:* 1.5% of the open balance once per invoice from 7 days past due, at most 50.00 EUR per invoice',
    );
    expect(describeLateFee({ kind: 'flat', amount: 2500, graceDays: 0, per: 'step', cap: null }, 'JPY')).toBe('2500 JPY with every reminder from 0 days past due');
  });

  test('a percent or an amount in the client currency; empty fee: off; a form without the fields leaves it alone', () => {
    expect(parseClientSettings(state({ fee: '5%', grace: '7', per: 'step' }), 'EUR')).toMatchObject({
      ok: true,
      settings: { lateFee: { kind: 'percent', basisPoints: 500, graceDays: 7, per: 'step', cap: null } },
    });
    expect(parseClientSettings(state({ fee: '25', per: 'invoice', cap: '100.50' }), 'EUR')).toMatchObject({
      ok: true,
      settings: { lateFee: { kind: 'flat', amount: 2500, graceDays: 0, per: 'invoice', cap: 10050 } },
    });
    expect(parseClientSettings(state({ fee: '', grace: '7', cap: 'nonsense' }), 'EUR')).toMatchObject({ ok: true, settings: { lateFee: null } });
    const without = parseClientSettings(state(), 'EUR');
    expect(without.ok && 'lateFee' in without.settings).toBe(false);
  });

  test('bad values come back on their own field', () => {
    expect(parseClientSettings(state({ fee: '150%' }), 'EUR')).toEqual({ ok: false, errors: { [SETTINGS_BLOCKS.lateFee]: expect.stringMatching(/"150%" is not a percentage/) } });
    expect(parseClientSettings(state({ fee: '2.5' }), 'JPY')).toEqual({ ok: false, errors: { [SETTINGS_BLOCKS.lateFee]: expect.stringMatching(/more decimals than JPY allows/) } });
    expect(parseClientSettings(state({ fee: '5%', cap: '0' }), 'EUR')).toEqual({ ok: false, errors: { [SETTINGS_BLOCKS.lateFeeCap]: 'Late fee: must be more than zero.' } });
    expect(parseClientSettings(state({ fee: '5%', grace: '400' }), 'EUR')).toEqual({
      ok: false,
      errors: { [SETTINGS_BLOCKS.lateFeeGrace]: 'Grace days must be a whole number from 0 to 365.' },
    });
  });
});

describe('late fee thread note', () => {
  test('open: the line and a Waive fee button carrying the fee id; waived: struck through, no button', () => {
    const open = lateFeeNote({ id: 'fee-1', number: 'INV-0042-F1', amount: 5000, currency: 'EUR', stepNumber: 2, paymentUrl: 'https://pay.example/f1' });
    expect(open.text).toBe(':money_with_wings: Late fee of €50.00 added (step 2) as invoice INV-0042-F1 · <https://pay.example/f1|Fee invoice>');
    expect(JSON.stringify(open.blocks)).toContain(`"action_id":"${WAIVE_LATE_FEE}"`);
    expect(JSON.stringify(open.blocks)).toContain('"value":"fee-1"');
    const waived = lateFeeNote({ id: 'fee-1', number: 'INV-0042-F1', amount: 5000, currency: 'EUR', stepNumber: 2, paymentUrl: null, waivedBy: 'UAPPROVER1' });
    expect(waived.text).toBe('~:money_with_wings: Late fee of €50.00 added (step 2) as invoice INV-0042-F1~ · waived by <@UAPPROVER1>');
    expect(JSON.stringify(waived.blocks)).not.toContain(WAIVE_LATE_FEE);
  });
});

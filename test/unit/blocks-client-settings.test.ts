import {
  CLIENT_SETTINGS_MODAL,
  SETTINGS_BLOCKS,
  clientPickerModal,
  clientSettingsModal,
  parseClientSettings,
  pickedClient,
  readSettingsMetadata,
  settingsSavedMessage,
} from '../../blocks/client-settings-modal.js';
import type { ClientSettings } from '../../src/domain/client-settings.js';
import { modalProblems } from '../../blocks/limits.js';

const settings: ClientSettings = {
  emails: ['ap@acme.example', 'cfo@acme.example'],
  paymentTermsDays: 7,
  reminderSchedule: [
    { day: 14, from: 'delivery', tone: 'friendly' },
    { day: 30, from: 'delivery', tone: 'friendly' },
    { day: 45, from: 'delivery', tone: 'firm' },
  ],
  finalMode: 'notice-only',
  autoSend: true,
  timezone: 'Europe/Berlin',
  businessHours: { start: '09:00', end: '17:00' },
};
const input = { clientId: 'acme', clientName: 'Acme Ltd', settings, slackFields: ['paymentTermsDays' as const], businessTimezone: 'UTC' };

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; text?: { text: string }; elements?: { text: string }[] };
const blockOf = (view: { blocks: unknown[] }, id: string) => (view.blocks as Block[]).find((b) => b.block_id === id)!;

/** The state Slack would submit for these values. */
function state(o: {
  emails?: string;
  terms?: string;
  preset?: string;
  schedule?: string;
  finalMode?: string;
  autoSend?: string;
  tz?: string;
  start?: string | null;
  end?: string | null;
}) {
  return {
    [SETTINGS_BLOCKS.emails]: { value: { type: 'plain_text_input', value: o.emails ?? 'ap@acme.example' } },
    [SETTINGS_BLOCKS.terms]: { value: { type: 'number_input', value: o.terms ?? '30' } },
    [SETTINGS_BLOCKS.preset]: { value: { type: 'static_select', selected_option: o.preset ? { value: o.preset } : null } },
    [SETTINGS_BLOCKS.schedule]: { value: { type: 'plain_text_input', value: o.schedule ?? null } },
    [SETTINGS_BLOCKS.finalMode]: { value: { type: 'radio_buttons', selected_option: { value: o.finalMode ?? 'pause' } } },
    [SETTINGS_BLOCKS.autoSend]: { value: { type: 'radio_buttons', selected_option: { value: o.autoSend ?? 'approve' } } },
    [SETTINGS_BLOCKS.timezone]: { value: { type: 'plain_text_input', value: o.tz ?? null } },
    [SETTINGS_BLOCKS.hoursStart]: { value: { type: 'timepicker', selected_time: o.start ?? null } },
    [SETTINGS_BLOCKS.hoursEnd]: { value: { type: 'timepicker', selected_time: o.end ?? null } },
  };
}

describe('client settings modal', () => {
  test('prefilled with the current settings, and says which fields come from Slack', () => {
    const view = clientSettingsModal(input);
    expect(view.callback_id).toBe(CLIENT_SETTINGS_MODAL);
    expect(view.submit).toBeDefined();
    expect(blockOf(view, SETTINGS_BLOCKS.emails).element!.initial_value).toBe('ap@acme.example, cfo@acme.example');
    expect(blockOf(view, SETTINGS_BLOCKS.terms).element!.initial_value).toBe('7');
    expect((blockOf(view, SETTINGS_BLOCKS.preset).element!.initial_option as { value: string }).value).toBe('enterprise');
    expect(blockOf(view, SETTINGS_BLOCKS.schedule).element!.initial_value).toBe('14 friendly\n30 friendly\n45 firm');
    expect((blockOf(view, SETTINGS_BLOCKS.finalMode).element!.initial_option as { value: string }).value).toBe('notice-only');
    expect((blockOf(view, SETTINGS_BLOCKS.autoSend).element!.initial_option as { value: string }).value).toBe('auto');
    expect(blockOf(view, SETTINGS_BLOCKS.timezone).element!.initial_value).toBe('Europe/Berlin');
    expect(blockOf(view, SETTINGS_BLOCKS.hoursStart).element!.initial_time).toBe('09:00');
    expect(blockOf(view, SETTINGS_BLOCKS.hoursEnd).element!.initial_time).toBe('17:00');
    const context = (view.blocks as Block[]).find((b) => b.type === 'context')!;
    expect(context.elements![0]!.text).toContain('Set in Slack (the clients file no longer applies to them): payment terms');
    expect(JSON.stringify(view)).toContain('Applies to invoices not sent yet');
    expect(readSettingsMetadata(view.private_metadata!)).toEqual({ clientId: 'acme', opened: settings });
    expect(modalProblems(view)).toEqual([]);
  });

  test("within Slack's limits with a long name and many contacts; the metadata falls back to the id alone", () => {
    const many = { ...settings, emails: Array.from({ length: 150 }, (_, i) => `person${i}@a-rather-long-domain-name.example`) };
    const view = clientSettingsModal({ ...input, clientName: 'Acme Holdings International Incorporated', settings: many });
    expect(modalProblems(view)).toEqual([]);
    expect(readSettingsMetadata(view.private_metadata!)).toEqual({ clientId: 'acme', opened: null });
    expect(modalProblems(clientSettingsModal({ ...input, settings: many, readOnly: true }))).toEqual([]);
    expect(
      modalProblems(clientPickerModal(Array.from({ length: 120 }, (_, i) => ({ id: `client-${i}`, name: `Client number ${i} with a long name that goes on and on and on` })))),
    ).toEqual([]);
  });

  test('read-only for people who may not save: no inputs, no submit button', () => {
    const view = clientSettingsModal({ ...input, readOnly: true });
    expect(view.submit).toBeUndefined();
    expect((view.blocks as Block[]).some((b) => b.type === 'input')).toBe(false);
    const textOf = JSON.stringify(view.blocks);
    expect(textOf).toContain('Enterprise: day 14 friendly, day 30 friendly, day 45 firm');
    expect(textOf).toContain('Mon–Fri 09:00–17:00 only');
    expect(textOf).toContain('Only invoice approvers can change these settings');
  });

  test('a valid submission with a preset', () => {
    const parsed = parseClientSettings(
      state({
        emails: 'ap@acme.example; new@acme.example',
        terms: '45',
        preset: 'high-risk',
        finalMode: 'notice-only',
        autoSend: 'auto',
        tz: 'America/New_York',
        start: '08:30',
        end: '18:00',
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      settings: {
        emails: ['ap@acme.example', 'new@acme.example'],
        paymentTermsDays: 45,
        reminderSchedule: [
          { day: 5, from: 'delivery', tone: 'firm' },
          { day: 10, from: 'delivery', tone: 'firm' },
          { day: 20, from: 'delivery', tone: 'final' },
        ],
        finalMode: 'notice-only',
        autoSend: true,
        timezone: 'America/New_York',
        businessHours: { start: '08:30', end: '18:00' },
      },
    });
  });

  test('grouped reminders and the send time: read when the form has them, left alone when it does not', () => {
    const base = state({ preset: 'standard' });
    const withFields = (grouping: string | null, sendAt: string | null) => ({
      ...base,
      [SETTINGS_BLOCKS.grouping]: { value: { type: 'radio_buttons', selected_option: grouping ? { value: grouping } : null } },
      [SETTINGS_BLOCKS.sendAt]: { value: { type: 'timepicker', selected_time: sendAt } },
    });
    const on = parseClientSettings(withFields('grouped', '10:00'));
    expect(on.ok && [on.settings.groupReminders, on.settings.sendAt]).toEqual([true, '10:00']);
    const off = parseClientSettings(withFields('single', null));
    expect(off.ok && [off.settings.groupReminders, off.settings.sendAt]).toEqual([false, null]);
    // A modal opened before these fields existed changes neither.
    const old = parseClientSettings(base);
    expect(old.ok && ['groupReminders' in old.settings, 'sendAt' in old.settings]).toEqual([false, false]);
    expect(parseClientSettings(withFields('both', '25:00'))).toMatchObject({
      ok: false,
      errors: { [SETTINGS_BLOCKS.grouping]: expect.any(String), [SETTINGS_BLOCKS.sendAt]: expect.any(String) },
    });
    // The modal offers them prefilled.
    const modal = clientSettingsModal({ ...input, settings: { ...settings, groupReminders: true, sendAt: '09:45' } });
    expect(blockOf(modal, SETTINGS_BLOCKS.grouping).element).toMatchObject({ initial_option: { value: 'grouped' } });
    expect(blockOf(modal, SETTINGS_BLOCKS.sendAt).element).toMatchObject({ initial_time: '09:45' });
  });

  test('custom steps are read only with "Custom"; empty time zone and times mean none', () => {
    const custom = parseClientSettings(state({ preset: 'custom', schedule: '3 friendly\n9 final' }));
    expect(custom.ok && custom.settings.reminderSchedule).toEqual([
      { day: 3, from: 'delivery', tone: 'friendly' },
      { day: 9, from: 'delivery', tone: 'final' },
    ]);
    expect(custom.ok && [custom.settings.timezone, custom.settings.businessHours]).toEqual([null, null]);
    const preset = parseClientSettings(state({ preset: 'standard', schedule: 'nonsense' }));
    expect(preset.ok && preset.settings.reminderSchedule.map((s) => s.day)).toEqual([7, 14, 30]);
  });

  test('every bad field gets its own error, keyed by block id', () => {
    const parsed = parseClientSettings(
      state({ emails: 'ap@acme.example, not-an-email', terms: '400', preset: 'custom', schedule: '7 friendly\n7 firm', tz: 'Mars/Olympus', start: '17:00', end: '09:00' }),
    );
    expect(parsed).toEqual({
      ok: false,
      errors: {
        [SETTINGS_BLOCKS.emails]: '"not-an-email" is not an email address.',
        [SETTINGS_BLOCKS.terms]: 'Payment terms must be a whole number of days from 0 to 365 (got "400").',
        [SETTINGS_BLOCKS.schedule]: 'Line 2: day 7 appears twice.',
        [SETTINGS_BLOCKS.timezone]: '"Mars/Olympus" is not a time zone; use an IANA name such as Europe/Berlin or America/New_York.',
        [SETTINGS_BLOCKS.hoursEnd]: 'The end (09:00) must be after the start (17:00).',
      },
    });
  });

  test('more errors: negative or fractional terms, one time without the other, no schedule chosen', () => {
    const parsed = parseClientSettings(state({ terms: '-1', start: '09:00' }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[SETTINGS_BLOCKS.terms]).toContain('"-1"');
    expect(parsed.errors[SETTINGS_BLOCKS.hoursEnd]).toBe('Set both times, or clear both for no quiet hours.');
    expect(parsed.errors[SETTINGS_BLOCKS.preset]).toBe('Choose a reminder schedule.');
    expect(parseClientSettings(state({ terms: '2.5', preset: 'standard' }))).toMatchObject({
      ok: false,
      errors: { [SETTINGS_BLOCKS.terms]: expect.stringContaining('whole number') },
    });
  });

  test('the client picker lists clients and reads the choice', () => {
    const view = clientPickerModal([
      { id: 'acme', name: 'Acme Ltd' },
      { id: 'globex', name: 'Globex' },
    ]);
    expect(JSON.stringify(view)).toContain('Globex (globex)');
    expect(pickedClient({ [SETTINGS_BLOCKS.client]: { value: { selected_option: { value: 'globex' } } } } as never)).toBe('globex');
    expect(clientPickerModal([]).submit).toBeUndefined();
  });

  test('the confirmation names what changed and what followed', () => {
    expect(settingsSavedMessage({ clientName: 'Acme Ltd', changed: ['reminderSchedule', 'businessHours'], replanned: 2, redated: 0, readdressed: 1 }).text).toBe(
      ':white_check_mark: Saved Acme Ltd: reminder schedule, quiet hours changed (2 open invoices re-planned, 1 invoice re-addressed).',
    );
  });
});

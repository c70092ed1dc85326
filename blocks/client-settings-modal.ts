import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { SETTING_LABELS, type ClientSettings, type SettingField } from '../src/domain/client-settings.js';
import { billingAddressOf, formatBillingAddress, type BillingAddress } from '../src/domain/billing-address.js';
import { DEFAULT_LOCALE, isLocale, LOCALE_NAMES, LOCALES } from '../src/domain/locale.js';
import { businessHoursProblem, isTimeZone, normalizeTimeOfDay } from '../src/domain/quiet-hours.js';
import { lateFeeFrom, lateFeeText, type LateFeeSettings } from '../src/domain/late-fees.js';
import { PRESET_NAMES, REMINDER_PRESETS, parseScheduleText, presetOf, scheduleToText, type PresetName } from '../src/domain/reminder-presets.js';
import type { ReminderStep, ReminderTone } from '../src/domain/types.js';
import { parseEmailList, type ViewStateValues } from './edit-modal.js';
import { clip, dateLabel, esc, truncate, who } from './format.js';

/** Ids of the client settings modal; `open_client_settings` is also the App Home's per-client button. */
export const OPEN_CLIENT_SETTINGS = 'open_client_settings';
export const CLIENT_SETTINGS_MODAL = 'client_settings_modal';
export const CLIENT_PICKER_MODAL = 'client_settings_picker';

/** block_ids (keys of `view.state.values` and of `response_action: errors`); every input's action_id is `value`. */
export const SETTINGS_BLOCKS = {
  emails: 'cs_emails',
  terms: 'cs_terms',
  preset: 'cs_preset',
  schedule: 'cs_schedule',
  finalMode: 'cs_final_mode',
  autoSend: 'cs_auto_send',
  timezone: 'cs_timezone',
  hoursStart: 'cs_hours_start',
  hoursEnd: 'cs_hours_end',
  client: 'cs_client',
  billingLine1: 'cs_bill_line1',
  billingCity: 'cs_bill_city',
  billingRegion: 'cs_bill_region',
  billingPostalCode: 'cs_bill_postal',
  billingCountry: 'cs_bill_country',
  clientPage: 'cs_client_page',
  locale: 'cs_locale',
  grouping: 'cs_grouping',
  sendAt: 'cs_send_at',
  lateFee: 'cs_late_fee',
  lateFeeGrace: 'cs_late_fee_grace',
  lateFeePer: 'cs_late_fee_per',
  lateFeeCap: 'cs_late_fee_cap',
} as const;
export const SETTINGS_ACTION = 'value';

type SettingsBlockId = (typeof SETTINGS_BLOCKS)[keyof typeof SETTINGS_BLOCKS];

const text = (t: string) => ({ type: 'plain_text' as const, text: t });
const option = (value: string, label: string): PlainTextOption => ({ text: text(truncate(label, 75)), value });

const PRESET_OPTIONS = [...PRESET_NAMES.map((name) => option(name, REMINDER_PRESETS[name].label)), option('custom', 'Custom: the steps below')];
const FINAL_OPTIONS = [option('pause', 'Pause the work and escalate (notice, task for the owner, DM)'), option('notice-only', 'Notice only (the email, nothing else)')];
const CLIENT_PAGE_OPTION = option('on', 'Link their invoice page in every email');
const LOCALE_OPTIONS = LOCALES.map((l) => option(l, `${LOCALE_NAMES[l]} (${l})`));
const LATE_FEE_PER_OPTIONS = [option('step', 'With every reminder sent after the grace period'), option('invoice', 'Once per invoice')];
const AUTO_SEND_OPTIONS = [option('approve', 'Ask an approver in Slack first'), option('auto', 'Send at once (auto-send)')];
const GROUPING_OPTIONS = [option('single', 'One reminder per invoice'), option('grouped', 'One statement a day listing every open invoice')];

/** Where a field's value comes from, shown under the modal so nobody wonders why the file is ignored. */
function sourceLine(slackFields: readonly SettingField[]): string {
  if (!slackFields.length) return 'Every field follows the clients file. A field you change here stays as set in Slack until changed again here.';
  return `Set in Slack (the clients file no longer applies to them): ${slackFields.map((f) => SETTING_LABELS[f]).join(', ')}. Other fields follow the clients file.`;
}

export interface SettingsModalInput {
  clientId: string;
  clientName: string;
  settings: ClientSettings;
  slackFields: SettingField[];
  businessTimezone: string;
  /** The client's currency, for a flat late fee and its cap (default USD). */
  currency?: string;
  /** Not an approver: the settings are shown, nothing can be saved. */
  readOnly?: boolean;
}

/** The per-client settings modal, prefilled with the current values (or a read-only summary). */
export function clientSettingsModal(input: SettingsModalInput): ModalView {
  const s = input.settings;
  const base = {
    type: 'modal' as const,
    callback_id: CLIENT_SETTINGS_MODAL,
    private_metadata: settingsMetadata(input.clientId, input.settings),
    title: text(truncate(`Settings: ${input.clientName}`, 24)),
  };
  if (input.readOnly) return { ...base, close: text('Close'), blocks: readOnlyBlocks(input) };
  const preset = presetOf(s.reminderSchedule);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(input.clientName)}* (\`${esc(input.clientId)}\`)`, 3000) } },
    field(
      SETTINGS_BLOCKS.emails,
      'Contacts (invoice and reminder emails)',
      {
        type: 'plain_text_input',
        action_id: SETTINGS_ACTION,
        initial_value: truncate(s.emails.join(', '), 3000),
      },
      { hint: 'Email addresses separated by commas. Open invoices still addressed to the old contacts switch too.' },
    ),
    field(
      SETTINGS_BLOCKS.terms,
      'Payment terms (days)',
      {
        type: 'number_input',
        action_id: SETTINGS_ACTION,
        is_decimal_allowed: false,
        min_value: '0',
        max_value: '365',
        initial_value: String(s.paymentTermsDays),
      },
      { hint: 'Applies to invoices not sent yet (drafts get the new due date); sent invoices keep theirs.' },
    ),
    field(
      SETTINGS_BLOCKS.preset,
      'Reminder schedule',
      {
        type: 'static_select',
        action_id: SETTINGS_ACTION,
        options: PRESET_OPTIONS,
        initial_option: PRESET_OPTIONS.find((o) => o.value === preset)!,
      },
      { hint: 'Open invoices are re-planned at once: reminders already sent are never sent again.' },
    ),
    field(
      SETTINGS_BLOCKS.schedule,
      'Custom steps (only with "Custom")',
      {
        type: 'plain_text_input',
        action_id: SETTINGS_ACTION,
        multiline: true,
        initial_value: scheduleToText(s.reminderSchedule),
        placeholder: text('7 friendly\n14 firm\n30 final'),
      },
      { optional: true, hint: 'One step per line: days after sending and tone (friendly, firm, final); "due-3 friendly" is 3 days before the due date.' },
    ),
    field(SETTINGS_BLOCKS.finalMode, 'Final step', {
      type: 'radio_buttons',
      action_id: SETTINGS_ACTION,
      options: FINAL_OPTIONS,
      initial_option: FINAL_OPTIONS.find((o) => o.value === s.finalMode)!,
    }),
    field(
      SETTINGS_BLOCKS.autoSend,
      'New invoices',
      {
        type: 'radio_buttons',
        action_id: SETTINGS_ACTION,
        options: AUTO_SEND_OPTIONS,
        initial_option: AUTO_SEND_OPTIONS[s.autoSend ? 1 : 0]!,
      },
      { hint: 'Drafts already waiting for approval stay waiting for a person.' },
    ),
    field(
      SETTINGS_BLOCKS.timezone,
      'Client time zone',
      {
        type: 'plain_text_input',
        action_id: SETTINGS_ACTION,
        ...(s.timezone ? { initial_value: s.timezone } : {}),
        placeholder: text(input.businessTimezone),
      },
      { optional: true, hint: `An IANA name such as Europe/Berlin; empty: the business time zone (${input.businessTimezone}).` },
    ),
    field(
      SETTINGS_BLOCKS.hoursStart,
      'Quiet hours: send from',
      {
        type: 'timepicker',
        action_id: SETTINGS_ACTION,
        ...(s.businessHours ? { initial_time: s.businessHours.start } : {}),
      },
      {
        optional: true,
        hint: 'With both times set, reminders go out only Monday to Friday between them, in the client time zone; a reminder due outside waits for the next allowed time. Both empty: any time.',
      },
    ),
    field(
      SETTINGS_BLOCKS.hoursEnd,
      'Quiet hours: send until',
      {
        type: 'timepicker',
        action_id: SETTINGS_ACTION,
        ...(s.businessHours ? { initial_time: s.businessHours.end } : {}),
      },
      { optional: true },
    ),
    field(
      SETTINGS_BLOCKS.locale,
      "Language of the client's emails",
      { type: 'static_select', action_id: SETTINGS_ACTION, options: LOCALE_OPTIONS, initial_option: LOCALE_OPTIONS[LOCALES.indexOf(s.locale ?? DEFAULT_LOCALE)]! },
      { hint: 'The shipped wording, money and date formats in that language; replies are understood in every language duebot knows. Slack stays in English.' },
    ),
    field(
      SETTINGS_BLOCKS.grouping,
      'Several reminders due on one day',
      { type: 'radio_buttons', action_id: SETTINGS_ACTION, options: GROUPING_OPTIONS, initial_option: GROUPING_OPTIONS[s.groupReminders ? 1 : 0]! },
      { hint: 'Grouped: one email in the tone of the most urgent reminder lists every open invoice with its payment link.' },
    ),
    field(
      SETTINGS_BLOCKS.sendAt,
      'Send reminders at',
      { type: 'timepicker', action_id: SETTINGS_ACTION, ...(s.sendAt ? { initial_time: s.sendAt } : {}) },
      { optional: true, hint: "With today's sends on, a reminder due on a day waits until this time (client time zone), after the morning list. Empty: when due." },
    ),
    ...billingAddressFields(s.billingAddress ?? null),
    field(
      SETTINGS_BLOCKS.clientPage,
      'Client page',
      { type: 'checkboxes', action_id: SETTINGS_ACTION, options: [CLIENT_PAGE_OPTION], ...(s.clientPage ? { initial_options: [CLIENT_PAGE_OPTION] } : {}) },
      { optional: true, hint: 'Every email links to a page of their open and recently paid invoices, with pay links and a statement. No login: the link is the key.' },
    ),
    ...lateFeeFields(s.lateFee ?? null, input.currency ?? 'USD'),
    { type: 'context', elements: [{ type: 'mrkdwn', text: sourceLine(input.slackFields) }] },
  ];
  return { ...base, submit: text('Save'), close: text('Cancel'), blocks };
}

/**
 * The modal remembers the client and the values it was opened with, so a save applies only what this
 * person changed (Slack caps private_metadata at 3000 characters; beyond that only the id is kept).
 */
export function settingsMetadata(clientId: string, opened: ClientSettings): string {
  const full = JSON.stringify({ c: clientId, o: opened });
  return full.length <= 3000 ? full : JSON.stringify({ c: clientId });
}

export function readSettingsMetadata(metadata: string): { clientId: string; opened: ClientSettings | null } | null {
  try {
    const parsed = JSON.parse(metadata) as { c?: unknown; o?: ClientSettings };
    return typeof parsed.c === 'string' ? { clientId: parsed.c, opened: parsed.o ?? null } : null;
  } catch {
    return null;
  }
}

/** The billing address, where sales tax is sourced to when a tax service (TaxJar, Avalara) is configured. */
function billingAddressFields(a: BillingAddress | null): KnownBlock[] {
  const input = (blockId: SettingsBlockId, label: string, value: string | null | undefined, placeholder: string, hint?: string) =>
    field(
      blockId,
      label,
      { type: 'plain_text_input', action_id: SETTINGS_ACTION, max_length: 200, ...(value ? { initial_value: value } : {}), placeholder: text(placeholder) },
      { optional: true, ...(hint ? { hint } : {}) },
    );
  return [
    input(
      SETTINGS_BLOCKS.billingLine1,
      'Billing address: street',
      a?.line1,
      '350 5th Ave',
      'Sales tax is computed for this address when a tax service is set up. All empty: no address.',
    ),
    input(SETTINGS_BLOCKS.billingCity, 'Billing address: city', a?.city, 'New York'),
    input(SETTINGS_BLOCKS.billingRegion, 'Billing address: state / region', a?.region, 'NY', 'US: the two-letter state code.'),
    input(SETTINGS_BLOCKS.billingPostalCode, 'Billing address: ZIP / postal code', a?.postalCode, '10118'),
    input(SETTINGS_BLOCKS.billingCountry, 'Billing address: country', a?.country, 'US', 'Two-letter code; empty: US.'),
  ];
}

/** The late fee (docs/late-fees.md): off while the fee is empty. */
function lateFeeFields(fee: LateFeeSettings | null, currency: string): KnownBlock[] {
  const written = fee ? lateFeeText(fee, currency) : null;
  const perOption = LATE_FEE_PER_OPTIONS.find((o) => o.value === (fee?.per ?? 'step'))!;
  return [
    field(
      SETTINGS_BLOCKS.lateFee,
      'Late fee',
      { type: 'plain_text_input', action_id: SETTINGS_ACTION, max_length: 20, ...(written ? { initial_value: written.fee } : {}), placeholder: text('5% or 25.00') },
      { optional: true, hint: `A percentage of the open balance (5%) or an amount in ${currency} (25.00), added as its own invoice. Empty: no late fees.` },
    ),
    field(
      SETTINGS_BLOCKS.lateFeeGrace,
      'Late fee: grace days after the due date',
      { type: 'number_input', action_id: SETTINGS_ACTION, is_decimal_allowed: false, min_value: '0', max_value: '365', initial_value: String(fee?.graceDays ?? 0) },
      { optional: true, hint: 'The first fee goes with a reminder sent this many days or more after the due date.' },
    ),
    field(
      SETTINGS_BLOCKS.lateFeePer,
      'Late fee: how often',
      { type: 'static_select', action_id: SETTINGS_ACTION, options: LATE_FEE_PER_OPTIONS, initial_option: perOption },
      { optional: true },
    ),
    field(
      SETTINGS_BLOCKS.lateFeeCap,
      'Late fee: cap per invoice',
      { type: 'plain_text_input', action_id: SETTINGS_ACTION, max_length: 20, ...(written?.cap ? { initial_value: written.cap } : {}), placeholder: text('200.00') },
      { optional: true, hint: `The most all fees of one invoice add up to, in ${currency}. Empty: no cap.` },
    ),
  ];
}

/** The form's late fee: absent when the form had no late fee fields (opened before they existed). */
function parseLateFee(
  get: (block: SettingsBlockId) => StateValue,
  present: boolean,
  currency: string,
): { lateFee?: LateFeeSettings | null; errors: Partial<Record<SettingsBlockId, string>> } {
  if (!present) return { errors: {} };
  const feeText = (get(SETTINGS_BLOCKS.lateFee).value ?? '').trim();
  if (!feeText) return { lateFee: null, errors: {} };
  const graceText = (get(SETTINGS_BLOCKS.lateFeeGrace).value ?? '').trim() || '0';
  if (!/^\d{1,3}$/.test(graceText) || Number(graceText) > 365) return { errors: { [SETTINGS_BLOCKS.lateFeeGrace]: 'Grace days must be a whole number from 0 to 365.' } };
  const per = get(SETTINGS_BLOCKS.lateFeePer).selected_option?.value === 'invoice' ? 'invoice' : 'step';
  const written = feeText.endsWith('%') ? { percent: feeText } : { amount: feeText };
  const parsed = lateFeeFrom({ ...written, graceDays: Number(graceText), per, cap: get(SETTINGS_BLOCKS.lateFeeCap).value ?? null }, currency);
  if (parsed.ok) return { lateFee: parsed.fee, errors: {} };
  return { errors: { [parsed.field === 'cap' ? SETTINGS_BLOCKS.lateFeeCap : SETTINGS_BLOCKS.lateFee]: `Late fee: ${parsed.problem}.` } };
}

/** One input block of a modal (also the client setup modal's). */
export function field(blockId: string, label: string, element: object, o: { hint?: string; optional?: boolean } = {}): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: text(label),
    element: element as never,
    ...(o.optional ? { optional: true } : {}),
    ...(o.hint ? { hint: text(o.hint) } : {}),
  };
}

export function describeLateFee(fee: LateFeeSettings, currency: string): string {
  const written = lateFeeText(fee, currency);
  const what = fee.kind === 'percent' ? `${written.fee} of the open balance` : `${written.fee} ${currency}`;
  const when = fee.per === 'step' ? 'with every reminder' : 'once per invoice';
  return `${what} ${when} from ${fee.graceDays} days past due${written.cap ? `, at most ${written.cap} ${currency} per invoice` : ''}`;
}

const TONE_WORD: Record<ReminderTone, string> = { friendly: 'friendly', firm: 'firm', final: 'final notice' };

export function describeSchedule(steps: readonly ReminderStep[]): string {
  const preset = presetOf(steps);
  const list = steps.map((st) => `${st.from === 'due' ? `${Math.abs(st.day)} days ${st.day < 0 ? 'before' : 'after'} due` : `day ${st.day}`} ${TONE_WORD[st.tone]}`).join(', ');
  return preset === 'custom' ? `Custom: ${list}` : `${REMINDER_PRESETS[preset].label.split(':')[0]}: ${list}`;
}

function readOnlyBlocks(i: SettingsModalInput): KnownBlock[] {
  const s = i.settings;
  const rows = [
    `*Contacts:* ${clip(esc(s.emails.join(', ')), 1500)}`,
    `*Payment terms:* ${s.paymentTermsDays} days`,
    `*Reminders:* ${esc(describeSchedule(s.reminderSchedule))}`,
    `*Final step:* ${s.finalMode === 'pause' ? 'pause the work and escalate' : 'notice only'}`,
    `*New invoices:* ${s.autoSend ? 'sent at once (auto-send)' : 'approved in Slack first'}`,
    `*Time zone:* ${esc(s.timezone ?? `${i.businessTimezone} (business time zone)`)}`,
    `*Quiet hours:* ${s.businessHours ? `Mon–Fri ${s.businessHours.start}–${s.businessHours.end} only` : 'none (any time)'}`,
    `*Billing address:* ${s.billingAddress ? esc(formatBillingAddress(s.billingAddress)) : 'none'}`,
    `*Client page:* ${s.clientPage ? 'linked in every email' : 'off'}`,
    `*Language:* ${LOCALE_NAMES[s.locale ?? DEFAULT_LOCALE]}`,
    `*Reminders due on one day:* ${s.groupReminders ? 'one statement listing every open invoice' : 'one email per invoice'}`,
    `*Send reminders at:* ${s.sendAt ?? 'when due'}`,
    `*Late fee:* ${s.lateFee ? describeLateFee(s.lateFee, i.currency ?? 'USD') : 'none'}`,
  ];
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(i.clientName)}* (\`${esc(i.clientId)}\`)\n${rows.join('\n')}`, 3000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Only invoice approvers can change these settings. ${sourceLine(i.slackFields)}` }] },
  ];
}

/** `/invoices settings` without a name: pick the client first; submitting opens its settings. */
export function clientPickerModal(clients: readonly { id: string; name: string }[]): ModalView {
  const options = clients.slice(0, 100).map((c) => option(c.id, `${c.name} (${c.id})`));
  return {
    type: 'modal',
    callback_id: CLIENT_PICKER_MODAL,
    title: text('Client settings'),
    close: text('Cancel'),
    ...(options.length
      ? {
          submit: text('Next'),
          blocks: [field(SETTINGS_BLOCKS.client, 'Client', { type: 'static_select', action_id: SETTINGS_ACTION, options, placeholder: text('Choose a client') })],
        }
      : { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'There are no clients yet: add them to the clients file (CLIENTS_FILE).' } }] }),
  };
}

export function pickedClient(values: ViewStateValues): string | null {
  return (values[SETTINGS_BLOCKS.client]?.[SETTINGS_ACTION] as { selected_option?: { value?: string } | null } | undefined)?.selected_option?.value ?? null;
}

type StateValue = { value?: string | null; selected_option?: { value?: string } | null; selected_time?: string | null; selected_options?: { value?: string }[] | null };

export type SettingsSubmission = { ok: true; settings: ClientSettings } | { ok: false; errors: Partial<Record<SettingsBlockId, string>> };

/** Validates the submitted modal; errors are keyed by block id, as Slack's `response_action: errors` wants. */
export function parseClientSettings(values: ViewStateValues, currency = 'USD'): SettingsSubmission {
  const get = (block: SettingsBlockId) => (values[block]?.[SETTINGS_ACTION] ?? {}) as StateValue;
  const errors: Partial<Record<SettingsBlockId, string>> = {};

  const emails = parseEmailList(get(SETTINGS_BLOCKS.emails).value ?? '');
  if (!emails.ok) errors[SETTINGS_BLOCKS.emails] = emails.error;

  const termsText = (get(SETTINGS_BLOCKS.terms).value ?? '').trim();
  const terms = Number(termsText);
  if (!/^\d+$/.test(termsText) || terms > 365)
    errors[SETTINGS_BLOCKS.terms] = `Payment terms must be a whole number of days from 0 to 365${termsText ? ` (got "${truncate(termsText, 20)}")` : ''}.`;

  const presetValue = get(SETTINGS_BLOCKS.preset).selected_option?.value ?? '';
  let schedule: ReminderStep[] = [];
  if (presetValue === 'custom') {
    const parsed = parseScheduleText(get(SETTINGS_BLOCKS.schedule).value ?? '');
    if (parsed.ok) schedule = parsed.steps;
    else errors[SETTINGS_BLOCKS.schedule] = parsed.error;
  } else if ((PRESET_NAMES as string[]).includes(presetValue)) {
    schedule = REMINDER_PRESETS[presetValue as PresetName].steps.map((st) => ({ ...st }));
  } else {
    errors[SETTINGS_BLOCKS.preset] = 'Choose a reminder schedule.';
  }

  const finalMode = get(SETTINGS_BLOCKS.finalMode).selected_option?.value;
  if (finalMode !== 'pause' && finalMode !== 'notice-only') errors[SETTINGS_BLOCKS.finalMode] = 'Choose what the final step does.';
  const autoSend = get(SETTINGS_BLOCKS.autoSend).selected_option?.value;
  if (autoSend !== 'approve' && autoSend !== 'auto') errors[SETTINGS_BLOCKS.autoSend] = 'Choose how new invoices go out.';

  const tz = (get(SETTINGS_BLOCKS.timezone).value ?? '').trim();
  if (tz && !isTimeZone(tz)) errors[SETTINGS_BLOCKS.timezone] = `"${truncate(tz, 40)}" is not a time zone; use an IANA name such as Europe/Berlin or America/New_York.`;

  const startText = get(SETTINGS_BLOCKS.hoursStart).selected_time ?? '';
  const endText = get(SETTINGS_BLOCKS.hoursEnd).selected_time ?? '';
  let businessHours: ClientSettings['businessHours'] = null;
  if (startText || endText) {
    const start = startText ? normalizeTimeOfDay(startText) : null;
    const end = endText ? normalizeTimeOfDay(endText) : null;
    if (!startText) errors[SETTINGS_BLOCKS.hoursStart] = 'Set both times, or clear both for no quiet hours.';
    else if (!start) errors[SETTINGS_BLOCKS.hoursStart] = `"${truncate(startText, 10)}" is not a time of day.`;
    if (!endText) errors[SETTINGS_BLOCKS.hoursEnd] = 'Set both times, or clear both for no quiet hours.';
    else if (!end) errors[SETTINGS_BLOCKS.hoursEnd] = `"${truncate(endText, 10)}" is not a time of day.`;
    if (start && end) {
      if (businessHoursProblem({ start, end })) errors[SETTINGS_BLOCKS.hoursEnd] = `The end (${end}) must be after the start (${start}).`;
      else businessHours = { start, end };
    }
  }

  // Only when the form had these fields (a modal opened before they existed leaves them alone).
  const grouping = values[SETTINGS_BLOCKS.grouping] === undefined ? undefined : get(SETTINGS_BLOCKS.grouping).selected_option?.value;
  if (grouping !== undefined && grouping !== 'single' && grouping !== 'grouped') errors[SETTINGS_BLOCKS.grouping] = 'Choose how reminders due on one day go out.';
  const sendAtText = values[SETTINGS_BLOCKS.sendAt] === undefined ? undefined : (get(SETTINGS_BLOCKS.sendAt).selected_time ?? '');
  const sendAt = sendAtText ? normalizeTimeOfDay(sendAtText) : null;
  if (sendAtText && !sendAt) errors[SETTINGS_BLOCKS.sendAt] = `"${truncate(sendAtText, 10)}" is not a time of day.`;

  // Only when the form had the address fields (a modal opened before they existed leaves the address alone).
  const hasAddressFields = [SETTINGS_BLOCKS.billingLine1, SETTINGS_BLOCKS.billingRegion, SETTINGS_BLOCKS.billingPostalCode].some((b) => values[b] !== undefined);
  const billing = hasAddressFields
    ? billingAddressOf({
        line1: get(SETTINGS_BLOCKS.billingLine1).value,
        city: get(SETTINGS_BLOCKS.billingCity).value,
        region: get(SETTINGS_BLOCKS.billingRegion).value,
        postalCode: get(SETTINGS_BLOCKS.billingPostalCode).value,
        country: get(SETTINGS_BLOCKS.billingCountry).value,
      })
    : null;
  if (billing?.problem) {
    const block = /country/.test(billing.problem)
      ? SETTINGS_BLOCKS.billingCountry
      : /ZIP|postal/.test(billing.problem)
        ? SETTINGS_BLOCKS.billingPostalCode
        : /street/.test(billing.problem)
          ? SETTINGS_BLOCKS.billingLine1
          : /city/.test(billing.problem)
            ? SETTINGS_BLOCKS.billingCity
            : SETTINGS_BLOCKS.billingRegion;
    errors[block] = `Billing address: ${billing.problem}.`;
  }

  // Only when the form had the checkbox (Slack sends a checkbox block only in forms that have it).
  const clientPage = values[SETTINGS_BLOCKS.clientPage] === undefined ? undefined : (get(SETTINGS_BLOCKS.clientPage).selected_options ?? []).some((o) => o.value === 'on');
  // Only when the form had the language field (a modal opened before it existed leaves the language alone).
  const localeValue = get(SETTINGS_BLOCKS.locale).selected_option?.value;
  if (values[SETTINGS_BLOCKS.locale] !== undefined && !isLocale(localeValue)) errors[SETTINGS_BLOCKS.locale] = `Choose one of ${LOCALES.join(', ')}.`;
  const fee = parseLateFee(get, values[SETTINGS_BLOCKS.lateFee] !== undefined, currency);
  Object.assign(errors, fee.errors);

  if (Object.keys(errors).length || !emails.ok) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      emails: emails.emails,
      paymentTermsDays: terms,
      reminderSchedule: schedule,
      finalMode: finalMode as ClientSettings['finalMode'],
      autoSend: autoSend === 'auto',
      timezone: tz || null,
      businessHours,
      ...(billing ? { billingAddress: billing.address } : {}),
      ...(clientPage === undefined ? {} : { clientPage }),
      ...(isLocale(localeValue) ? { locale: localeValue } : {}),
      ...(grouping !== undefined ? { groupReminders: grouping === 'grouped' } : {}),
      ...(sendAtText !== undefined ? { sendAt } : {}),
      ...(fee.lateFee !== undefined ? { lateFee: fee.lateFee } : {}),
    },
  };
}

/** Posted in an open invoice's thread when its reminders were re-planned. */
export function scheduleChangedNote(o: { by: string; next: { dueAt: Date; tone: ReminderTone } | null; held: boolean; timezone: string }): { text: string; blocks: KnownBlock[] } {
  const next = o.next
    ? o.held
      ? `the reminders stay held (the next one is a ${TONE_WORD[o.next.tone]} reminder once resumed)`
      : `next: ${TONE_WORD[o.next.tone]} reminder ${dateLabel(o.next.dueAt, o.timezone)}`
    : 'no reminders are left to send';
  const t = `:gear: Client reminder schedule changed by ${who(o.by)}; ${next}. Reminders already sent are not repeated.`;
  return { text: clip(t, 3000), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(t, 3000) } }] };
}

/** The ephemeral confirmation after a save. */
export function settingsSavedMessage(o: { clientName: string; changed: SettingField[]; replanned: number; redated: number; readdressed: number }): { text: string } {
  const effects = [
    o.replanned ? `${o.replanned} open invoice${o.replanned === 1 ? '' : 's'} re-planned` : '',
    o.redated ? `${o.redated} draft${o.redated === 1 ? '' : 's'} re-dated` : '',
    o.readdressed ? `${o.readdressed} invoice${o.readdressed === 1 ? '' : 's'} re-addressed` : '',
  ].filter(Boolean);
  return {
    text: `:white_check_mark: Saved ${esc(truncate(o.clientName, 200))}: ${o.changed.map((f) => SETTING_LABELS[f]).join(', ')} changed${effects.length ? ` (${effects.join(', ')})` : ''}.`,
  };
}

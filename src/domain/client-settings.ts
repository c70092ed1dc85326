import type { BillingAddress } from './billing-address.js';
import { DEFAULT_LOCALE, type Locale } from './locale.js';
import type { LateFeeSettings } from './late-fees.js';
import type { BusinessHours, Client, FinalMode, ReminderStep } from './types.js';

/**
 * The part of a client editable in Slack (the client settings modal). A field changed in Slack is
 * stored as an override and wins over the clients file at every start, until changed again in Slack.
 */
export interface ClientSettings {
  emails: string[];
  paymentTermsDays: number;
  reminderSchedule: ReminderStep[];
  finalMode: FinalMode;
  autoSend: boolean;
  timezone: string | null;
  businessHours: BusinessHours | null;
  /** Where sales tax is sourced to (src/providers/tax/). Absent in a submission: not part of that form, unchanged. */
  billingAddress?: BillingAddress | null;
  /** The client page link in every email (docs/client-page.md). Absent in a submission: unchanged. */
  clientPage?: boolean;
  /** The language of the client's emails (src/domain/locale.ts). Absent in a submission: unchanged. */
  locale?: Locale;
  /** One statement email per client and day when several invoices have a step due. Absent in a submission: unchanged. */
  groupReminders?: boolean;
  /** "HH:mm": with today's sends on, a step due on a day waits until then; null: when due. Absent in a submission: unchanged. */
  sendAt?: string | null;
  /** The client's late fee (src/domain/late-fees.ts); null: none. Absent in a submission: unchanged. */
  lateFee?: LateFeeSettings | null;
}

export type SettingField = keyof ClientSettings;

export const SETTING_FIELDS: readonly SettingField[] = [
  'emails',
  'paymentTermsDays',
  'reminderSchedule',
  'finalMode',
  'autoSend',
  'timezone',
  'businessHours',
  'billingAddress',
  'clientPage',
  'locale',
  'groupReminders',
  'sendAt',
  'lateFee',
];

export const SETTING_LABELS: Readonly<Record<SettingField, string>> = {
  emails: 'contacts',
  paymentTermsDays: 'payment terms',
  reminderSchedule: 'reminder schedule',
  finalMode: 'final step',
  autoSend: 'auto-send',
  timezone: 'time zone',
  businessHours: 'quiet hours',
  billingAddress: 'billing address',
  clientPage: 'client page',
  locale: 'language',
  groupReminders: 'grouped reminders',
  sendAt: 'send time',
  lateFee: 'late fee',
};

export function settingsOf(client: Client): ClientSettings {
  return {
    emails: [...client.emails],
    paymentTermsDays: client.paymentTermsDays,
    reminderSchedule: client.reminderSchedule.map((s) => ({ day: s.day, from: s.from, tone: s.tone })),
    finalMode: client.finalMode,
    autoSend: client.autoSend,
    timezone: client.timezone ?? null,
    businessHours: client.businessHours ? { start: client.businessHours.start, end: client.businessHours.end } : null,
    billingAddress: client.billingAddress ? { ...client.billingAddress } : null,
    clientPage: client.clientPage ?? false,
    locale: client.locale ?? DEFAULT_LOCALE,
    groupReminders: client.groupReminders ?? false,
    sendAt: client.sendAt ?? null,
    lateFee: client.lateFee ? { ...client.lateFee } : null,
  };
}

/** Canonical JSON of one field's value, so that key order never makes equal values look changed. */
function canonical(field: SettingField, value: ClientSettings[SettingField]): string {
  if (field === 'reminderSchedule') return JSON.stringify((value as ReminderStep[]).map((s) => [s.day, s.from, s.tone]));
  if (field === 'billingAddress') {
    const a = (value ?? null) as BillingAddress | null;
    return JSON.stringify(a ? [a.line1, a.city, a.region, a.postalCode, a.country] : null);
  }
  if (field === 'lateFee') {
    const f = (value ?? null) as LateFeeSettings | null;
    return JSON.stringify(f ? [f.kind, f.kind === 'flat' ? f.amount : f.basisPoints, f.graceDays, f.per, f.cap] : null);
  }
  if (field === 'businessHours') return JSON.stringify(value ? [(value as BusinessHours).start, (value as BusinessHours).end] : null);
  return JSON.stringify(value);
}

export function changedFields(before: ClientSettings, after: ClientSettings): SettingField[] {
  return SETTING_FIELDS.filter((f) => after[f] !== undefined && canonical(f, before[f]) !== canonical(f, after[f]));
}

/** The client as the file describes it, with the fields set in Slack laid over it. */
export function withSlackSettings<T extends Client>(client: T, overrides: Partial<ClientSettings>): T {
  const merged: T = { ...client };
  for (const field of SETTING_FIELDS) if (Object.hasOwn(overrides, field)) (merged as Record<string, unknown>)[field] = overrides[field];
  return merged;
}

import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { assertYmd } from './domain/calendar.js';
import { LOCALES } from './domain/locale.js';
import { MoneyError, normalizeCurrency, parseMajor } from './domain/money.js';
import { businessHoursProblem, isTimeZone, normalizeTimeOfDay } from './domain/quiet-hours.js';
import { billingAddressOf } from './domain/billing-address.js';
import { lateFeeFrom, type LateFeeSettings } from './domain/late-fees.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client, type Retainer, type TimeBilling } from './domain/types.js';
import { DEFAULT_MAPPING } from './providers/projects/mapping.js';

/**
 * Clients from the YAML clients file. Each bad entry is reported with the client's name and the field
 * and skipped; the good entries still load, so one typo never stops invoicing for everyone else.
 */
export interface ClientsFileResult {
  clients: Client[];
  errors: string[];
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const reminderStep = z
  .strictObject({
    day: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days'),
    tone: z.enum(['friendly', 'firm', 'final'], { error: 'must be friendly, firm or final' }),
    from: z.enum(['delivery', 'due'], { error: 'must be delivery or due' }).default('delivery'),
  })
  .refine((s) => s.from === 'due' || s.day >= 0, { message: 'a negative day needs from: due (days before the due date)', path: ['day'] })
  // A delivery-relative step is planned only if it falls after the sending, so day 0 would silently never go out.
  .refine((s) => s.from === 'due' || s.day !== 0, { message: 'day 0 from delivery is the invoice itself; use 1 or more', path: ['day'] });

/** The amount stays as written here; it becomes minor units once the client's currency is known. */
const retainerEntry = z.strictObject(
  {
    amount: z.union([z.string(), z.number()], {
      error: (i) => (i.input === undefined ? 'is required (major units, e.g. 1500 or "1500.00")' : 'must be an amount like 1500 or "1500.00"'),
    }),
    description: z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').default('Monthly retainer'),
    dayOfMonth: z
      .number({ error: 'must be a whole day 1..28' })
      .int('must be a whole day 1..28')
      .min(1, 'must be a whole day 1..28')
      .max(28, 'must be a whole day 1..28 (every month has it)')
      .default(1),
    // YAML reads an unquoted 2026-12-01 as a date; both spellings are accepted.
    startsOn: z
      .union([z.string(), z.date()], { error: 'must be a date YYYY-MM-DD' })
      .transform((v, ctx) => {
        const text = v instanceof Date ? (Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10)) : v.trim();
        try {
          return assertYmd(text);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a date YYYY-MM-DD` });
          return z.NEVER;
        }
      })
      .optional(),
  },
  { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {amount, description, dayOfMonth, startsOn}' : undefined) },
);

/** Reminders only Mon-Fri within these local hours: {start: "09:00", end: "17:00"} (or whole hours 9, 17). */
const timeOfDay = z
  .union([z.string(), z.number()], { error: (i) => (i.input === undefined ? 'is required (a time such as "09:00")' : 'must be a time such as "09:00"') })
  .transform((v, ctx) => {
    const time = normalizeTimeOfDay(String(v));
    if (!time) {
      ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a time such as "09:00"` });
      return z.NEVER;
    }
    return time;
  });
const businessHoursEntry = z
  .strictObject({ start: timeOfDay, end: timeOfDay }, { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {start: "09:00", end: "17:00"}' : undefined) })
  .refine((h) => !businessHoursProblem(h), { message: 'start must be before end', path: ['end'] });
/** Where sales tax is sourced to (TaxJar, Avalara): {line1, city, region, postalCode, country}; country defaults to US. */
const addressPart = z.union([z.string(), z.number()], { error: 'must be text' }).optional();
const billingAddressEntry = z.strictObject(
  { line1: addressPart, city: addressPart, region: addressPart, postalCode: addressPart, country: addressPart },
  { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {line1, city, region, postalCode, country}' : undefined) },
);

/** Amounts stay as written here; they become minor units once the client's currency is known. */
const feeAmount = z.union([z.string(), z.number()], { error: 'must be an amount in the client\'s currency, e.g. 25 or "25.00"' });
const lateFeeEntry = z
  .strictObject(
    {
      percent: z.union([z.string(), z.number()], { error: 'must be a percentage of the open balance, e.g. 5 or 1.5' }).optional(),
      amount: feeAmount.optional(),
      graceDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must be 0..365').max(365, 'must be 0..365').default(0),
      per: z.enum(['step', 'invoice'], { error: 'must be step or invoice' }).default('step'),
      cap: feeAmount.optional(),
    },
    { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {percent or amount, graceDays, per, cap}' : undefined) },
  )
  .refine((f) => (f.percent === undefined) !== (f.amount === undefined), { message: 'needs either percent or amount (not both)' });

/** A field, tag, status or list name as the project tool shows it. */
const toolName = z.string({ error: 'must be a name as the project tool shows it' }).trim().min(1, 'must not be empty');

/** Any field left out keeps its default name (src/providers/projects/mapping.ts, DEFAULT_MAPPING). */
const mappingEntry = z.strictObject(
  {
    billingField: toolName.optional(),
    billingTag: toolName.optional(),
    amountField: toolName.optional(),
    quantityField: toolName.optional(),
    rateField: toolName.optional(),
    clientField: toolName.optional(),
    doneStatus: toolName.optional(),
  },
  { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {billingField, billingTag, amountField, quantityField, rateField, clientField, doneStatus}' : undefined) },
);

const hourlyRate = z.union([z.string(), z.number()], {
  error: (i) => (i.input === undefined ? 'is required (major units per hour, e.g. 120 or "120.00")' : 'must be an amount like 120 or "120.00"'),
});
const timeEntriesEntry = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    groupBy: z.enum(['task', 'person'], { error: 'must be task or person' }).default('task'),
    rate: hourlyRate,
    personRates: z.record(z.string(), hourlyRate, { error: 'must be a mapping of person (id, name or email) to an hourly rate' }).default({}),
  },
  { error: (i) => (i.code === 'invalid_type' ? 'must be a mapping {enabled, groupBy, rate, personRates}' : undefined) },
);

/** Tool ids are strings; written unquoted, digit ids become YAML numbers, exact only up to 2^53. */
const toolId = (what: string, pattern: RegExp, rule: string, noun = 'id') =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      ctx.addIssue({ code: 'custom', message: `${v} is too long to read as a number; quote the ${noun} ("...")` });
      return z.NEVER;
    }
    const id = String(v).trim();
    if (!pattern.test(id)) {
      ctx.addIssue({ code: 'custom', message: `"${id}" is not ${what} (${rule})` });
      return z.NEVER;
    }
    return id;
  });
const asanaGid = toolId('an Asana project gid', /^\d+$/, 'digits only', 'gid');
const toolIds = (what: string, id: z.ZodType<string, unknown>) =>
  z
    .array(id, { error: `must be a list of ${what}` })
    .transform((ids) => [...new Set(ids)])
    .default([]);

/** The back-ends a client can be invoiced on (a client's `provider`). */
export const INVOICING_PROVIDERS = ['stripe', 'quickbooks', 'freshbooks', 'xero', 'invoiceninja', 'zoho', 'wave'] as const;

const clientEntry = z.strictObject({
  id: z
    .string({ error: 'must be a slug like "acme" (lower-case letters, digits and dashes)' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a slug like "acme" (lower-case letters, digits and dashes)')
    .optional(),
  name: z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .min(1, 'is required'),
  emails: z
    .union([z.string(), z.array(z.string())], { error: (i) => (i.input === undefined ? 'is required' : 'must be an email address or a list of them') })
    .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).map((e) => e.trim()))])
    .pipe(z.array(z.string().refine((e) => EMAIL.test(e), { error: (i) => `"${String(i.input)}" is not an email address` })).min(1, 'needs at least one address')),
  currency: z
    .string({ error: 'must be an ISO 4217 currency code like USD' })
    .default('USD')
    .transform((v, ctx) => {
      try {
        return normalizeCurrency(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO 4217 currency code` });
        return z.NEVER;
      }
    }),
  paymentTermsDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must be 0..365').max(365, 'must be 0..365').default(30),
  provider: z.enum(INVOICING_PROVIDERS, { error: 'must be stripe, quickbooks, freshbooks, xero, invoiceninja, zoho or wave' }).default('stripe'),
  asanaProjects: z
    .array(asanaGid, { error: 'must be a list of Asana project gids' })
    .transform((gids) => [...new Set(gids)])
    .default([]),
  clickupLists: toolIds('ClickUp list ids', toolId('a ClickUp list id', /^\d+$/, 'digits only')),
  trelloBoards: toolIds('Trello board ids', toolId('a Trello board id', /^[0-9a-f]{24}$/i, '24 hex characters, the board\'s "id" not its short link')),
  mondayBoards: toolIds('monday.com board ids', toolId('a monday.com board id', /^\d+$/, 'digits only')),
  reminders: z
    .array(reminderStep, { error: 'must be a list of {day, tone, from}' })
    .refine((steps) => new Set(steps.map((s) => `${s.from}:${s.day}`)).size === steps.length, 'has the same day twice')
    .optional(),
  finalMode: z.enum(['pause', 'notice-only'], { error: 'must be pause or notice-only' }).default('pause'),
  autoSend: z.boolean({ error: 'must be true or false' }).default(false),
  retainer: retainerEntry.optional(),
  timezone: z
    .string({ error: 'must be an IANA time zone such as Europe/Berlin' })
    .trim()
    .refine(isTimeZone, { error: (i) => `"${String(i.input)}" is not an IANA time zone such as Europe/Berlin` })
    .optional(),
  businessHours: businessHoursEntry.optional(),
  mapping: mappingEntry.optional(),
  timeEntries: timeEntriesEntry.optional(),
  freshbooksTax: z
    .string({ error: 'must be the name of a tax set up in FreshBooks, e.g. "GST"' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .optional(),
  payInstructions: z
    .string({ error: 'must be text (how to pay without a payment link)' })
    .trim()
    .min(1, 'must not be empty')
    .max(1000, 'must be at most 1000 characters')
    .optional(),
  maxInvoiceAmount: z.union([z.string(), z.number()], { error: "must be an amount in the client's currency, e.g. 250000" }).optional(),
  billingAddress: billingAddressEntry.optional(),
  clientPage: z.boolean({ error: 'must be true or false' }).default(false),
  locale: z.enum(LOCALES, { error: `must be one of ${LOCALES.join(', ')} (the language of the client's emails)` }).optional(),
  groupReminders: z.boolean({ error: 'must be true or false' }).default(false),
  sendAt: timeOfDay.optional(),
  lateFee: lateFeeEntry.optional(),
});

/** Known fields per block, for "did you mean"; the key is the first path segment (client: the entry itself). */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  client: Object.keys(clientEntry.shape),
  reminders: ['day', 'tone', 'from'],
  retainer: Object.keys(retainerEntry.shape),
  businessHours: ['start', 'end'],
  mapping: Object.keys(mappingEntry.shape),
  timeEntries: Object.keys(timeEntriesEntry.shape),
  billingAddress: Object.keys(billingAddressEntry.shape),
  lateFee: ['percent', 'amount', 'graceDays', 'per', 'cap'],
};

/** Fields whose messages quote the offending value, so a list index would only add noise. */
const VALUE_QUOTING_LISTS = new Set(['emails', 'asanaProjects', 'clickupLists', 'trelloBoards', 'mondayBoards']);

/** Container fields of the other project tools: clients-file field → tool name. */
const TOOL_CONTAINER_FIELDS = { clickupLists: 'clickup', trelloBoards: 'trello', mondayBoards: 'monday' } as const;

const fileShape = z.object({ clients: z.array(z.unknown()) });

export function slugify(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'client'
  );
}

export function parseClients(yamlText: string, source = 'clients file'): ClientsFileResult {
  let doc: unknown;
  try {
    const parsed = parseDocument(yamlText);
    const first = parsed.errors[0];
    if (first) return { clients: [], errors: [`${source}: not valid YAML: ${first.message.split('\n')[0]}`] };
    doc = parsed.toJS();
  } catch (err) {
    // toJS throws on alias bombs ("Excessive alias count").
    return { clients: [], errors: [`${source}: not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`] };
  }
  const top = fileShape.safeParse(doc);
  if (!top.success) return { clients: [], errors: [`${source}: expected a top-level "clients:" list`] };

  const clients: Client[] = [];
  const errors: string[] = [];
  const byId = new Map<string, string>();
  const byProject = new Map<string, string>();
  top.data.clients.forEach((raw, index) => {
    const label = `${source}: client ${describe(raw, index)}`;
    const parsed = parseClientEntry(raw);
    if (!parsed.ok) {
      for (const problem of parsed.problems) errors.push(problem.field ? `${label}: ${problem.field}: ${problem.message}` : `${label}: ${problem.message}`);
      return;
    }
    const c = parsed.client;
    const clash = byId.get(c.id);
    if (clash) {
      errors.push(`${label}: id: "${c.id}" is already used by client "${clash}"`);
      return;
    }
    const taken = containerKeys(c).find((key) => byProject.has(key.key));
    if (taken) {
      errors.push(`${label}: ${taken.field}: ${taken.shown} already belongs to client "${byProject.get(taken.key)}"`);
      return;
    }
    byId.set(c.id, c.name);
    for (const { key } of containerKeys(c)) byProject.set(key, c.name);
    clients.push(c);
  });
  return { clients, errors };
}

/** One problem of a client entry: the field (a dotted path such as `retainer.amount`; `entry`: the whole entry; empty: not a mapping) and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type ClientEntryResult = { ok: true; client: Client } | { ok: false; problems: FieldProblem[] };

/**
 * One client entry, as written in the clients file (or built from the Slack client modal), checked and
 * turned into a Client. Checks that need the other clients (ids, projects) are the caller's.
 */
export function parseClientEntry(raw: unknown): ClientEntryResult {
  const fail = (field: string, message: string): ClientEntryResult => ({ ok: false, problems: [{ field, message }] });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail('', 'must be a mapping with at least name and emails');
  const parsed = clientEntry.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap(issueProblems) };
  const c = parsed.data;
  const id = c.id ?? slugify(c.name);
  const toolContainers: Record<string, string[]> = {};
  for (const [field, tool] of Object.entries(TOOL_CONTAINER_FIELDS)) {
    const ids = c[field as keyof typeof TOOL_CONTAINER_FIELDS];
    if (ids.length) toolContainers[tool] = ids;
  }
  if (c.freshbooksTax && c.provider !== 'freshbooks') {
    return fail('freshbooksTax', `applies only to provider: freshbooks (this client uses ${c.provider}, where the tax comes from the customer record)`);
  }
  const positive = (field: string, value: string | number): number | FieldProblem => {
    try {
      const amount = parseMajor(value, c.currency).amount;
      if (amount <= 0) throw new MoneyError('must be more than zero');
      return amount;
    } catch (err) {
      return { field, message: err instanceof Error ? err.message : String(err) };
    }
  };
  let retainer: Retainer | undefined;
  if (c.retainer) {
    const amount = positive('retainer.amount', c.retainer.amount);
    if (typeof amount !== 'number') return { ok: false, problems: [amount] };
    retainer = { amount, description: c.retainer.description, dayOfMonth: c.retainer.dayOfMonth, startsOn: c.retainer.startsOn ?? null };
  }
  let maxInvoiceAmount: number | undefined;
  if (c.maxInvoiceAmount !== undefined) {
    const amount = positive('maxInvoiceAmount', c.maxInvoiceAmount);
    if (typeof amount !== 'number') return { ok: false, problems: [amount] };
    maxInvoiceAmount = amount;
  }
  const billing = c.billingAddress ? billingAddressOf(c.billingAddress) : { address: null, problem: null };
  if (billing.problem) return fail('billingAddress', billing.problem);
  let timeBilling: TimeBilling | undefined;
  if (c.timeEntries?.enabled) {
    const rate = positive('timeEntries.rate', c.timeEntries.rate);
    if (typeof rate !== 'number') return { ok: false, problems: [rate] };
    const personRates: Record<string, number> = {};
    for (const [person, value] of Object.entries(c.timeEntries.personRates)) {
      const amount = positive(`timeEntries.personRates.${person}`, value);
      if (typeof amount !== 'number') return { ok: false, problems: [amount] };
      personRates[person.trim().toLowerCase()] = amount;
    }
    timeBilling = { groupBy: c.timeEntries.groupBy, rate, personRates };
  }
  let lateFee: LateFeeSettings | undefined;
  if (c.lateFee) {
    const fee = lateFeeFrom(c.lateFee, c.currency);
    if (!fee.ok) return fail(`lateFee.${fee.field}`, fee.problem);
    lateFee = fee.fee;
  }
  return {
    ok: true,
    client: {
      id,
      name: c.name,
      emails: c.emails,
      currency: c.currency,
      paymentTermsDays: c.paymentTermsDays,
      provider: c.provider,
      asanaProjectGids: c.asanaProjects,
      ...(Object.keys(toolContainers).length ? { toolContainers } : {}),
      reminderSchedule: c.reminders ?? DEFAULT_REMINDER_SCHEDULE.map((step) => ({ ...step })),
      finalMode: c.finalMode,
      autoSend: c.autoSend,
      ...(retainer ? { retainer } : {}),
      ...(c.timezone ? { timezone: c.timezone } : {}),
      ...(c.businessHours ? { businessHours: c.businessHours } : {}),
      ...(c.mapping ? { mapping: { ...DEFAULT_MAPPING, ...Object.fromEntries(Object.entries(c.mapping).filter(([, v]) => v !== undefined)) } } : {}),
      ...(timeBilling ? { timeBilling } : {}),
      ...(c.freshbooksTax ? { freshbooksTax: c.freshbooksTax } : {}),
      ...(c.payInstructions ? { payInstructions: c.payInstructions } : {}),
      ...(maxInvoiceAmount !== undefined ? { maxInvoiceAmount } : {}),
      ...(billing.address ? { billingAddress: billing.address } : {}),
      ...(c.clientPage ? { clientPage: true } : {}),
      ...(c.locale ? { locale: c.locale } : {}),
      ...(c.groupReminders ? { groupReminders: true } : {}),
      ...(c.sendAt ? { sendAt: c.sendAt } : {}),
      ...(lateFee ? { lateFee } : {}),
    },
  };
}

/**
 * The project-tool containers a client owns, each as a key unique across tools (an Asana gid alone, as
 * before; `tool:id` for the others), with the clients-file field it came from, for "already belongs to".
 */
export function containerKeys(client: Pick<Client, 'asanaProjectGids' | 'toolContainers'>): { key: string; field: string; shown: string; tool: string; id: string }[] {
  const keys = client.asanaProjectGids.map((gid) => ({ key: gid, field: 'asanaProjects', shown: `project ${gid}`, tool: 'asana', id: gid }));
  for (const [field, tool] of Object.entries(TOOL_CONTAINER_FIELDS))
    for (const id of client.toolContainers?.[tool] ?? []) keys.push({ key: `${tool}:${id}`, field, shown: id, tool, id });
  return keys;
}

/**
 * A file that cannot be read at all stops the start: running on with no clients would look like a
 * working bot that ignores every milestone.
 */
export async function loadClientsFile(path: string): Promise<ClientsFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(unreadable(path, (err as NodeJS.ErrnoException).code));
  }
  return parseClients(text, basename(path));
}

function unreadable(path: string, code: string | undefined): string {
  const where = isAbsolute(path) ? path : `${path} (${resolve(path)})`;
  if (code === 'ENOENT')
    return `CLIENTS_FILE: ${where} does not exist; copy clients.example.yml there and edit it (npm run setup does the copy), or set CLIENTS_FILE to your clients file`;
  return `CLIENTS_FILE: cannot read ${where}${code ? ` (${code})` : ''}`;
}

function issueProblems(issue: z.core.$ZodIssue): FieldProblem[] {
  const path = issue.path.filter((segment, i) => !(typeof segment === 'number' && VALUE_QUOTING_LISTS.has(String(issue.path[i - 1]))));
  const where = path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_FIELDS[path.length === 0 ? 'client' : String(path[0])] ?? [];
    return issue.keys.map((key) => {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      return { field: `${where ? `${where}.` : ''}${key}`, message: `is not a known field${near ? ` (did you mean ${near}?)` : ''}` };
    });
  }
  return [{ field: where || 'entry', message: issue.message }];
}

function describe(raw: unknown, index: number): string {
  const name = raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim() : null;
  return name ? `"${name}" (#${index + 1})` : `#${index + 1}`;
}

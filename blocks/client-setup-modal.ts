import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { INVOICING_PROVIDERS, parseClientEntry } from '../src/clients-file.js';
import type { ClientSetup } from '../src/domain/client-setup.js';
import { toMajorString, money } from '../src/domain/money.js';
import type { Client, MilestoneMapping } from '../src/domain/types.js';
import { DEFAULT_MAPPING } from '../src/providers/projects/mapping.js';
import { field } from './client-settings-modal.js';
import type { ViewStateValues } from './edit-modal.js';
import { truncate } from './format.js';

/** `/invoices client add` and a client summary's **Edit client** button (value: the client id) open this modal. */
export const CLIENT_SETUP_MODAL = 'client_setup_modal';
export const EDIT_CLIENT = 'edit_client';
const ACTION = 'value';

const MAPPING_FIELDS = [
  'billingField',
  'billingTag',
  'amountField',
  'quantityField',
  'rateField',
  'clientField',
  'doneStatus',
] as const satisfies readonly (keyof MilestoneMapping)[];
type MappingField = (typeof MAPPING_FIELDS)[number];

/** block_ids (keys of `view.state.values` and of `response_action: errors`); every input's action_id is `value`. */
export const SETUP_BLOCKS = {
  name: 'cl_name',
  emails: 'cl_emails',
  currency: 'cl_currency',
  terms: 'cl_terms',
  provider: 'cl_provider',
  asanaProjects: 'cl_asana',
  clickupLists: 'cl_clickup',
  trelloBoards: 'cl_trello',
  mondayBoards: 'cl_monday',
  retainerAmount: 'cl_ret_amount',
  retainerDescription: 'cl_ret_desc',
  retainerDay: 'cl_ret_day',
  ...(Object.fromEntries(MAPPING_FIELDS.map((f) => [f, `cl_map_${f}`])) as Record<MappingField, string>),
} as const;

const PROVIDER_LABELS: Record<(typeof INVOICING_PROVIDERS)[number], string> = {
  stripe: 'Stripe',
  quickbooks: 'QuickBooks Online',
  freshbooks: 'FreshBooks',
  xero: 'Xero',
  invoiceninja: 'Invoice Ninja',
  zoho: 'Zoho Invoice',
  wave: 'Wave',
};
const MAPPING_LABELS: Record<MappingField, string> = {
  billingField: 'Billing field',
  billingTag: 'Billing tag or label',
  amountField: 'Amount field',
  quantityField: 'Quantity field',
  rateField: 'Rate field',
  clientField: 'Client field',
  doneStatus: 'Done status, list or label',
};

const text = (t: string) => ({ type: 'plain_text' as const, text: t });
const option = (value: string, label: string): PlainTextOption => ({ text: text(truncate(label, 75)), value });
const PROVIDER_OPTIONS = INVOICING_PROVIDERS.map((p) => option(p, PROVIDER_LABELS[p]));

export interface SetupModalInput {
  /** null: a new client. */
  clientId: string | null;
  setup: ClientSetup | null;
}

/** The client setup modal, prefilled with the client's current setup (or empty for a new client). */
export function clientSetupModal(input: SetupModalInput): ModalView {
  const s = input.setup;
  const plain = (blockId: string, label: string, value: string | null | undefined, o: { hint?: string; optional?: boolean; placeholder?: string } = {}) =>
    field(
      blockId,
      label,
      {
        type: 'plain_text_input',
        action_id: ACTION,
        max_length: 3000,
        ...(value ? { initial_value: truncate(value, 3000) } : {}),
        ...(o.placeholder ? { placeholder: text(o.placeholder) } : {}),
      },
      o,
    );
  const ids = (blockId: string, label: string, list: readonly string[] | undefined, hint: string) => plain(blockId, label, list?.join(', '), { optional: true, hint });
  const retainer = s?.retainer;
  const blocks: KnownBlock[] = [
    plain(SETUP_BLOCKS.name, 'Name', s?.name, { hint: 'As it appears on invoices; a new client gets an id made from it.' }),
    plain(SETUP_BLOCKS.emails, 'Billing emails', s?.emails.join(', '), { hint: 'Invoice and reminder emails go here; separate addresses with commas.' }),
    plain(SETUP_BLOCKS.currency, 'Currency', s?.currency ?? 'USD', { hint: 'ISO 4217 code, e.g. USD, EUR, GBP.' }),
    field(SETUP_BLOCKS.terms, 'Payment terms (days)', {
      type: 'number_input',
      action_id: ACTION,
      is_decimal_allowed: false,
      min_value: '0',
      max_value: '365',
      initial_value: String(s?.paymentTermsDays ?? 30),
    }),
    field(SETUP_BLOCKS.provider, 'Invoicing back-end', {
      type: 'static_select',
      action_id: ACTION,
      options: PROVIDER_OPTIONS,
      initial_option: PROVIDER_OPTIONS.find((o) => o.value === (s?.provider ?? 'stripe'))!,
    }),
    ids(SETUP_BLOCKS.asanaProjects, 'Asana projects', s?.asanaProjectGids, 'Project gids (digits), separated by commas: their billing milestones are invoiced to this client.'),
    ids(SETUP_BLOCKS.clickupLists, 'ClickUp lists', s?.toolContainers.clickup, 'List ids (digits), separated by commas.'),
    ids(SETUP_BLOCKS.trelloBoards, 'Trello boards', s?.toolContainers.trello, 'Board ids (24 hex characters, not the short link), separated by commas.'),
    ids(SETUP_BLOCKS.mondayBoards, 'monday.com boards', s?.toolContainers.monday, 'Board ids (digits), separated by commas.'),
    plain(SETUP_BLOCKS.retainerAmount, 'Monthly retainer: amount', retainer ? toMajorString(money(retainer.amount, s!.currency)) : null, {
      optional: true,
      hint: 'In the currency above, e.g. 1500.00. Empty: no retainer.',
    }),
    plain(SETUP_BLOCKS.retainerDescription, 'Monthly retainer: invoice line', retainer?.description, { optional: true, placeholder: 'Monthly retainer' }),
    field(
      SETUP_BLOCKS.retainerDay,
      'Monthly retainer: day of month',
      { type: 'number_input', action_id: ACTION, is_decimal_allowed: false, min_value: '1', max_value: '28', ...(retainer ? { initial_value: String(retainer.dayOfMonth) } : {}) },
      { optional: true, hint: '1 to 28; empty: the 1st.' },
    ),
    ...MAPPING_FIELDS.map((f) =>
      plain(SETUP_BLOCKS[f], `Mapping: ${MAPPING_LABELS[f]}`, s?.mapping?.[f] ?? null, {
        optional: true,
        placeholder: DEFAULT_MAPPING[f] ?? "the tool's own rule",
        ...(f === MAPPING_FIELDS[0] ? { hint: 'The names in your project tool; empty: the default shown in grey.' } : {}),
      }),
    ),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Saved fields apply at once and stay as set in Slack: the clients file no longer changes them. Reminders, quiet hours and auto-send are in `/invoices settings`.',
        },
      ],
    },
  ];
  return {
    type: 'modal',
    callback_id: CLIENT_SETUP_MODAL,
    private_metadata: setupMetadata(input.clientId, s),
    title: text(input.clientId ? truncate(`Edit ${s?.name ?? input.clientId}`, 24) : 'Add a client'),
    submit: text('Save'),
    close: text('Cancel'),
    blocks,
  };
}

/** The client and the values the modal was opened with (Slack caps private_metadata at 3000 characters; beyond that, the id only). */
export function setupMetadata(clientId: string | null, opened: ClientSetup | null): string {
  const full = JSON.stringify({ c: clientId, o: opened });
  return full.length <= 3000 ? full : JSON.stringify({ c: clientId, o: null });
}

export function readSetupMetadata(metadata: string): { clientId: string | null; opened: ClientSetup | null } | null {
  try {
    const parsed = JSON.parse(metadata) as { c?: unknown; o?: ClientSetup | null };
    return typeof parsed.c === 'string' || parsed.c === null ? { clientId: parsed.c, opened: parsed.o ?? null } : null;
  } catch {
    return null;
  }
}

export type SetupSubmission = { ok: true; client: Client } | { ok: false; errors: Record<string, string> };

type StateValue = { value?: string | null; selected_option?: { value?: string } | null };

/**
 * Reads the submitted modal as a clients-file entry and checks it with the clients file's own rules
 * (src/clients-file.ts parseClientEntry); each problem comes back on the field it is about. The
 * client's other fields get the clients file's defaults (a new client) or are left alone (an edit).
 */
export function parseClientSetup(values: ViewStateValues): SetupSubmission {
  const get = (block: string) => ((values[block]?.[ACTION] ?? {}) as StateValue).value?.trim() ?? '';
  const list = (block: string) =>
    get(block)
      .split(/[,;\s]+/)
      .filter(Boolean);
  const whole = (raw: string) => (/^\d{1,6}$/.test(raw) ? Number(raw) : raw);
  const entry: Record<string, unknown> = {
    name: get(SETUP_BLOCKS.name),
    emails: list(SETUP_BLOCKS.emails),
    currency: get(SETUP_BLOCKS.currency) || 'USD',
    paymentTermsDays: whole(get(SETUP_BLOCKS.terms)),
    provider: ((values[SETUP_BLOCKS.provider]?.[ACTION] ?? {}) as StateValue).selected_option?.value ?? 'stripe',
    asanaProjects: list(SETUP_BLOCKS.asanaProjects),
    clickupLists: list(SETUP_BLOCKS.clickupLists),
    trelloBoards: list(SETUP_BLOCKS.trelloBoards),
    mondayBoards: list(SETUP_BLOCKS.mondayBoards),
  };
  const [amount, description, day] = [get(SETUP_BLOCKS.retainerAmount), get(SETUP_BLOCKS.retainerDescription), get(SETUP_BLOCKS.retainerDay)];
  if (amount || description || day) entry.retainer = { ...(amount ? { amount } : {}), ...(description ? { description } : {}), ...(day ? { dayOfMonth: whole(day) } : {}) };
  const mapping = Object.fromEntries(MAPPING_FIELDS.map((f) => [f, get(SETUP_BLOCKS[f])]).filter(([, v]) => v));
  if (Object.keys(mapping).length) entry.mapping = mapping;

  const parsed = parseClientEntry(entry);
  if (!parsed.ok) {
    const errors: Record<string, string> = {};
    for (const p of parsed.problems) {
      const block = blockOf(p.field);
      errors[block] ??= truncate(`${p.field && block === SETUP_BLOCKS.name && p.field !== 'name' ? `${p.field}: ` : ''}${capitalize(p.message)}.`.replace(/\.\.$/, '.'), 2000);
    }
    return { ok: false, errors };
  }
  return { ok: true, client: parsed.client };
}

const RETAINER_BLOCKS: Record<string, string> = { amount: SETUP_BLOCKS.retainerAmount, description: SETUP_BLOCKS.retainerDescription, dayOfMonth: SETUP_BLOCKS.retainerDay };

/** The block a clients-file field path belongs to ("retainer.amount" → the retainer amount input). */
function blockOf(path: string): string {
  const [head = '', sub = ''] = path.split('.');
  if (head === 'paymentTermsDays') return SETUP_BLOCKS.terms;
  if (head === 'retainer') return RETAINER_BLOCKS[sub] ?? SETUP_BLOCKS.retainerAmount;
  if (head === 'mapping') return (SETUP_BLOCKS as Record<string, string>)[sub] ?? SETUP_BLOCKS.billingField;
  return Object.hasOwn(SETUP_BLOCKS, head) ? (SETUP_BLOCKS as Record<string, string>)[head]! : SETUP_BLOCKS.name;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

import type { Client, MilestoneMapping, Retainer } from './types.js';

/**
 * The part of a client that the Slack client modal (`/invoices client add`, **Edit client**) sets up:
 * who it is, how it is invoiced and which project-tool containers are its own. A field saved from
 * Slack is stored as an override, like the settings modal's (src/domain/client-settings.ts), and wins
 * over the clients file at every start until it is changed again in Slack.
 */
export interface ClientSetup {
  name: string;
  emails: string[];
  currency: string;
  paymentTermsDays: number;
  provider: Client['provider'];
  asanaProjectGids: string[];
  /** ClickUp lists, Trello boards, monday boards by tool name; empty lists left out. */
  toolContainers: Record<string, string[]>;
  retainer: Retainer | null;
  /** null: the default field names (src/providers/projects/mapping.ts). */
  mapping: MilestoneMapping | null;
}

export type SetupField = keyof ClientSetup;

export const SETUP_FIELDS: readonly SetupField[] = ['name', 'emails', 'currency', 'paymentTermsDays', 'provider', 'asanaProjectGids', 'toolContainers', 'retainer', 'mapping'];

export function setupOf(client: Client): ClientSetup {
  return {
    name: client.name,
    emails: [...client.emails],
    currency: client.currency,
    paymentTermsDays: client.paymentTermsDays,
    provider: client.provider,
    asanaProjectGids: [...client.asanaProjectGids],
    toolContainers: containersOf(client.toolContainers),
    retainer: client.retainer ? { ...client.retainer } : null,
    mapping: client.mapping ? { ...client.mapping } : null,
  };
}

function containersOf(containers: Record<string, string[]> | undefined): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(containers ?? {})
      .filter(([, ids]) => ids.length)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Canonical JSON of one field, so that key order never makes equal values look changed. */
function canonical(field: SetupField, value: ClientSetup[SetupField]): string {
  if (field === 'toolContainers') return JSON.stringify(Object.entries(containersOf(value as Record<string, string[]>)));
  if (field === 'retainer') {
    const r = value as Retainer | null;
    return JSON.stringify(r ? [r.amount, r.description, r.dayOfMonth, r.startsOn ?? null] : null);
  }
  if (field === 'mapping') {
    const m = value as MilestoneMapping | null;
    return JSON.stringify(m ? [m.billingField, m.billingTag, m.amountField, m.quantityField, m.rateField, m.clientField, m.doneStatus] : null);
  }
  return JSON.stringify(value);
}

export function changedSetupFields(before: ClientSetup, after: ClientSetup): SetupField[] {
  return SETUP_FIELDS.filter((f) => canonical(f, before[f]) !== canonical(f, after[f]));
}

/**
 * The fields this person changed: those that differ from the modal as it was opened and from the
 * client now. A modal opened before someone else's save does not put that other change back.
 */
export function fieldsToSave(current: ClientSetup, submitted: ClientSetup, opened: ClientSetup | null): SetupField[] {
  const fromOpened = changedSetupFields(opened ?? current, submitted);
  const fromCurrent = new Set(changedSetupFields(current, submitted));
  return fromOpened.filter((f) => fromCurrent.has(f));
}

/** The client with a set of setup fields laid over it (null retainer or mapping: none). */
export function withSetup<T extends Client>(client: T, fields: Partial<ClientSetup>): T {
  const merged = { ...client } as Record<string, unknown>;
  for (const field of SETUP_FIELDS) {
    if (!Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    if (value === null || (field === 'toolContainers' && !Object.keys(value as object).length)) delete merged[field];
    else merged[field] = value;
  }
  return merged as unknown as T;
}

/** A retainer saved from Slack keeps the start date the clients file gave it (the modal has no field for it). */
export function keepRetainerStart(next: Retainer | null, before: Retainer | null): Retainer | null {
  return next && before?.startsOn && !next.startsOn ? { ...next, startsOn: before.startsOn } : next;
}

import { addDays } from './calendar.js';
import type { ReplyKind } from './reply-classifier.js';

/**
 * Whether a client's reply may change an invoice by itself (a dispute pauses the reminders, a promise
 * snoozes them). Invoice numbers are sequential and a subject line is free text, so a reply that only
 * names the invoice proves nothing. A reply acts only when it is provably the client's:
 *
 * - it answers one of our own emails for that invoice (its In-Reply-To or References carry a
 *   Message-ID duebot generated at random and sent only to the client), or
 * - its From line names exactly one mailbox, and that address is one of the client's billing
 *   contacts (compared case-insensitively, whole address).
 *
 * A promise also needs a date from today up to `promiseMaxDays` ahead. Anything else is shown to a
 * person with the reason, who decides with one click.
 */
/** PROMISE_MAX_DAYS when not set: a promise further out than this goes to a person. */
export const DEFAULT_PROMISE_MAX_DAYS = 60;

export type ReplyVerdict = { act: true; basis: 'answers-our-email' | 'billing-contact' } | { act: false; reason: string };

export interface ReplyFacts {
  kind: ReplyKind;
  promisedDate: string | null;
  /** True when the reply was matched through one of our Message-IDs (In-Reply-To or References). */
  answersOurEmail: boolean;
  /** The parsed From line: the single sender's address (null when none or several) and how many entries it had. */
  sender: { address: string | null; entries: number };
  billingContacts: readonly string[];
  clientName: string;
  /** Business date today (YYYY-MM-DD) and PROMISE_MAX_DAYS. */
  today: string;
  promiseMaxDays: number;
}

export function decideReplyAction(facts: ReplyFacts): ReplyVerdict {
  const basis = provenance(facts);
  if (!basis.act) return basis;
  if (facts.kind === 'promise' && facts.promisedDate) {
    const date = promiseDateProblem(facts.promisedDate, facts.today, facts.promiseMaxDays);
    if (date) return { act: false, reason: date };
  }
  return basis;
}

function provenance(facts: ReplyFacts): ReplyVerdict {
  if (facts.answersOurEmail) return { act: true, basis: 'answers-our-email' };
  const notOurs = 'the reply does not answer one of our emails';
  const { address, entries } = facts.sender;
  if (!address) {
    const line = entries > 1 ? `the From line names ${entries} addresses, not one sender` : 'the From line has no valid address';
    return { act: false, reason: `${line} and ${notOurs}` };
  }
  const contacts = new Set(facts.billingContacts.map((a) => a.trim().toLowerCase()));
  if (contacts.has(address.trim().toLowerCase())) return { act: true, basis: 'billing-contact' };
  return { act: false, reason: `the sender is not one of ${facts.clientName}'s billing contacts and ${notOurs}` };
}

/** Null when a promised date may snooze reminders, else why not. */
export function promiseDateProblem(promisedDate: string, today: string, maxDays: number): string | null {
  if (promisedDate < today) return `the promised date ${promisedDate} is in the past`;
  const latest = addDays(today, maxDays);
  if (promisedDate > latest) return `the promised date ${promisedDate} is more than ${maxDays} days away (after ${latest})`;
  return null;
}

import EmailReplyParser from 'email-reply-parser';
import * as chrono from 'chrono-node';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { addDays, localDate } from './calendar.js';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locale.js';
import { AUTO_REPLY_SUBJECTS, DISPUTE_PHRASES, NEXT_WEEK_PHRASES, PROMISE_PHRASES, QUESTION_START_PHRASES } from './reply-phrases.js';

dayjs.extend(utc);

/**
 * What a client's email reply to an invoice or reminder means for the sequence. Keyword rules, kept
 * deliberately simple and explained, in English here and in German, French, Spanish and Dutch
 * (reply-phrases.ts): every classification says which words decided it, and a person
 * corrects it with one click in Slack.
 */
export type ReplyKind = 'dispute' | 'question' | 'promise' | 'auto_reply' | 'other';
export type DisputeReason = 'amount' | 'scope' | 'quality' | 'not_approved' | 'other';

export interface ReplyClassification {
  kind: ReplyKind;
  /** Only for disputes. */
  reason: DisputeReason | null;
  /** Only for promises: the promised payment date, YYYY-MM-DD in the business time zone. */
  promisedDate: string | null;
  /** One line a person can check: the kind and the words (or headers) that decided it. */
  explanation: string;
}

export interface ReplyInput {
  /** Reply text with the quoted history already removed (see `stripQuotedReply`). */
  text: string;
  subject: string;
  /** Header names in any case. */
  headers: Record<string, string>;
}

/** Removes quoted history ("On … wrote:", "> …") and signatures, keeping what the client wrote. */
export function stripQuotedReply(body: string): string {
  const normalized = body.replace(/\r\n?/g, '\n');
  return new EmailReplyParser().parseReply(normalized).trim();
}

const DISPUTE_RULES: { reason: DisputeReason; pattern: RegExp }[] = [
  {
    reason: 'not_approved',
    pattern: /\b(not approved|never approved|(?:hasn'?t|has not|wasn'?t|was not|haven'?t|have not) (?:been )?(?:approved|signed off)|no approval|unapproved|not signed off)\b/i,
  },
  {
    reason: 'amount',
    pattern:
      /\b(overcharg\w*|over-?billed|double[- ]?(?:charged|billed)|charged twice|billed twice|(?:amount|total|price|rate|figure|invoice) (?:is|was|seems|looks) (?:wrong|incorrect|too high|off)|wrong (?:amount|total|price|rate)|incorrect (?:amount|total|price|rate)|too (?:high|much|expensive)|more than (?:we )?(?:agreed|quoted)|discrepanc\w*)\b/i,
  },
  {
    reason: 'scope',
    pattern:
      /\b(out of scope|not (?:in|part of) (?:the |our )?(?:scope|contract|agreement|sow|quote|estimate)|(?:didn'?t|did not|never) (?:order(?:ed)?|ask(?:ed)? for|request(?:ed)?|agree(?:d)? to))\b/i,
  },
  {
    reason: 'quality',
    pattern:
      /\b(not (?:working|finished|complete|completed|done|delivered)|unfinished|incomplete|broken|full of bugs|poor(?:ly)? (?:quality|done|made)|unacceptable|not (?:satisfied|happy) with|unsatisf\w*|doesn'?t work|does not work)\b/i,
  },
  {
    reason: 'other',
    pattern:
      /\b(disput\w*|contest\w*|refuse to pay|won'?t (?:be )?pay\w*|will not (?:be )?pay\w*|not (?:going to )?pay(?:ing)? (?:this|that|it)|object to (?:this|the) invoice)\b/i,
  },
];

const PROMISE =
  /\b((?:we|i)(?:'ll| will| shall| are going to| am going to| plan to| intend to| expect to| can)\s+(?:be\s+)?(?:pay(?:ing)?|paid|settle|settling|transfer|wire|send (?:the |a )?(?:payment|funds|money|transfer))|payment (?:will|should) (?:go out|be (?:made|sent|processed|released|wired))|(?:scheduled|processing|released) (?:the )?payment|(?:pay|paid|settle[d]?) (?:it |this |the invoice )?(?:on|by) )/i;

const QUESTION_START = /^\s*(can|could|would|will|is|are|do|does|did|what|when|where|why|how|which|who)\b/im;

/**
 * Classifies one reply at `asOf`; dates resolve against the business calendar in `timezone`, read first
 * as the client's language writes them (`locale`: "3/4" is 3 April in French, March 4 in English).
 */
export function classifyReply(input: ReplyInput, asOf: Date, timezone: string, locale: Locale = DEFAULT_LOCALE): ReplyClassification {
  const auto = autoReplyEvidence(input);
  if (auto) return { kind: 'auto_reply', reason: null, promisedDate: null, explanation: `Auto-reply: ${auto}` };

  const text = input.text.replace(/\s+/g, ' ').trim();
  for (const rule of DISPUTE_RULES) {
    const match = rule.pattern.exec(text) ?? DISPUTE_PHRASES[rule.reason].exec(text);
    if (match) {
      return { kind: 'dispute', reason: rule.reason, promisedDate: null, explanation: `Dispute (${REASON_LABEL[rule.reason]}): the reply says "${match[0]}"` };
    }
  }

  const promise = PROMISE.exec(text) ?? PROMISE_PHRASES.exec(text);
  if (promise) {
    const date = resolvePromisedDate(text, asOf, timezone, locale);
    if (date) {
      return { kind: 'promise', reason: null, promisedDate: date.ymd, explanation: `Promise to pay by ${date.ymd}: the reply says "${promise[0].trim()}" and "${date.words}"` };
    }
  }

  const question = text.includes('?') ? '?' : (QUESTION_START.exec(input.text) ?? QUESTION_START_PHRASES.exec(input.text))?.[0]?.trim();
  if (question) {
    return {
      kind: 'question',
      reason: null,
      promisedDate: null,
      explanation: question === '?' ? 'Question: the reply asks something ("?")' : `Question: the reply starts with "${question}"`,
    };
  }
  if (promise) {
    return { kind: 'other', reason: null, promisedDate: null, explanation: `Not classified: "${promise[0].trim()}" sounds like a promise to pay, but no date was found` };
  }
  return { kind: 'other', reason: null, promisedDate: null, explanation: 'Not classified: no dispute, question, promise or auto-reply words found' };
}

export const REASON_LABEL: Record<DisputeReason, string> = {
  amount: 'amount',
  scope: 'scope',
  quality: 'quality',
  not_approved: 'not approved',
  other: 'general',
};

/** Header names compared case-insensitively. */
function header(headers: Record<string, string>, name: string): string | null {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : String(headers[key]).trim();
}

/** RFC 3834 `Auto-Submitted`, the common vendor headers, then the subject lines Outlook and Gmail use. */
function autoReplyEvidence(input: ReplyInput): string | null {
  const autoSubmitted = header(input.headers, 'Auto-Submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') return `header Auto-Submitted: ${autoSubmitted}`;
  for (const name of ['X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress']) {
    const value = header(input.headers, name);
    if (value !== null && (name !== 'X-Auto-Response-Suppress' || /\b(all|oof|autoreply)\b/i.test(value))) return `header ${name}: ${value || '(present)'}`;
  }
  const precedence = header(input.headers, 'Precedence');
  if (precedence && /^(auto_reply|bulk|junk)$/i.test(precedence)) return `header Precedence: ${precedence}`;
  const subject =
    /^\s*(out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|abwesenheitsnotiz|r[ée]ponse automatique)\b/i.exec(input.subject) ??
    AUTO_REPLY_SUBJECTS.exec(input.subject);
  if (subject) return `subject starts with "${subject[1]}"`;
  return null;
}

interface ResolvedDate {
  ymd: string;
  words: string;
}

const WEEKDAY = 5; // Friday: "next week" means by the end of next working week

/** chrono-node's parser per language: a date is read in whichever of the five languages it is written. */
const DATE_PARSERS: Record<Locale, Pick<typeof chrono, 'parse'>> = { en: chrono, de: chrono.de, fr: chrono.fr, es: chrono.es, nl: chrono.nl };

/**
 * The promised date in the business calendar. "the 15th" is the next 15th (this month if not past),
 * "next week" (in any language) is the Friday of next week, "15.1." is the next 15 January, anything
 * else ("am 15. Januar", "le 3 mars", "el 3 de marzo", "op 3 maart", "Friday") is read by chrono-node,
 * always forward from today (so "Friday" is the coming Friday). Past dates are not promises.
 */
export function resolvePromisedDate(text: string, asOf: Date, timezone: string, locale: Locale = DEFAULT_LOCALE): ResolvedDate | null {
  const today = localDate(asOf, timezone);
  const ordinal = /\b(?:on |by )?the (\d{1,2})(?:st|nd|rd|th)\b(?! of)/i.exec(text);
  if (ordinal) {
    const day = Number(ordinal[1]);
    if (day >= 1 && day <= 31) {
      const ymd = nextDayOfMonth(today, day);
      if (ymd) return { ymd, words: ordinal[0] };
    }
  }
  const nextWeek = /\bnext week\b/i.exec(text) ?? NEXT_WEEK_PHRASES.exec(text);
  if (nextWeek) {
    const d = dayjs.utc(today);
    const daysToNextMonday = (8 - d.day()) % 7 || 7;
    return { ymd: addDays(today, daysToNextMonday + WEEKDAY - 1), words: nextWeek[0] };
  }
  const dotted = dottedDate(text, today);
  if (dotted) return dotted;
  // Read as if "today, noon, UTC" so chrono's components are business-calendar components.
  const reference = { instant: new Date(`${today}T12:00:00Z`), timezone: 0 };
  for (const language of [locale, ...LOCALES.filter((l) => l !== locale)]) {
    const parser = DATE_PARSERS[language];
    for (const result of parser.parse(text, reference, { forwardDate: true })) {
      const year = result.start.get('year');
      const month = result.start.get('month');
      const day = result.start.get('day');
      // A month alone ("the mon…" read as a month) is not a date someone promised.
      if (!year || !month || !day || !(result.start.isCertain('day') || result.start.isCertain('weekday'))) continue;
      const ymd = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      if (!dayjs.utc(ymd).isValid() || ymd < today) continue;
      return { ymd, words: result.text };
    }
  }
  return null;
}

/**
 * Day-first dates with dots, as German and Dutch write them: "15.1.", "15.01.", "15.1.2027". Without a
 * year, the next such day on or after today. chrono-node reads only the ones with a year.
 */
function dottedDate(text: string, today: string): ResolvedDate | null {
  const match = /(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2}(?!\d))?/.exec(text);
  if (!match) return null;
  const [day, month] = [Number(match[1]), Number(match[2])];
  const given = match[3] ? (match[3].length === 2 ? 2000 + Number(match[3]) : Number(match[3])) : null;
  const thisYear = Number(today.slice(0, 4));
  for (const year of given ? [given] : [thisYear, thisYear + 1]) {
    const mm = String(month).padStart(2, '0');
    const ymd = `${year}-${mm}-${String(day).padStart(2, '0')}`;
    if (month < 1 || month > 12 || day < 1 || day > dayjs.utc(`${year}-${mm}-01`).daysInMonth() || ymd < today) continue;
    return { ymd, words: match[0] };
  }
  return null;
}

/** The first date on or after `today` whose day of month is `day` (skipping months too short for it). */
function nextDayOfMonth(today: string, day: number): string | null {
  let month = dayjs.utc(today).startOf('month');
  for (let i = 0; i < 12; i += 1, month = month.add(1, 'month')) {
    if (day > month.daysInMonth()) continue;
    const ymd = month.date(day).format('YYYY-MM-DD');
    if (ymd >= today) return ymd;
  }
  return null;
}

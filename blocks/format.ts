import { formatMoney, money } from '../src/domain/money.js';
import { httpUrl } from '../src/domain/web-url.js';

/** Small display helpers shared by the builders. */
export const fmt = (amount: number, currency: string): string => formatMoney(money(amount, currency));

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-12-24" → "Dec 24, 2026". */
export function ymdLabel(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  return `${MONTHS[(m ?? 1) - 1]} ${d}, ${y}`;
}

/** An instant as a calendar date in a time zone, e.g. "Dec 3, 2026". */
export function dateLabel(instant: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric' }).format(instant);
}

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters. Every string from outside
 * (task, client, email, back-end) goes through this (or `link`) exactly once, where it meets mrkdwn.
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `<url|label>` for an absolute http(s) URL, else just the escaped label: a `javascript:` or relative
 * URL never becomes a link. Characters that would end Slack's link syntax early (`<`, `>`, `|`,
 * whitespace) are percent-encoded in the URL; the label is escaped and has no `|`.
 */
export function link(url: string | null | undefined, label: string): string {
  const text = esc(label.replace(/\s+/g, ' ').trim()).replace(/\|/g, '¦');
  const target = httpUrl(url)?.replace(/[<>|\s]/g, encodeURIComponent);
  if (!target) return text;
  return text ? `<${target}|${text}>` : `<${target}>`;
}

/** A Slack user mention for a Slack user id (an approver, the owner); anything else, such as "auto-send", as text. */
export const who = (by: string): string => (/^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : esc(by));

/** A channel reference for a Slack channel id; anything else as text. */
export const channelRef = (id: string): string => (/^[CG][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : esc(id));

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Truncates mrkdwn without leaving half an escape (`&am`) or half a link (`<https://…`) at the cut,
 * either of which Slack would render as garbage.
 */
export function clip(mrkdwn: string, max: number): string {
  if (mrkdwn.length <= max) return mrkdwn;
  const cut = mrkdwn
    .slice(0, max - 1)
    .replace(/&[a-z]{0,4}$/, '')
    .replace(/<[^>]*$/, '');
  return `${cut}…`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

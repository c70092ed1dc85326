/**
 * `/invoices aging share`: a trailing "share" posts the answer in the channel instead of only to the
 * asker. Only answers that show receivables can be shared; refusals and "not found" stay private.
 */
export const SHAREABLE_COMMANDS: ReadonlySet<string> = new Set(['list', 'show', 'aging', 'client', 'status', 'forecast']);

export interface CommandWords {
  /** The command text without the trailing "share". */
  text: string;
  share: boolean;
}

export function splitShare(text: string): CommandWords {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const sub = (words[0] ?? '').toLowerCase();
  const last = words.at(-1)?.toLowerCase();
  if (words.length > 1 && last === 'share' && SHAREABLE_COMMANDS.has(sub)) return { text: words.slice(0, -1).join(' '), share: true };
  return { text: words.join(' '), share: false };
}

/** The `/invoices` subcommand a command text names (lower-cased; none is `help`), after any trailing "share". */
export function subcommandOf(text: string): string {
  return (splitShare(text).text.split(' ')[0] || 'help').toLowerCase();
}

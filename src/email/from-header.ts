import addressparser from 'nodemailer/lib/addressparser';

/** One mailbox of a From header: the address and its display name ('' when none). */
export interface Mailbox {
  address: string;
  name: string;
}

export interface ParsedFrom {
  /** The one mailbox, when the header names exactly one entry and it has a valid address; else null. */
  sender: Mailbox | null;
  /** Where a reply goes: the first valid address the header names (null when none). */
  replyAddress: string | null;
  /** How many entries (mailboxes or groups) the header names. */
  fromEntries: number;
}

/**
 * A plain addr-spec: dot-atom local part and a dotted host name. Quoted local parts, IP literals and
 * anything with spaces, quotes, commas, angle brackets or line breaks are refused, so an accepted
 * address is safe to put in an outgoing header as it is.
 */
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const isPlainAddress = (address: string): boolean => address.length <= 254 && ADDRESS.test(address);

/** A header value on one line: line breaks (folding or injected) and other control characters become spaces. */
export function oneLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\x00-\x1f\x7f]+/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim()
  );
}

/**
 * Reads a From header with nodemailer's RFC 5322 address parser. A group ("undisclosed:;") or an
 * entry without a valid address still counts as an entry, so it can never pass for a single sender.
 */
export function parseFrom(header: string): ParsedFrom {
  // Unfolded: a folded header keeps its line breaks in some providers' fields.
  const entries = addressparser(oneLine(header));
  const mailboxes = entries.flatMap((e): Mailbox[] => {
    if (e.group !== undefined || !isPlainAddress(e.address.trim())) return [];
    return [{ address: e.address.trim(), name: e.name.trim().slice(0, 200) }];
  });
  return {
    sender: entries.length === 1 && mailboxes.length === 1 ? mailboxes[0]! : null,
    replyAddress: mailboxes[0]?.address ?? null,
    fromEntries: entries.length,
  };
}

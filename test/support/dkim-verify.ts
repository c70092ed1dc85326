import { createHash, verify, type KeyObject } from 'node:crypto';

/**
 * An independent DKIM check (RFC 6376) of a raw message for the tests: the DKIM-Signature's tags, the
 * body hash (bh=) over the canonicalized body, and the signature (b=) over the signed headers, verified
 * with node:crypto against the public key the DNS TXT record would publish. Relaxed and simple
 * canonicalization, rsa-sha256 and ed25519-sha256.
 */
export interface DkimResult {
  tags: Record<string, string>;
  bodyHashMatches: boolean;
  signatureVerifies: boolean;
}

interface RawHeader {
  name: string;
  /** The whole header as received, folding included, without the final CRLF. */
  line: string;
}

function split(raw: Buffer): { headers: RawHeader[]; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 4);
  const headers: RawHeader[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1]!.line += `\r\n${line}`;
    else headers.push({ name: line.slice(0, line.indexOf(':')).trim(), line });
  }
  return { headers, body };
}

function canonBody(body: string, mode: string): string {
  let lines = body.split('\r\n');
  if (mode === 'relaxed') lines = lines.map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\r\n')}\r\n` : mode === 'simple' ? '\r\n' : '';
}

function canonHeader(h: RawHeader, mode: string): string {
  if (mode === 'simple') return h.line;
  const colon = h.line.indexOf(':');
  const value = h.line
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${h.line.slice(0, colon).trim().toLowerCase()}:${value}`;
}

export function verifyDkim(raw: Buffer, publicKey: KeyObject): DkimResult {
  const { headers, body } = split(raw);
  const sigHeader = headers.find((h) => h.name.toLowerCase() === 'dkim-signature');
  if (!sigHeader) throw new Error('no DKIM-Signature header');
  const value = sigHeader.line.slice(sigHeader.line.indexOf(':') + 1);
  const tags = Object.fromEntries(
    value
      .split(';')
      .map((t) => t.replace(/\s+/g, ''))
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
  );
  const [headerMode, bodyMode = 'simple'] = (tags.c ?? 'simple/simple').split('/');
  const bodyHash = createHash('sha256').update(canonBody(body, bodyMode!), 'latin1').digest('base64');

  // Each name in h= takes the last not yet used instance of that header, from the bottom up.
  const used = new Set<RawHeader>();
  const signed: string[] = [];
  for (const name of (tags.h ?? '').split(':')) {
    const instance = [...headers].reverse().find((h) => h.name.toLowerCase() === name.toLowerCase() && !used.has(h) && h !== sigHeader);
    if (!instance) continue;
    used.add(instance);
    signed.push(`${canonHeader(instance, headerMode!)}\r\n`);
  }
  const withoutB = { ...sigHeader, line: sigHeader.line.replace(/(\bb=)[^;]*/, '$1') };
  signed.push(canonHeader(withoutB, headerMode!));
  const data = Buffer.from(signed.join(''), 'latin1');
  const signature = Buffer.from(tags.b ?? '', 'base64');
  const signatureVerifies =
    tags.a === 'ed25519-sha256' ? verify(null, createHash('sha256').update(data).digest(), publicKey, signature) : verify('sha256', data, publicKey, signature);
  return { tags, bodyHashMatches: bodyHash === tags.bh, signatureVerifies };
}

/**
 * Checks on Slack mrkdwn as duebot sends it (used by the escaping tests): where the mrkdwn is in a
 * payload, and what in it duebot did not make itself.
 */
type Obj = Record<string, unknown>;

/** Every piece of mrkdwn in a builder's output, with where it is: `type: 'mrkdwn'` objects and top-level `text` fallbacks. */
export function mrkdwnTexts(output: unknown): { at: string; text: string }[] {
  const found: { at: string; text: string }[] = [];
  if (typeof output === 'string') return [{ at: '$', text: output }];
  const walk = (node: unknown, at: string, root: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => (typeof n === 'string' && root ? found.push({ at: `${at}[${i}]`, text: n }) : walk(n, `${at}[${i}]`, false)));
    if (!node || typeof node !== 'object') return;
    const o = node as Obj;
    if (typeof o.text === 'string' && (o.type === 'mrkdwn' || (root && o.type === undefined))) found.push({ at: `${at}.text`, text: o.text });
    for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`, false);
  };
  walk(output, '$', true);
  return found;
}

const LINK = /^(https?:\/\/[^\s<>|]+)(\|[^<>|]+)?$/;

/**
 * What is wrong with one mrkdwn text: a `<…>` that is not an http(s) link or one of the trusted
 * mentions, a `<` or `&` that is not part of markup or an escape.
 */
export function mrkdwnProblems(text: string, trusted: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  const rest = text.replace(/<([^<>]*)>/g, (whole, inner: string) => {
    const url = LINK.exec(inner)?.[1];
    if (url) {
      if (!['http:', 'https:'].includes(new URL(url).protocol)) problems.push(`link to a non-http(s) URL: ${whole}`);
    } else if (!trusted.has(inner)) {
      problems.push(`markup duebot did not make: ${whole}`);
    }
    return '';
  });
  if (rest.includes('<')) problems.push(`unescaped "<" in: ${rest.slice(Math.max(0, rest.indexOf('<') - 20), rest.indexOf('<') + 20)}`);
  const amp = /&(?!amp;|lt;|gt;)/.exec(text);
  if (amp) problems.push(`"&" that is not an escape (unescaped, or an escape cut in half) at ${amp.index}: ${text.slice(Math.max(0, amp.index - 20), amp.index + 20)}`);
  return problems;
}

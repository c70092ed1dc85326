/**
 * A URL from outside (a task permalink, a back-end payment link) as duebot may store and show it:
 * an absolute http: or https: URL, normalised by the WHATWG parser, or null for anything else
 * (`javascript:`, `data:`, relative paths, garbage). Links are only ever made from what this returns.
 */
export function httpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The scheme of a refused URL, for a log line that says why without repeating the (hostile) URL. */
export function urlScheme(raw: string): string {
  return /^\s*([a-z][a-z0-9+.-]{0,20}):/i.exec(raw)?.[1]?.toLowerCase() ?? '(none)';
}

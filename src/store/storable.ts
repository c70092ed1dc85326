/**
 * What PostgreSQL can never store, checked before an insert so the sender hears a 4xx with the reason
 * instead of a 503 it would retry for days: text and jsonb refuse NUL, and a lone UTF-16 surrogate
 * has no UTF-8 encoding (jsonb refuses its `\uD800` escape).
 */
export class UnstorableError extends Error {
  override readonly name = 'UnstorableError';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate';
  return null;
}

/** The first unstorable string in `value` (keys included), as `"<problem> in <path>"`, or null. */
export function unstorableReason(value: unknown): string | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item.value === 'string') {
      const problem = stringProblem(item.value);
      if (problem) return `${problem} in ${item.path || 'the value'}`;
    } else if (item.value && typeof item.value === 'object') {
      for (const [key, child] of Object.entries(item.value)) {
        const path = item.path ? `${item.path}.${key}` : key;
        const problem = stringProblem(key);
        if (problem) return `${problem} in a field name under ${item.path || 'the top level'}`;
        pending.push({ value: child, path });
      }
    }
  }
  return null;
}

export function assertStorable(value: unknown): void {
  const reason = unstorableReason(value);
  if (reason) throw new UnstorableError(reason);
}

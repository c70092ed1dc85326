/**
 * A record's own entry for a key that came from outside (a path segment, an event name): never one
 * inherited from Object.prototype, so `__proto__`, `constructor` or `toString` find nothing.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

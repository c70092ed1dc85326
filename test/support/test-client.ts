import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';

/** A plain Stripe client for store tests: 30-day terms, the default reminders, approval first. */
export function testClient(id: string, overrides: Partial<Client> = {}): Client {
  return {
    id,
    name: id,
    emails: [`ap@${id}.example`],
    currency: 'USD',
    paymentTermsDays: 30,
    provider: 'stripe',
    asanaProjectGids: [],
    reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
    finalMode: 'pause',
    autoSend: false,
    ...overrides,
  };
}

/**
 * Webhooks a back-end lets duebot create through its API, for back-ends whose deliveries carry no
 * signature (Invoice Ninja): duebot registers one webhook per event, each with a target URL naming its
 * registration (`?hook=<token>`) and a secret header duebot generated; deliveries are checked against
 * that registration (src/usecases/connect-backend-webhooks.ts, src/store/webhook-registrations.ts).
 */
export interface WebhookSubscriptions {
  /** How people know the back-end: "Invoice Ninja". */
  readonly label: string;
  /** The events duebot subscribes to, one webhook each (the back-end's names). */
  readonly events: readonly string[];
  /** Creates the webhook for `event`, sending `headers` with every delivery; returns its id there. */
  create(event: string, targetUrl: string, headers: Record<string, string>): Promise<string>;
  /** Deletes it; one the back-end no longer knows counts as deleted. */
  remove(webhookId: string): Promise<void>;
}

/** The secret header duebot puts on the webhooks it creates (compared in constant time on delivery). */
export const SECRET_HEADER = 'X-Duebot-Secret';

export function webhookSubscriptionsOf(backend: unknown): WebhookSubscriptions | null {
  const subscriptions = (backend as { webhookSubscriptions?: WebhookSubscriptions } | undefined)?.webhookSubscriptions;
  return subscriptions && typeof subscriptions.create === 'function' ? subscriptions : null;
}

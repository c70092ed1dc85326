import { MailError } from '../providers/mail/smtp.js';

/**
 * True when the mail certainly did not leave (connection refused, recipient rejected before DATA):
 * safe to retry. Anything else (a timeout after DATA) might have been delivered and is not retried.
 */
export function isDefiniteMailFailure(err: unknown): boolean {
  return err instanceof MailError && (err.code === 'unavailable' || err.code === 'rejected' || err.code === 'auth');
}

import { addDays, localDate } from '../../src/domain/calendar.js';

/** The dates and attempt of an `IssueInvoiceRequest` issued today (UTC), due `daysUntilDue` days later, first attempt. */
export function issueTerms(daysUntilDue: number, now: Date = new Date()): { issueDate: string; dueDate: string; timezone: string; attempt: number } {
  const issueDate = localDate(now, 'UTC');
  return { issueDate, dueDate: addDays(issueDate, daysUntilDue), timezone: 'UTC', attempt: 0 };
}

/** Action ids of the dead-letter messages (and of the dead letters listed by `/invoices status`). */

/** Retry button on a dead letter; value = the inbox event id. Approvers only (checked server-side). */
export const RETRY_DEAD_LETTER = 'retry_dead_letter';

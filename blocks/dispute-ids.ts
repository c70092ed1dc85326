/** Action and callback ids of the dispute and client-reply controls (shared by builders and listeners). */
export const MARK_DISPUTED = 'mark_disputed';
export const RESOLVE_DISPUTE = 'resolve_dispute';
export const REPLY_MARK_DISPUTED = 'reply_mark_disputed';
export const REPLY_NOT_DISPUTE = 'reply_not_dispute';
export const REPLY_PROMISE = 'reply_promise';
export const REPLY_TO_CLIENT = 'reply_to_client';
export const PROMISE_MODAL = 'promise_modal';
export const REPLY_MODAL = 'reply_modal';
export const DISPUTE_ACTIONS_BLOCK = 'dispute_actions';
export const PROMISE_BLOCKS = { date: 'promise_date' } as const;
export const PROMISE_ACTIONS = { date: 'promise_date_input' } as const;
export const REPLY_BLOCKS = { text: 'reply_text' } as const;
export const REPLY_ACTIONS = { text: 'reply_text_input' } as const;
export const ADJUST_AMOUNT = 'adjust_amount';
export const ADJUST_MODAL = 'adjust_amount_modal';
export const ADJUST_BLOCKS = { credit: 'adjust_credit', mode: 'adjust_mode', reason: 'adjust_reason' } as const;
export const ADJUST_ACTIONS = { credit: 'adjust_credit_input', mode: 'adjust_mode_input', reason: 'adjust_reason_input' } as const;

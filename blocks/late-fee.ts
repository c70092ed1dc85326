import type { KnownBlock } from '@slack/types';
import { clip, esc, fmt, link, truncate, who } from './format.js';
import { post, type ThreadPost } from './thread.js';

/** The Waive fee button on a late fee's thread note (value: the fee's id). Approvers only (authorize.ts). */
export const WAIVE_LATE_FEE = 'waive_late_fee';

export interface LateFeeNoteView {
  /** The fee's id. */
  id: string;
  /** The fee invoice's number, e.g. INV-0042-F1. */
  number: string;
  amount: number;
  currency: string;
  stepNumber: number;
  paymentUrl: string | null;
  /** Set once an approver waived it: the note loses its button. */
  waivedBy?: string | null;
}

/** "Late fee of €X added (step N)" with **Waive fee**, or the same line marked waived. */
export function lateFeeNote(v: LateFeeNoteView): ThreadPost {
  const pay = v.paymentUrl ? ` · ${link(v.paymentUrl, 'Fee invoice')}` : '';
  const head = `:money_with_wings: Late fee of ${fmt(v.amount, v.currency)} added (step ${v.stepNumber}) as invoice ${esc(v.number)}${pay}`;
  if (v.waivedBy) return post(`~${head}~ · waived by ${who(v.waivedBy)}`);
  const text = clip(head, 3000);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'actions',
      block_id: 'late_fee_actions',
      elements: [
        {
          type: 'button',
          action_id: WAIVE_LATE_FEE,
          text: { type: 'plain_text', text: 'Waive fee' },
          value: v.id,
          confirm: {
            title: { type: 'plain_text', text: 'Waive this late fee?' },
            text: { type: 'plain_text', text: truncate(`Invoice ${v.number} (${fmt(v.amount, v.currency)}) is voided at the back-end. Approvers only.`, 300) },
            confirm: { type: 'plain_text', text: 'Waive fee' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    },
  ];
  return { text, blocks };
}

export function lateFeeWaivedNote(o: { number: string; amount: number; currency: string; by: string; backendName: string }): ThreadPost {
  return post(`:leftwards_arrow_with_hook: Late fee ${esc(o.number)} of ${fmt(o.amount, o.currency)} waived by ${who(o.by)}; voided in ${esc(o.backendName)}.`);
}

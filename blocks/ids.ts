/** Action, callback and block ids shared by the Block Kit builders and the Slack listeners. */
export const APPROVE_INVOICE = 'approve_invoice';
export const EDIT_INVOICE = 'edit_invoice';
export const DISCARD_INVOICE = 'discard_invoice';
export const EDIT_INVOICE_MODAL = 'edit_invoice_modal';
/** Home tab: one button per client, value = the client id; the settings modal listens for it. */
export const OPEN_CLIENT_SETTINGS = 'open_client_settings';

/** block_id of the invoice message's buttons. */
export const INVOICE_ACTIONS_BLOCK = 'invoice_actions';

/** block_ids of the edit modal's inputs: the keys of `view.state.values` and of `response_action: errors`. */
export const EDIT_BLOCKS = {
  lines: 'edit_lines',
  dueDate: 'edit_due_date',
  recipients: 'edit_recipients',
} as const;

/** action_ids of the edit modal's inputs, one per block above. */
export const EDIT_ACTIONS = {
  lines: 'lines_input',
  dueDate: 'due_date_input',
  recipients: 'recipients_input',
} as const;

export type EditBlockId = (typeof EDIT_BLOCKS)[keyof typeof EDIT_BLOCKS];

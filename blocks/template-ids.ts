/** Action, block and callback ids of the email-template controls (shared by builders and listeners). */
export const TEMPLATE_MODAL = 'email_template_modal';
export const TEMPLATE_EDIT = 'email_template_edit';
export const TEMPLATE_PREVIEW = 'email_template_preview';
export const TEMPLATE_RESET = 'email_template_reset';
/** Input blocks carry a revision suffix: a new id is how Slack is told to show new initial values (after a reset). */
export const TEMPLATE_BLOCKS = { subject: 'tpl_subject', body: 'tpl_body', actions: 'tpl_actions', preview: 'tpl_preview' } as const;
export const TEMPLATE_ACTIONS = { subject: 'tpl_subject_input', body: 'tpl_body_input' } as const;

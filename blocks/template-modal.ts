import type { KnownBlock, ModalView } from '@slack/types';
import { DEFAULT_LOCALE, isLocale, languageSuffix, LOCALES, type Locale } from '../src/domain/locale.js';
import type { EmailTemplate } from '../src/email/default-templates.js';
import { BODY_MAX, SUBJECT_MAX, type TemplateErrors } from '../src/email/template-engine.js';
import { KIND_LABELS, placeholdersOf, requiredPlaceholder, TEMPLATE_KINDS, type TemplateKind } from '../src/email/template-fields.js';
import type { ViewStateValues } from './edit-modal.js';
import { clip, esc, truncate, who } from './format.js';
import { TEMPLATE_ACTIONS, TEMPLATE_BLOCKS, TEMPLATE_EDIT, TEMPLATE_MODAL, TEMPLATE_PREVIEW, TEMPLATE_RESET } from './template-ids.js';

/** What the modal is about; travels in private_metadata. `rev` changes the input block ids (see template-ids.ts). */
export interface TemplateModalState {
  kind: TemplateKind;
  /** '*' = workspace default, else a client id. */
  scope: string;
  rev: number;
  /** The language of the wording edited; absent: English (what every template was before languages). */
  locale?: Locale;
}

export type TemplatePreview = { kind: 'rendered'; basedOn: string; subject: string; text: string } | { kind: 'errors'; errors: TemplateErrors } | { kind: 'note'; text: string };

export interface TemplateModalInput {
  state: TemplateModalState;
  /** "the workspace" or the client's name. */
  scopeLabel: string;
  template: EmailTemplate;
  /** Where the shown wording comes from, e.g. "edited", "the shipped wording". */
  origin: string;
  preview?: TemplatePreview;
}

export const blockIdOf = (field: keyof typeof TEMPLATE_ACTIONS, rev: number) => `${TEMPLATE_BLOCKS[field]}_${rev}`;

export function placeholderHint(kind: TemplateKind): string {
  const names = Object.keys(placeholdersOf(kind))
    .map((n) => `{{${n}}}`)
    .join(' ');
  const required = requiredPlaceholder(kind);
  return `Placeholders: ${names}. Conditional text: {{#if overdue}}…{{else}}…{{/if}} (also {{#unless name}}). ${required ? `{{${required}}} is required.` : ''}`.trim();
}

export function templateModal(input: TemplateModalInput): ModalView {
  const { state, template } = input;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${KIND_LABELS[state.kind]}*${languageSuffix(state.locale)} for ${esc(input.scopeLabel)} — now: ${esc(input.origin)}.`, 3000) },
    },
    {
      type: 'input',
      block_id: blockIdOf('subject', state.rev),
      label: { type: 'plain_text', text: 'Subject' },
      element: { type: 'plain_text_input', action_id: TEMPLATE_ACTIONS.subject, max_length: SUBJECT_MAX, initial_value: truncate(template.subject, SUBJECT_MAX) },
    },
    {
      type: 'input',
      block_id: blockIdOf('body', state.rev),
      label: { type: 'plain_text', text: 'Body (plain text; the HTML part is made from it)' },
      hint: { type: 'plain_text', text: truncate(placeholderHint(state.kind), 2000) },
      element: { type: 'plain_text_input', action_id: TEMPLATE_ACTIONS.body, multiline: true, max_length: BODY_MAX, initial_value: truncate(template.body, BODY_MAX) },
    },
    {
      type: 'actions',
      block_id: TEMPLATE_BLOCKS.actions,
      elements: [
        { type: 'button', action_id: TEMPLATE_PREVIEW, text: { type: 'plain_text', text: 'Preview' }, value: 'preview' },
        {
          type: 'button',
          action_id: TEMPLATE_RESET,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reset to default' },
          value: 'reset',
          confirm: {
            title: { type: 'plain_text', text: 'Reset this template?' },
            text: {
              type: 'plain_text',
              text:
                state.scope === '*' ? 'The shipped wording is used again from the next email on.' : "This client's own wording is dropped; the workspace template applies again.",
            },
            confirm: { type: 'plain_text', text: 'Reset' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    },
    ...previewBlocks(input.preview),
  ];
  return {
    type: 'modal',
    callback_id: TEMPLATE_MODAL,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: 'Email template' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

function previewBlocks(preview: TemplatePreview | undefined): KnownBlock[] {
  if (!preview) return [];
  if (preview.kind === 'note') return [{ type: 'section', block_id: TEMPLATE_BLOCKS.preview, text: { type: 'mrkdwn', text: clip(esc(preview.text), 3000) } }];
  if (preview.kind === 'errors') {
    const lines = Object.entries(preview.errors).map(([field, message]) => `• *${field}*: ${esc(message)}`);
    return [{ type: 'section', block_id: TEMPLATE_BLOCKS.preview, text: { type: 'mrkdwn', text: clip(`:warning: Not valid yet, nothing saved:\n${lines.join('\n')}`, 3000) } }];
  }
  return [
    { type: 'divider' },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Preview for ${esc(preview.basedOn)}`, 3000) }] },
    { type: 'section', block_id: TEMPLATE_BLOCKS.preview, text: { type: 'mrkdwn', text: clip(`*Subject:* ${esc(preview.subject)}`, 3000) } },
    // plain_text: the client's wording shown as it will read, Slack formatting characters and all.
    { type: 'section', text: { type: 'plain_text', text: truncate(preview.text, 3000), emoji: false } },
  ];
}

/** The typed subject and body, found by action id whatever the block's revision. */
export function templateFromState(values: ViewStateValues): EmailTemplate {
  const find = (actionId: string) => {
    for (const block of Object.values(values)) {
      const value = block?.[actionId]?.value;
      if (typeof value === 'string') return value;
    }
    return '';
  };
  return { subject: find(TEMPLATE_ACTIONS.subject), body: find(TEMPLATE_ACTIONS.body) };
}

/** Field errors keyed by this modal's block ids, for `response_action: 'errors'`. */
export function modalErrors(errors: TemplateErrors, rev: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (errors.subject) out[blockIdOf('subject', rev)] = truncate(errors.subject, 150);
  if (errors.body) out[blockIdOf('body', rev)] = truncate(errors.body, 150);
  return out;
}

export function parseModalState(metadata: string): TemplateModalState | null {
  try {
    const parsed = JSON.parse(metadata) as Partial<TemplateModalState>;
    if (typeof parsed.kind !== 'string' || !(TEMPLATE_KINDS as readonly string[]).includes(parsed.kind) || typeof parsed.scope !== 'string') return null;
    return { kind: parsed.kind as TemplateKind, scope: parsed.scope, rev: Number(parsed.rev) || 0, ...(isLocale(parsed.locale) ? { locale: parsed.locale } : {}) };
  } catch {
    return null;
  }
}

export interface TemplateListEntry {
  kind: TemplateKind;
  scope: string;
  scopeLabel: string;
  /** Absent: English. */
  locale?: Locale;
  /** Plain text, e.g. "shipped wording", "own wording" (may be empty when `edited` says it all). */
  state: string;
  /** Who last saved it (a Slack user id, else an actor name) and when (a date label). */
  edited?: { by: string; on: string };
}

const stateOf = (e: TemplateListEntry): string => [esc(e.state), e.edited ? `edited by ${who(e.edited.by)} on ${esc(e.edited.on)}` : ''].filter(Boolean).join(', ');

/** `/invoices templates`: each template with its state and an Edit button. */
export function templateListMessage(entries: readonly TemplateListEntry[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*Email templates*  (`/invoices template &lt;kind&gt; [client] [language]` opens one directly; kinds: ' +
          TEMPLATE_KINDS.join(', ') +
          '; languages: ' +
          LOCALES.join(', ') +
          ')',
      },
    },
    ...entries.slice(0, 40).map((e): KnownBlock => ({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${KIND_LABELS[e.kind]}*${languageSuffix(e.locale)} — ${esc(e.scopeLabel)}: ${stateOf(e)}`, 3000) },
      accessory: {
        type: 'button',
        action_id: TEMPLATE_EDIT,
        text: { type: 'plain_text', text: 'Edit' },
        value: [e.kind, e.scope, ...(e.locale && e.locale !== DEFAULT_LOCALE ? [e.locale] : [])].join('|'),
      },
    })),
  ];
  return { text: clip(`Email templates: ${entries.map((e) => `${e.kind}${languageSuffix(e.locale)} (${esc(e.scopeLabel)}): ${stateOf(e)}`).join('; ')}`, 3000), blocks };
}

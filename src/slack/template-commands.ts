import type { App } from '@slack/bolt';
import { notAllowedMessage } from '../../blocks/help.js';
import {
  modalErrors,
  parseModalState,
  templateFromState,
  templateListMessage,
  templateModal,
  type TemplateListEntry,
  type TemplateModalState,
  type TemplatePreview,
} from '../../blocks/template-modal.js';
import { TEMPLATE_EDIT, TEMPLATE_MODAL, TEMPLATE_PREVIEW, TEMPLATE_RESET } from '../../blocks/template-ids.js';
import { dateLabel, esc } from '../../blocks/format.js';
import type { EmailTemplate } from '../email/default-templates.js';
import { isTemplateKind, TEMPLATE_KINDS, type TemplateKind } from '../email/template-fields.js';
import { DEFAULT_LOCALE, isLocale, languageSuffix, localeOr, type Locale } from '../domain/locale.js';
import { findClientByIdOrName, getClient } from '../store/clients.js';
import { listStoredTemplates, WORKSPACE_SCOPE } from '../store/email-templates.js';
import type { Services } from '../services.js';
import { previewEmailTemplate, resetEmailTemplate, saveEmailTemplate, templateForEditing } from '../usecases/email-templates.js';
import type { Subcommand } from './forecast-commands.js';

/**
 * `/invoices templates` (the list), `/invoices template <kind> [client] [language]` (the editor), and the editor
 * modal's Preview, Reset and Save. Billing-channel members may look and preview; only approvers save or
 * reset (authorize.ts decides before these listeners run).
 */
export function templateSubcommands(services: Services): Record<string, Subcommand> {
  return {
    templates: async ({ respond }) => {
      await respond(templateListMessage(await templateList(services)));
    },
    template: async ({ text, respond, client, triggerId }) => {
      const [, kindWord = '', ...words] = text.trim().split(/\s+/);
      // A trailing language code picks that language's wording; otherwise the client's language (workspace: English).
      const typedLocale = words.length && isLocale(words.at(-1)!.toLowerCase()) ? (words.pop()!.toLowerCase() as Locale) : null;
      const clientWords = words;
      const kind = kindWord.toLowerCase();
      if (!isTemplateKind(kind))
        return void (await respond({
          text: `Which template? \`/invoices template &lt;kind&gt; [client] [language]\` with kind one of ${TEMPLATE_KINDS.join(', ')}${kindWord ? ` ("${esc(kindWord.slice(0, 30))}" is none of them)` : ''}.`,
        }));
      let scope = WORKSPACE_SCOPE;
      let locale = typedLocale ?? DEFAULT_LOCALE;
      if (clientWords.length) {
        const found = await findClientByIdOrName(services.db.pool, clientWords.join(' '));
        if (!found) return void (await respond({ text: `No client "${esc(clientWords.join(' ').slice(0, 60))}". \`/invoices templates\` lists the templates.` }));
        scope = found.id;
        locale = typedLocale ?? localeOr(found.locale);
      }
      await client.views.open({ trigger_id: triggerId ?? '', view: (await modalFor(services, { kind, scope, rev: 0, locale })) as never });
    },
  };
}

export function registerTemplateActions(app: App, services: Services): void {
  const isApprover = (userId: string) => services.settings.approverSlackUserIds.includes(userId);
  const valueOf = (action: unknown) => (action && typeof action === 'object' && 'value' in action ? String((action as { value: unknown }).value) : '');

  app.action(TEMPLATE_EDIT, async ({ ack, body, action, client }) => {
    await ack();
    const [kind = '', scope = WORKSPACE_SCOPE, locale] = valueOf(action).split('|');
    if (!isTemplateKind(kind)) return;
    await client.views.open({
      trigger_id: 'trigger_id' in body ? String(body.trigger_id) : '',
      view: (await modalFor(services, { kind, scope, rev: 0, locale: localeOr(locale) })) as never,
    });
  });

  /** Buttons inside the modal: the view carries what was typed so far. */
  const inModal = (
    actionId: string,
    work: (o: { user: string; state: TemplateModalState; typed: EmailTemplate }) => Promise<{ state: TemplateModalState; template?: EmailTemplate; preview: TemplatePreview }>,
  ) =>
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const view = 'view' in body ? body.view : undefined;
      const state = view ? parseModalState(view.private_metadata) : null;
      if (!view || !state) return;
      const typed = templateFromState(view.state.values as never);
      const next = await work({ user: body.user.id, state, typed });
      const modal = await modalFor(services, next.state, { template: next.template ?? typed, preview: next.preview });
      await client.views.update({ view_id: view.id, hash: view.hash, view: modal as never });
    });

  inModal(TEMPLATE_PREVIEW, async ({ state, typed }) => {
    const result = await previewEmailTemplate(services, state.scope, state.kind, typed, state.locale);
    return {
      state,
      preview: result.ok ? { kind: 'rendered', basedOn: result.basedOn, subject: result.email.subject, text: result.email.text } : { kind: 'errors', errors: result.errors },
    };
  });

  inModal(TEMPLATE_RESET, async ({ user, state }) => {
    if (!isApprover(user)) return { state, preview: { kind: 'note', text: notAllowedMessage('change email templates').text } };
    const removed = await resetEmailTemplate(services, state.scope, state.kind, { slackUserId: user }, state.locale);
    // A new revision renews the input blocks, so Slack shows the wording now in force instead of what was typed.
    const next = { ...state, rev: state.rev + 1 };
    const { template } = await templateForEditing(services, state.scope, state.kind, state.locale);
    return {
      state: next,
      template,
      preview: { kind: 'note', text: removed ? 'Reset: the wording below applies from the next email on.' : 'Nothing to reset: this template was not edited.' },
    };
  });

  app.view(TEMPLATE_MODAL, async ({ ack, body, view }) => {
    const user = body.user.id;
    const state = parseModalState(view.private_metadata);
    if (!state) return void (await ack());
    if (!isApprover(user)) return void (await ack({ response_action: 'errors', errors: modalErrors({ subject: 'Only approvers can change email templates.' }, state.rev) }));
    const typed = templateFromState(view.state.values as never);
    const saved = await saveEmailTemplate(services, { ...state, ...typed }, { slackUserId: user });
    if (!saved.ok) return void (await ack({ response_action: 'errors', errors: modalErrors(saved.errors, state.rev) }));
    await ack();
    const preview = await previewEmailTemplate(services, state.scope, state.kind, typed, state.locale);
    const scopeLabel = await scopeLabelOf(services, state.scope);
    const shown = preview.ok ? `\n*Subject:* ${esc(preview.email.subject)}\n\`\`\`${esc(preview.email.text.slice(0, 2500))}\`\`\`` : '';
    await services.slack.directMessage(user, {
      text: `Saved the ${state.kind} email template${languageSuffix(state.locale)} for ${esc(scopeLabel)}; it applies from the next email on.${shown}`,
    });
  });
}

async function modalFor(services: Services, state: TemplateModalState, shown: { template?: EmailTemplate; preview?: TemplatePreview } = {}) {
  const current = await templateForEditing(services, state.scope, state.kind, state.locale);
  const origin = current.edited ? 'edited' : current.inherited ? 'the workspace template' : 'the shipped wording';
  return templateModal({ state, scopeLabel: await scopeLabelOf(services, state.scope), template: shown.template ?? current.template, origin, preview: shown.preview });
}

async function scopeLabelOf(services: Services, scope: string): Promise<string> {
  if (scope === WORKSPACE_SCOPE) return 'every client';
  return (await getClient(services.db.pool, scope))?.name ?? scope;
}

async function templateList(services: Services): Promise<TemplateListEntry[]> {
  const stored = await listStoredTemplates(services.db.pool);
  const edited = (kind: TemplateKind, scope: string) => stored.find((t) => t.kind === kind && t.scope === scope && t.locale === DEFAULT_LOCALE);
  const entries: TemplateListEntry[] = [];
  for (const kind of TEMPLATE_KINDS) {
    const own = edited(kind, WORKSPACE_SCOPE);
    entries.push({
      kind,
      scope: WORKSPACE_SCOPE,
      scopeLabel: 'every client',
      locale: DEFAULT_LOCALE,
      state: own ? '' : 'shipped wording',
      ...(own ? { edited: editedBy(services, own) } : {}),
    });
  }
  // Other languages' workspace edits, then every client's own wording.
  for (const t of stored.filter((s) => isTemplateKind(s.kind) && (s.scope !== WORKSPACE_SCOPE || s.locale !== DEFAULT_LOCALE))) {
    const own = t.scope !== WORKSPACE_SCOPE;
    entries.push({
      kind: t.kind as TemplateKind,
      scope: t.scope,
      scopeLabel: own ? await scopeLabelOf(services, t.scope) : 'every client',
      locale: t.locale,
      state: own ? 'own wording' : '',
      edited: editedBy(services, t),
    });
  }
  return entries;
}

/** Who saved a stored template (`slack:U…` becomes the user id) and on which day. */
const editedBy = (services: Services, t: { updatedBy: string; updatedAt: Date }) => ({
  by: t.updatedBy.startsWith('slack:') ? t.updatedBy.slice('slack:'.length) : t.updatedBy,
  on: dateLabel(t.updatedAt, services.settings.timezone),
});

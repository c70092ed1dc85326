import { addDays, localDate } from '../domain/calendar.js';
import type { InvoiceView, ReminderTone } from '../domain/types.js';
import { DEFAULT_LOCALE, localeOr, type Locale } from '../domain/locale.js';
import { defaultTemplate, type EmailTemplate } from '../email/default-templates.js';
import { validateTemplate, type TemplateErrors } from '../email/template-engine.js';
import type { TemplateFacts, TemplateKind } from '../email/template-fields.js';
import { buildStatement } from '../domain/grouped-reminders.js';
import { renderStatementEmail, renderTemplatedEmail, type RenderedEmail } from '../email/templates.js';
import { audit } from '../store/audit.js';
import { getClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { deleteTemplate, effectiveStoredTemplate, getStoredTemplate, saveTemplate, WORKSPACE_SCOPE } from '../store/email-templates.js';
import { listInvoices, type InvoiceRecord } from '../store/invoices.js';
import type { RecipientRefusal } from '../providers/mail/mailer.js';
import type { Services } from '../services.js';
import type { EmailKind } from '../providers/mail/mailer.js';
import { emailContext } from './approve-and-send.js';
import { clientPageUrl } from './client-page.js';
import { payInstructionsFor, toInvoiceView } from './invoice-messages.js';
import { openInvoicesOf, statementOf } from './statements.js';

/**
 * Renders a client email in the client's language from the template in force at this moment (the
 * client's own, else the workspace's, else the shipped wording, each in that language). A stored
 * template that cannot be rendered never stops a send: it is logged as an error and the default
 * wording goes out instead.
 */
export async function renderClientEmail(
  services: Services,
  kind: TemplateKind,
  record: InvoiceRecord,
  client: { name: string; payInstructions?: string | null; clientPage?: boolean; locale?: Locale | null },
  templateFacts: TemplateFacts,
): Promise<RenderedEmail> {
  const facts = { ...templateFacts, clientPageUrl: await clientPageUrl(services, { id: record.clientId, clientPage: client.clientPage }) };
  const invoice = toInvoiceView(record, client.name, { payInstructions: payInstructionsFor(services, client) });
  const locale = localeOr(client.locale);
  const ctx = { ...emailContext(services), locale };
  const stored = await effectiveStoredTemplate(services.db.pool, record.clientId, kind, locale);
  if (stored) {
    try {
      return renderTemplatedEmail(kind, stored, invoice, ctx, facts);
    } catch (err) {
      services.log.error(
        { invoice: invoice.number, kind, scope: stored.scope, err: err instanceof Error ? err.message : String(err) },
        'stored email template failed to render; sent with the default wording',
      );
    }
  }
  return renderTemplatedEmail(kind, defaultTemplate(kind, locale), invoice, ctx, facts);
}

/** Sends a follow-up email (reminder, credit) to the invoice's recipients, threaded under the invoice email. */
/** Returns the recipients the server refused for good while accepting others (bounces). */
export async function sendUnderInvoiceEmail(services: Services, invoice: InvoiceRecord, content: RenderedEmail, messageId: string, kind: EmailKind): Promise<RecipientRefusal[]> {
  const sent = await services.mailer.send({
    kind,
    to: invoice.recipients,
    ...content,
    messageId,
    replyTo: services.settings.emailReplyTo ?? undefined,
    ...(invoice.emailMessageId ? { inReplyTo: invoice.emailMessageId, references: [invoice.emailMessageId] } : {}),
  });
  return sent.refused ?? [];
}

/** A reminder's kind in the metrics (duebot_emails_total): the template it is sent with. */
const REMINDER_EMAIL_KINDS: Record<ReminderTone, EmailKind> = { friendly: 'reminder_friendly', firm: 'reminder_firm', final: 'final_notice' };
export function reminderEmailKind(tone: ReminderTone): EmailKind {
  return REMINDER_EMAIL_KINDS[tone];
}

/** What the modal opens with: the template in force for that scope and language, and whether it was edited. */
export async function templateForEditing(
  services: Services,
  scope: string,
  kind: TemplateKind,
  locale: Locale = DEFAULT_LOCALE,
): Promise<{ template: EmailTemplate; edited: boolean; inherited: boolean }> {
  const own = await getStoredTemplate(services.db.pool, scope, kind, locale);
  if (own) return { template: own, edited: true, inherited: false };
  const workspace = scope === WORKSPACE_SCOPE ? null : await getStoredTemplate(services.db.pool, WORKSPACE_SCOPE, kind, locale);
  return { template: workspace ?? defaultTemplate(kind, locale), edited: false, inherited: Boolean(workspace) };
}

export type SaveOutcome = { ok: true } | { ok: false; errors: TemplateErrors };

/** Validated, stored and audit-logged with who changed it and what it was before. */
export async function saveEmailTemplate(
  services: Services,
  t: { scope: string; kind: TemplateKind; locale?: Locale } & EmailTemplate,
  by: { slackUserId: string },
): Promise<SaveOutcome> {
  const locale = t.locale ?? DEFAULT_LOCALE;
  const template = { subject: t.subject.trim(), body: t.body.replace(/\r\n/g, '\n').trimEnd() };
  const errors = validateTemplate(t.kind, template);
  if (Object.keys(errors).length) return { ok: false, errors };
  const now = services.clock.now();
  await withTransaction(services.db.pool, async (tx) => {
    const before = await getStoredTemplate(tx, t.scope, t.kind, locale);
    await saveTemplate(tx, { scope: t.scope, kind: t.kind, locale, ...template, by: `slack:${by.slackUserId}` }, now);
    await audit(
      tx,
      {
        invoiceId: null,
        actor: `slack:${by.slackUserId}`,
        action: 'email_template_saved',
        details: { scope: t.scope, kind: t.kind, locale, before: before ? { subject: before.subject, body: before.body } : null, after: template },
      },
      now,
    );
  });
  services.log.info({ scope: t.scope, kind: t.kind, locale, by: by.slackUserId }, 'email template saved');
  return { ok: true };
}

/** Drops the stored template of that scope (audit-logged); the next email uses what is underneath. */
export async function resetEmailTemplate(services: Services, scope: string, kind: TemplateKind, by: { slackUserId: string }, locale: Locale = DEFAULT_LOCALE): Promise<boolean> {
  const now = services.clock.now();
  return withTransaction(services.db.pool, async (tx) => {
    const before = await getStoredTemplate(tx, scope, kind, locale);
    if (!(await deleteTemplate(tx, scope, kind, locale))) return false;
    await audit(
      tx,
      {
        invoiceId: null,
        actor: `slack:${by.slackUserId}`,
        action: 'email_template_reset',
        details: { scope, kind, locale, before: before ? { subject: before.subject, body: before.body } : null },
      },
      now,
    );
    return true;
  });
}

export type PreviewOutcome = { ok: true; email: RenderedEmail; basedOn: string } | { ok: false; errors: TemplateErrors };

/** Renders an unsaved template for the newest open invoice in scope, or a sample when there is none. */
export async function previewEmailTemplate(
  services: Services,
  scope: string,
  kind: TemplateKind,
  template: EmailTemplate,
  locale: Locale = DEFAULT_LOCALE,
): Promise<PreviewOutcome> {
  const errors = validateTemplate(kind, template);
  if (Object.keys(errors).length) return { ok: false, errors };
  const today = localDate(services.clock.now(), services.settings.timezone);
  if (kind === 'statement') return previewStatement(services, scope, template, today, locale);
  const [open] = await listInvoices(services.db.pool, { clientId: scope === WORKSPACE_SCOPE ? undefined : scope, statuses: ['sent', 'partially_paid'], limit: 1 });
  const client = open ? await getClient(services.db.pool, open.clientId) : null;
  const invoice = open
    ? toInvoiceView(open, client?.name ?? open.clientId)
    : sampleInvoice(today, scope === WORKSPACE_SCOPE ? null : ((await getClient(services.db.pool, scope))?.name ?? null));
  const facts: TemplateFacts = { today, finalMode: client?.finalMode ?? 'pause', stepNumber: 1, credit: { amount: Math.round(invoice.total / 5), reason: 'goodwill discount' } };
  return {
    ok: true,
    email: renderTemplatedEmail(kind, template, invoice, { ...emailContext(services), locale }, facts),
    basedOn: open ? `open invoice ${open.number}` : 'a sample invoice (no open invoice yet)',
  };
}

/** The statement for the client's open invoices, or for a sample invoice when it has none (or for the workspace). */
async function previewStatement(services: Services, scope: string, template: EmailTemplate, today: string, locale: Locale): Promise<PreviewOutcome> {
  const client = scope === WORKSPACE_SCOPE ? null : await getClient(services.db.pool, scope);
  const open = client ? await openInvoicesOf(services, client.id) : [];
  const statement = open.length ? statementOf(open, today) : buildStatement([{ ...sampleInvoice(today, client?.name ?? null), balance: 150000 }], today);
  const view = { clientName: client?.name ?? 'Acme Ltd', statement, tone: 'friendly' as const, finalMode: client?.finalMode ?? ('pause' as const) };
  return {
    ok: true,
    email: renderStatementEmail(view, { ...emailContext(services), locale }, template),
    basedOn: open.length ? `the ${open.length} open invoices of ${client!.name}` : 'a sample invoice (no open invoice yet)',
  };
}

function sampleInvoice(today: string, clientName: string | null): InvoiceView {
  return {
    id: 'sample',
    number: 'INV-0042',
    clientName: clientName ?? 'Acme Ltd',
    milestone: 'Milestone 2 - Design',
    currency: 'USD',
    lines: [{ description: 'Design sprint', quantity: '1', unitAmount: 150000, amount: 150000 }],
    total: 150000,
    amountPaid: 0,
    dueDate: addDays(today, -7),
    status: 'sent',
    disputed: false,
    paused: false,
    recipients: ['ap@client.example'],
    paymentUrl: 'https://pay.example/i/sample',
    sentAt: null,
    paidAt: null,
    sourceUrl: null,
    attention: null,
  };
}

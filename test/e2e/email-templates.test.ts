import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { viewBlockActionBody } from '../support/fake-slack.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { getStoredTemplate } from '../../src/store/email-templates.js';

/**
 * Editable email templates through the real HTTP app: signed slash commands, modal buttons and
 * submissions in, the next reminder email (real SMTP) out with the edited wording filled in.
 */

let h: Harness;
afterEach(async () => h?.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));
const values = (subject: string, body: string, rev = 0) => ({
  [`tpl_subject_${rev}`]: { tpl_subject_input: { type: 'plain_text_input', value: subject } },
  [`tpl_body_${rev}`]: { tpl_body_input: { type: 'plain_text_input', value: body } },
});
const FRIENDLY_SUBJECT = 'Gentle nudge: {{number}} ({{amount}})';
const FRIENDLY_BODY =
  'Dear {{client}},\n\n{{number}} for {{milestone}} is {{days_overdue}} days overdue; {{amount}} was due {{due_date}}.\n\n{{#if link}}Pay here: {{link}}{{/if}}\n\nThanks, {{business}}';

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  return h.waitForStatus(draft.id, 'sent');
}

test('an approver edits the friendly reminder in the modal (preview, refused and accepted saves); the next reminder carries it, a later edit of the firm one applies to the next step', async () => {
  h = await startHarness();
  const inv = await sentInvoice('8101', 1250);
  const metadata = JSON.stringify({ kind: 'friendly', scope: '*', rev: 0 });

  // The modal opens with the shipped wording and the list of placeholders.
  expect((await h.slashCommand('template friendly')).status).toBe(200);
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('email_template_modal')));
  const view = JSON.stringify(opened.args.view);
  expect(view).toContain('Just a quick note that invoice #{{number}}');
  expect(view).toContain('{{days_overdue}}');
  expect(view).toContain('the shipped wording');

  // Preview: the typed (unsaved) template rendered for the open invoice.
  const preview = viewBlockActionBody({
    actionId: 'email_template_preview',
    userId: APPROVER,
    viewId: 'V0TPL',
    callbackId: 'email_template_modal',
    privateMetadata: metadata,
    values: values(FRIENDLY_SUBJECT, FRIENDLY_BODY),
  });
  expect((await h.postSlack(preview)).status).toBe(200);
  const updated = await h.slack.waitFor(() => h.slack.callsTo('views.update').find((c) => c.args.view_id === 'V0TPL'));
  const shown = JSON.stringify(updated.args.view);
  expect(shown).toContain(`Preview for open invoice ${inv.number}`);
  expect(shown).toContain(`Gentle nudge: ${inv.number} ($1,250.00)`);
  expect(shown).toContain(`Dear Acme Ltd,\\n\\n${inv.number} for Milestone 8101 is 0 days overdue`);
  expect(shown).toContain(`Pay here: ${inv.paymentUrl}`);
  expect(updated.args.hash).toBe('hash-V0TPL');

  // Refused: unknown placeholder (with the nearest name), missing link, non-approver. Nothing stored.
  const typo = await h.submitView('email_template_modal', APPROVER, metadata, values(FRIENDLY_SUBJECT, FRIENDLY_BODY.replace('{{amount}} was', '{{amont}} was')));
  expect(await typo.json()).toEqual({
    response_action: 'errors',
    errors: { tpl_body_0: expect.stringMatching(/^Unknown placeholder \{\{amont\}\} \(line 3\): did you mean \{\{amount\}\}\?/) },
  });
  const noLink = await h.submitView('email_template_modal', APPROVER, metadata, values(FRIENDLY_SUBJECT, 'Dear {{client}}, please pay.'));
  expect(await noLink.json()).toEqual({ response_action: 'errors', errors: { tpl_body_0: expect.stringMatching(/^Add \{\{link\}\}/) } });
  const emptySubject = await h.submitView('email_template_modal', APPROVER, metadata, values(' ', FRIENDLY_BODY));
  expect(await emptySubject.json()).toEqual({ response_action: 'errors', errors: { tpl_subject_0: 'The subject is empty.' } });
  const outsider = await h.submitView('email_template_modal', 'USOMEONE', metadata, values(FRIENDLY_SUBJECT, FRIENDLY_BODY));
  expect(await outsider.json()).toEqual({ response_action: 'errors', errors: { tpl_subject_0: 'Only invoice approvers can change email templates.' } });
  expect(await getStoredTemplate(pool(), '*', 'friendly')).toBeNull();

  // Accepted: stored, audit-logged with who, confirmed to the approver.
  const saved = await h.submitView('email_template_modal', APPROVER, metadata, values(FRIENDLY_SUBJECT, FRIENDLY_BODY));
  expect(saved.status).toBe(200);
  expect(await saved.text()).toBe('');
  expect(await getStoredTemplate(pool(), '*', 'friendly')).toMatchObject({ subject: FRIENDLY_SUBJECT, body: FRIENDLY_BODY, updatedBy: `slack:${APPROVER}` });
  const { rows } = await pool().query<{ actor: string; details: { kind: string; scope: string; before: unknown; after: { subject: string } } }>(
    `SELECT actor, details FROM audit_log WHERE action = 'email_template_saved'`,
  );
  expect(rows).toEqual([
    { actor: `slack:${APPROVER}`, details: expect.objectContaining({ kind: 'friendly', scope: '*', before: null, after: { subject: FRIENDLY_SUBJECT, body: FRIENDLY_BODY } }) },
  ]);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('Saved the friendly email template for every client')));

  // Day 7 (the due date + 0): the friendly reminder goes out in the edited wording, values filled in.
  h.advanceDays(8);
  const friendly = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && m.subject.startsWith('Gentle nudge'));
  expect(friendly.subject).toBe(`Gentle nudge: ${inv.number} ($1,250.00)`);
  expect(friendly.text.trim()).toBe(
    `Dear Acme Ltd,\n\n${inv.number} for Milestone 8101 is 1 days overdue; $1,250.00 was due ${dueLabel(inv.dueDate)}.\n\nPay here: ${inv.paymentUrl}\n\nThanks, Pixel & Co`,
  );
  expect(friendly.html).toContain(`<p>Pay here: <a href="${inv.paymentUrl}">${inv.paymentUrl}</a></p>`);
  expect(friendly.html).toContain('Thanks, Pixel &amp; Co');

  // Between two steps: the firm template is edited; the next step uses it.
  const firmMeta = JSON.stringify({ kind: 'firm', scope: '*', rev: 0 });
  const firmSaved = await h.submitView(
    'email_template_modal',
    APPROVER,
    firmMeta,
    values('Second notice {{number}}, step {{step}}', '{{client}}: {{amount}} open, {{days_overdue_text}} late. {{link}}'),
  );
  expect(firmSaved.status).toBe(200);
  h.advanceDays(7);
  const firm = await h.smtp.waitFor((m) => m.subject.startsWith('Second notice'));
  expect(firm.subject).toBe(`Second notice ${inv.number}, step 2`);
  expect(firm.text.trim()).toBe(`Acme Ltd: $1,250.00 open, 8 days late. ${inv.paymentUrl}`);

  // Reset to default from the modal: the stored row goes, the modal shows the shipped wording again.
  const reset = viewBlockActionBody({
    actionId: 'email_template_reset',
    userId: APPROVER,
    viewId: 'V0RESET',
    callbackId: 'email_template_modal',
    privateMetadata: firmMeta,
    values: values('x', 'y'),
  });
  await h.postSlack(reset);
  const afterReset = await h.slack.waitFor(() => h.slack.callsTo('views.update').find((c) => c.args.view_id === 'V0RESET'));
  expect(JSON.stringify(afterReset.args.view)).toContain('Please arrange payment today');
  expect(JSON.stringify(afterReset.args.view)).toContain('tpl_body_1');
  expect(await getStoredTemplate(pool(), '*', 'firm')).toBeNull();
  const { rows: resets } = await pool().query(`SELECT actor FROM audit_log WHERE action = 'email_template_reset'`);
  expect(resets).toEqual([{ actor: `slack:${APPROVER}` }]);
});

test('a client override wins over the workspace template; a stored template that no longer renders falls back to the default wording with a logged error', async () => {
  h = await startHarness();
  // The invoice email itself, edited before the invoice goes out.
  const invoiceMeta = JSON.stringify({ kind: 'invoice', scope: '*', rev: 0 });
  expect(
    (
      await h.submitView(
        'email_template_modal',
        APPROVER,
        invoiceMeta,
        values('Your invoice {{number}} from {{business}}', '{{client}}, {{total}} is due {{due_date}}.\n\n{{lines}}\n\n{{link}}'),
      )
    ).status,
  ).toBe(200);
  const inv = await sentInvoice('8102', 900);
  const invoiceEmail = await h.smtp.waitFor((m) => m.subject.includes(inv.number));
  expect(invoiceEmail.subject).toBe(`Your invoice ${inv.number} from Pixel & Co`);
  expect(invoiceEmail.text.trim()).toBe(`Acme Ltd, $900.00 is due ${dueLabel(inv.dueDate)}.\n\n- Milestone 8102: 1 × $900.00 = $900.00\nTotal: $900.00\n\n${inv.paymentUrl}`);
  expect(invoiceEmail.html).toContain('<td style="padding:6px 8px;border-bottom:1px solid #e5e7eb">Milestone 8102</td>');

  // The Edit button of the list opens that template's editor.
  await h.clickButton('email_template_edit', 'final|*', APPROVER);
  const final = await h.slack.waitFor(() =>
    h.slack.callsTo('views.open').find((c) => String((c.args.view as { private_metadata?: string }).private_metadata).includes('"kind":"final"')),
  );
  expect(JSON.stringify(final.args.view)).toContain('Final notice: invoice #{{number}}');
  // Acme's own friendly reminder, and the workspace's.
  expect((await h.slashCommand('template friendly Acme Ltd')).status).toBe(200);
  const opened = await h.slack.waitFor(() =>
    h.slack.callsTo('views.open').find((c) => String((c.args.view as { private_metadata?: string }).private_metadata).includes('"scope":"acme"')),
  );
  expect(JSON.stringify(opened.args.view)).toContain('for Acme Ltd');
  const acmeMeta = JSON.stringify({ kind: 'friendly', scope: 'acme', rev: 0 });
  expect((await h.submitView('email_template_modal', APPROVER, acmeMeta, values('Acme only {{number}}', 'Hi {{client}} {{link}}'))).status).toBe(200);
  expect(
    (await h.submitView('email_template_modal', APPROVER, JSON.stringify({ kind: 'friendly', scope: '*', rev: 0 }), values('Everyone {{number}}', 'Hi {{link}}'))).status,
  ).toBe(200);

  // The list shows both with their editors.
  await h.slashCommand('templates');
  const list = await h.slack.waitFor(() => h.slack.responses.find((r) => String(r.body.text).startsWith('Email templates')));
  expect(String(list.body.text)).toContain('friendly (Acme Ltd): own wording, edited by <@UAPPROVER1>');
  expect(String(list.body.text)).toContain('friendly (every client): edited by <@UAPPROVER1>');

  h.advanceDays(7);
  const acme = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Acme only|Everyone/.test(m.subject));
  expect(acme.subject).toBe(`Acme only ${inv.number}`);

  // A row written around validation (e.g. by hand in SQL) cannot stop the firm step: default wording.
  await pool().query(`INSERT INTO email_templates (scope, kind, subject, body, updated_at, updated_by) VALUES ('*', 'firm', 'Broken {{nope}}', '{{link}}', now(), 'sql')`);
  h.advanceDays(7);
  const firm = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Past due/.test(m.subject));
  expect(firm.text).toContain('Please arrange payment today');
  await settle();
  expect(h.smtp.messages.filter((m) => m.subject.includes('Broken'))).toHaveLength(0);
});

function dueLabel(ymd: string): string {
  return new Date(`${ymd}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
}

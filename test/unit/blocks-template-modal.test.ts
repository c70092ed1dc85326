import { modalErrors, parseModalState, placeholderHint, templateFromState, templateListMessage, templateModal } from '../../blocks/template-modal.js';
import { messageProblems, modalProblems } from '../../blocks/limits.js';
import { DEFAULT_TEMPLATES } from '../../src/email/default-templates.js';
import { TEMPLATE_KINDS } from '../../src/email/template-fields.js';

describe('email template modal', () => {
  test.each(TEMPLATE_KINDS)('the %s template opens within Slack limits, with its placeholders in the hint', (kind) => {
    const modal = templateModal({ state: { kind, scope: '*', rev: 0 }, scopeLabel: 'every client', template: DEFAULT_TEMPLATES[kind], origin: 'the shipped wording' });
    expect(modalProblems(modal)).toEqual([]);
    const json = JSON.stringify(modal);
    expect(json).toContain('"block_id":"tpl_subject_0"');
    expect(json).toContain('"block_id":"tpl_body_0"');
    expect(json).toContain('email_template_preview');
    expect(json).toContain('Reset to default');
    expect(json).toContain(kind === 'statement' ? '{{invoices}}' : '{{number}}');
    expect(parseModalState(modal.private_metadata!)).toEqual({ kind, scope: '*', rev: 0 });
  });

  test('the hint lists every placeholder of the kind and says {{link}} is required for reminders', () => {
    expect(placeholderHint('firm')).toBe(
      'Placeholders: {{business}} {{client}} {{number}} {{milestone}} {{amount}} {{total}} {{amount_paid}} {{due_date}} {{days_overdue}} {{days_overdue_text}} {{days_until_due}} {{timing}} {{link}} {{lines}} {{subtotal}} {{tax}} {{tax_label}} {{has_tax}} {{pay_instructions}} {{overdue}} {{due_today}} {{partly_paid}} {{client_page_url}} {{step}} {{pause}} {{has_late_fee}} {{late_fee}} {{late_fee_added}} {{late_fee_link}} {{amount_with_fees}}. Conditional text: {{#if overdue}}…{{else}}…{{/if}} (also {{#unless name}}). {{link}} is required.',
    );
    expect(placeholderHint('credit')).toContain('{{credit_amount}} {{credit_reason}} {{settled}}');
    expect(placeholderHint('credit')).not.toContain('required');
  });

  test('a preview (rendered or refused) stays within limits; the plain-text body is shown as written', () => {
    const rendered = templateModal({
      state: { kind: 'friendly', scope: 'acme', rev: 2 },
      scopeLabel: 'Acme Ltd',
      template: DEFAULT_TEMPLATES.friendly,
      origin: 'edited',
      preview: { kind: 'rendered', basedOn: 'open invoice INV-0003', subject: 'Hi <there>', text: 'x'.repeat(5000) },
    });
    expect(modalProblems(rendered)).toEqual([]);
    expect(JSON.stringify(rendered)).toContain('*Subject:* Hi &lt;there&gt;');
    expect(JSON.stringify(rendered)).toContain('"block_id":"tpl_body_2"');
    const refused = templateModal({
      state: { kind: 'friendly', scope: '*', rev: 0 },
      scopeLabel: 'every client',
      template: DEFAULT_TEMPLATES.friendly,
      origin: 'edited',
      preview: { kind: 'errors', errors: { body: 'Unknown placeholder {{x}}' } },
    });
    expect(JSON.stringify(refused)).toContain('Not valid yet, nothing saved:\\n• *body*: Unknown placeholder {{x}}');
  });

  test("typed values are read by action id whatever the revision; errors go to that revision's blocks", () => {
    const values = { tpl_subject_3: { tpl_subject_input: { value: 'S' } }, tpl_body_3: { tpl_body_input: { value: 'B' } } };
    expect(templateFromState(values)).toEqual({ subject: 'S', body: 'B' });
    expect(modalErrors({ subject: 'empty', body: 'bad' }, 3)).toEqual({ tpl_subject_3: 'empty', tpl_body_3: 'bad' });
    expect(parseModalState('{"kind":"nope","scope":"*"}')).toBeNull();
    expect(parseModalState('not json')).toBeNull();
  });

  test('the list has an Edit button per template', () => {
    const message = templateListMessage([
      { kind: 'friendly', scope: '*', scopeLabel: 'every client', state: 'shipped wording' },
      { kind: 'final', scope: 'acme', scopeLabel: 'Acme Ltd', state: 'own wording' },
    ]);
    expect(messageProblems(message)).toEqual([]);
    expect(JSON.stringify(message)).toContain('"value":"final|acme"');
  });
});

import { projectCashPosition } from '../../src/domain/cash-position.js';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adjustAmountModal } from '../../blocks/adjust-modal.js';
import { agingLines, agingMessage } from '../../blocks/aging.js';
import { bounceAlert, bounceResolvedNote } from '../../blocks/bounce.js';
import { clientPickerModal, clientSettingsModal, describeLateFee, describeSchedule, scheduleChangedNote, settingsSavedMessage } from '../../blocks/client-settings-modal.js';
import { clientSummaryMessage, stepLabel } from '../../blocks/client-summary.js';
import { clientSetupModal } from '../../blocks/client-setup-modal.js';
import { newInvoiceModal } from '../../blocks/new-invoice-modal.js';
import { historyMessage } from '../../blocks/history.js';
import { setupOf } from '../../src/domain/client-setup.js';
import { backendCreditNote, creditNote } from '../../blocks/credit-note.js';
import { lateFeeNote, lateFeeWaivedNote } from '../../blocks/late-fee.js';
import { accountPhrase, confirmAccountMessage, connectedNotice, decidedAccountMessage } from '../../blocks/backend-connect.js';
import { deadLetterMessage, eventSummary, retryAnswerText, retryButton } from '../../blocks/dead-letter.js';
import { ageText, inboxBlocks } from '../../blocks/inbox-status.js';
import { sourceLabel } from '../../blocks/source-labels.js';
import * as dispute from '../../blocks/dispute.js';
import { editInvoiceModal } from '../../blocks/edit-modal.js';
import { balanceSetMessage, forecastMessage } from '../../blocks/forecast.js';
import { channelRef, clip, esc, link, who } from '../../blocks/format.js';
import { helpMessage, notAllowedMessage, notAMemberMessage, unknownCommandMessage } from '../../blocks/help.js';
import { homeNotAllowedView, homeView } from '../../blocks/home.js';
import { pausedNote, resumedNote } from '../../blocks/invoice-actions.js';
import { invoiceDetailMessage } from '../../blocks/invoice-detail.js';
import { invoiceListMessage } from '../../blocks/invoice-list.js';
import { invoiceMessage, statusText } from '../../blocks/invoice-message.js';
import { salesTaxButtons, salesTaxContext, salesTaxTotalLabel } from '../../blocks/sales-tax.js';
import { blockProblems, messageProblems, modalProblems } from '../../blocks/limits.js';
import { statusMessage } from '../../blocks/status.js';
import { placeholderHint, templateListMessage, templateModal } from '../../blocks/template-modal.js';
import * as thread from '../../blocks/thread.js';
import { accuracyLine, weeklySummaryMessage } from '../../blocks/weekly-summary.js';
import { previewMessage, todaysSendsMessage } from '../../blocks/todays-sends.js';
import { buildAgingReport } from '../../src/domain/aging.js';
import { SETTING_FIELDS } from '../../src/domain/client-settings.js';
import { buildForecast } from '../../src/domain/forecast.js';
import { DEFAULT_REMINDER_SCHEDULE } from '../../src/domain/types.js';
import { TEMPLATE_KINDS } from '../../src/email/template-fields.js';
import { mrkdwnProblems, mrkdwnTexts } from '../support/mrkdwn.js';
import { invoiceView, line, manyLines } from './blocks-fixtures.js';

/**
 * Every builder in blocks/ rendered with hostile text in every string field, and the JSON walked: no
 * mrkdwn (nor a top-level `text` fallback, which Slack parses as mrkdwn too) may carry a mention,
 * special command or link that duebot did not make itself, and every link goes to an http(s) URL.
 * A new builder is covered by one line in BUILDERS (the last test fails until it is there).
 */

const HOSTILE = ['<!channel>', '<!here>', '<@U123>', '&', '*bold*', 'https://x.example/a>b<!here>', 'javascript:alert(1)', 'a|b> <#C1|x>', '<!channel>&'.repeat(400)];

/**
 * Values that are not outside text: codes, dates, time zones and enum members, which duebot validates
 * (or TypeScript types) before any builder sees them. Everything else is replaced.
 */
const STRUCTURAL = [/^[A-Z]{3}$/, /^\d{4}-\d{2}-\d{2}$/, /^\d{2}:\d{2}$/, /^UTC$|^America\/New_York$/];
const ENUMS = new Set<string>([
  ...['draft', 'approved', 'sent', 'partially_paid', 'paid', 'void', 'uncollectible', 'discarded'],
  ...['friendly', 'firm', 'final', 'delivery', 'due', 'pause', 'notice-only', 'disputed', 'escalated', 'unknown_outcome'],
  ...['dispute', 'question', 'promise', 'auto_reply', 'other', 'active', 'broken', 'rendered', 'errors', 'note'],
  ...['0-7', '8-14', '15-30', '30+', 'stripe', 'quickbooks', 'freshbooks', '*'],
  ...TEMPLATE_KINDS,
  ...SETTING_FIELDS,
  ...['computed', 'pending', 'failed', 'skipped'],
]);

/** Keys holding ids, which travel in button values and private_metadata (no mrkdwn) and are never kilobytes long. */
const ID_KEYS = /^(id|clientId|scope|pendingId)$/;
let hostileId = '';

/** `value` with every string that is outside text replaced by `text` (ids by a short hostile id). */
function hostile<T>(value: T, text: string): T {
  if (typeof value === 'string') return (ENUMS.has(value) || STRUCTURAL.some((r) => r.test(value)) ? value : text) as T;
  if (Array.isArray(value)) return value.map((v) => hostile(v, text)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && ID_KEYS.test(k) ? hostile(v, hostileId) : hostile(v, text)])) as T;
  }
  return value;
}

type Obj = Record<string, unknown>;

/** Slack's limits for whatever the builder returned: a message, a modal, a Home view, one block. */
function limitProblems(output: unknown): string[] {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return [];
  const o = output as Obj;
  if (o.type === 'modal') return modalProblems(o as never);
  if (o.type === 'home') return blockProblems(o.blocks as object[], 100);
  if (typeof o.text === 'string') return messageProblems(o as never);
  if (typeof o.type === 'string') return blockProblems([o], 50);
  return [];
}

// ---- fixtures: valid inputs for each builder; `hostile` then replaces their text ----

const TZ = 'America/New_York';
const NOW = new Date('2026-12-03T15:00:00Z');
const SENT = new Date('2026-11-20T15:00:00Z');
const sentView = invoiceView({
  status: 'sent',
  sentAt: SENT,
  paymentUrl: 'https://pay.example/i/1',
  attention: 'Check the send',
  taxName: 'VAT',
  taxRate: '20',
  taxAmount: 30000,
  subtotal: 150000,
  total: 180000,
  lines: [line('Design sprint', '1', 150000, 150000), line('Extra', '2.5', 1000, 2500)],
});
const aging = buildAgingReport(
  [{ number: 'INV-1', clientName: 'Acme', currency: 'USD', total: 100000, amountPaid: 0, status: 'sent', sentAt: SENT, dueDate: '2026-11-25' }],
  NOW,
  TZ,
);
const forecast = buildForecast(
  [{ customer: 'Acme', number: 'INV-1', invoiceDate: '2026-11-10', dueDate: '2026-12-10', amount: 120000, currency: 'USD', paidDate: null }],
  '2026-12-03',
);
const forecastView = {
  asOf: '2026-12-03',
  currencies: forecast.currencies.map((f) => ({ forecast: f, startingBalance: 500000, balanceSource: 'Stripe bank account', projected: projectCashPosition(f.weeks, 500000) })),
  notes: ['asana could not be read: its upcoming milestones are not included.'],
};
const client = {
  id: 'acme',
  name: 'Acme Ltd',
  emails: ['ap@acme.example'],
  currency: 'USD',
  paymentTermsDays: 14,
  provider: 'stripe' as const,
  asanaProjectGids: ['1200'],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause' as const,
  autoSend: false,
  timezone: 'UTC',
  businessHours: { start: '09:00', end: '17:00' },
};
const stats = { openBalances: [{ currency: 'USD', amount: 130_000 }], openCount: 1, overdueCount: 1, averageDaysToPay: 6.5, paidCount: 2 };
const settings = {
  emails: ['ap@acme.example'],
  paymentTermsDays: 14,
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause' as const,
  autoSend: false,
  timezone: 'UTC',
  businessHours: { start: '09:00', end: '17:00' },
};
const dashboard = {
  asOf: NOW,
  dsoWindowDays: 90,
  currencies: [{ currency: 'USD', openCount: 1, outstanding: 100000, overdueCount: 1, overdue: 100000, dso: 30 }],
  aging,
  attention: { total: 2, rows: [{ id: 'x', number: 'INV-1', clientName: 'Acme', currency: 'USD', balance: 100000, dueDate: '2026-11-25', reasons: ['disputed' as const] }] },
  nextReminders: [{ number: 'INV-1', clientName: 'Acme', currency: 'USD', balance: 100000, tone: 'firm' as const, dueAt: NOW }],
  clients: [{ id: 'acme', name: 'Acme', open: [{ currency: 'USD', outstanding: 100000, openCount: 1, overdueCount: 1 }] }],
};
const reply = {
  inboundId: 7,
  from: 'Ann <ann@acme.example>',
  subject: 'Re: Invoice INV-1',
  text: 'We will pay Friday',
  kind: 'promise' as const,
  explanation: 'Promise to pay by Friday',
  effect: 'snoozed',
};
const template = { subject: 'Invoice {{number}}', body: 'Hello {{name}}, {{link}}' };
const templateState = { kind: 'invoice' as const, scope: 'acme', rev: 1 };
const opts = { timezone: TZ, now: NOW };
const salesTax = {
  status: 'computed' as const,
  amount: 13313,
  ratePercent: '8.875',
  name: 'Sales tax (NY)',
  jurisdiction: 'NEW YORK, NEW YORK CITY',
  source: 'TaxJar',
  reason: 'TaxJar did not answer',
  decidedBy: 'slack:U1',
};
const terms = { label: 'QuickBooks', accountNoun: 'company', idNoun: 'realm' };
const account = { accountId: '4620816365', accountName: 'Acme Books' };
const deadEvent = {
  id: 7,
  source: 'asana',
  externalId: 'evt-1',
  kind: 'task_changed',
  payload: { taskId: '1200', tool: 'asana', task: { name: 'Design' } },
  receivedAt: SENT,
  processedAt: null,
  attempts: 9,
  lastError: 'asana answered 503',
  nextAttemptAt: NOW,
  retryWindowStart: SENT,
  windowAttempts: 9,
  deadAt: NOW,
  retriedBy: 'U1',
  deadLetterMessage: null,
};

/** One line per builder (a builder with several shapes may have several lines): name → render with the hostile text. */
const BUILDERS: [name: string, render: (h: string) => unknown][] = [
  ['invoiceMessage', (h) => invoiceMessage(hostile(invoiceView(), h), opts)],
  ['invoiceMessage', (h) => invoiceMessage(hostile(sentView, h), opts)],
  ['invoiceMessage', (h) => invoiceMessage(hostile(invoiceView({ status: 'paid', paymentUrl: 'https://pay.example/1', paidAt: NOW, sentAt: SENT }), h), opts)],
  ...(['computed', 'pending', 'failed', 'skipped'] as const).map((status): [string, (h: string) => unknown] => [
    'invoiceMessage',
    (h) => invoiceMessage(hostile(invoiceView({ salesTax: { ...salesTax, status } }), h), opts),
  ]),
  ['invoiceMessage', (h) => invoiceMessage(hostile({ ...sentView, salesTax, taxAmount: 13313, taxName: 'Sales tax (NY)', taxRate: '8.875' }, h), opts)],
  ['salesTaxContext', (h) => salesTaxContext(hostile(invoiceView({ salesTax: { ...salesTax, status: 'failed' } }), h))],
  ['salesTaxTotalLabel', (h) => ({ type: 'context', elements: [{ type: 'mrkdwn', text: salesTaxTotalLabel(hostile(invoiceView({ salesTax }), h)) }] })],
  ['salesTaxButtons', (h) => ({ type: 'actions', elements: salesTaxButtons(hostile(invoiceView({ salesTax }), h)) })],
  ['statusText', (h) => statusText(hostile(sentView, h), TZ)],
  [
    'invoiceDetailMessage',
    (h) =>
      invoiceDetailMessage(
        hostile(sentView, h),
        hostile([{ tone: 'friendly', dueAt: NOW, status: 'skipped', note: 'quiet hours' }], h),
        hostile([{ at: NOW, actor: 'U1', action: 'sent' }], h),
        opts,
      ),
  ],
  ['invoiceListMessage', (h) => invoiceListMessage(hostile({ title: 'Invoices of Acme', invoices: [sentView, invoiceView()], more: true }, h), opts)],
  ['invoiceListMessage', (h) => invoiceListMessage(hostile({ title: 'Invoices of Acme', invoices: [], more: false }, h), opts)],
  ['invoiceDisputeActions', (h) => dispute.invoiceDisputeActions(hostile(sentView, h))],
  ['replyPost', (h) => dispute.replyPost(hostile({ ...reply, invoiceNumber: 'INV-1' }, h))],
  ['replyPost', (h) => dispute.replyPost(hostile({ ...reply, invoiceNumber: null, effect: null }, h))],
  ['disputedNote', (h) => dispute.disputedNote(hostile({ by: 'U1', reason: 'price', pausedSteps: 2, taskUrl: 'https://app.asana.com/0/1/2', ownerUserId: 'U2' }, h))],
  ['resolvedNote', (h) => dispute.resolvedNote(hostile({ by: 'U1', next: { at: NOW, label: 'friendly reminder' }, timezone: TZ }, h))],
  ['snoozedNote', (h) => dispute.snoozedNote(hostile({ by: 'U1', promisedDate: '2026-12-20', resumesAt: NOW, timezone: TZ }, h))],
  ['reclassifiedNote', (h) => dispute.reclassifiedNote(hostile({ by: 'U1', kind: 'dispute' as const }, h))],
  ['clientReplySentNote', (h) => dispute.clientReplySentNote(hostile({ by: 'U1', to: 'ann@acme.example', text: 'Thanks' }, h))],
  ['disputeDm', (h) => dispute.disputeDm(hostile({ number: 'INV-1', clientName: 'Acme', reason: 'price', excerpt: 'Too much', taskUrl: 'https://app.asana.com/0/1/2' }, h))],
  ['promiseModal', (h) => dispute.promiseModal(hostile({ inboundId: 7, initialDate: '2026-12-20' }, h))],
  ['replyModal', (h) => dispute.replyModal(hostile({ inboundId: 7, to: 'ann@acme.example', subject: 'Invoice INV-1' }, h))],
  [
    'reissuedNote',
    (h) => dispute.reissuedNote(hostile({ by: 'U1', oldNumber: 'INV-1', newNumber: 'INV-2', oldTotal: 100, newTotal: 90, currency: 'USD', backendName: 'Stripe' }, h)),
  ],
  ['replacesNote', (h) => dispute.replacesNote(hostile({ oldNumber: 'INV-1' }, h))],
  ['adjustAmountModal', (h) => adjustAmountModal(hostile(sentView, h), hostile({ backendName: 'Stripe', dueDate: '2026-12-24' }, h))],
  ['editInvoiceModal', (h) => editInvoiceModal(hostile(sentView, h))],
  ['editInvoiceModal', (h) => editInvoiceModal(hostile(invoiceView({ lines: manyLines(200) }), h))],
  ['agingMessage', (h) => agingMessage(hostile(aging, h), { timezone: TZ })],
  ['agingLines', (h) => agingLines(hostile(aging, h))],
  ['clientSettingsModal', (h) => clientSettingsModal(hostile({ clientId: 'acme', clientName: 'Acme', settings, slackFields: ['emails' as const], businessTimezone: TZ }, h))],
  ['clientSettingsModal', (h) => clientSettingsModal({ ...hostile({ clientId: 'acme', clientName: 'Acme', settings, slackFields: [], businessTimezone: TZ }, h), readOnly: true })],
  ['clientPickerModal', (h) => clientPickerModal(hostile([{ id: 'acme', name: 'Acme' }], h))],
  ['scheduleChangedNote', (h) => scheduleChangedNote(hostile({ by: 'U1', next: { dueAt: NOW, tone: 'firm' as const }, held: false, timezone: TZ }, h))],
  ['settingsSavedMessage', (h) => settingsSavedMessage(hostile({ clientName: 'Acme', changed: ['emails' as const], replanned: 1, redated: 1, readdressed: 1 }, h))],
  ['describeSchedule', (h) => describeSchedule(hostile([...DEFAULT_REMINDER_SCHEDULE], h))],
  ['clientSummaryMessage', (h) => clientSummaryMessage(hostile(client, h), stats)],
  ['clientSummaryMessage', (h) => clientSummaryMessage(hostile(client, h), stats, { editable: true })],
  [
    'clientSetupModal',
    (h) => clientSetupModal(hostile({ clientId: 'acme', setup: { ...setupOf(client), retainer: { amount: 150000, description: 'Retainer', dayOfMonth: 1, startsOn: null } } }, h)),
  ],
  ['clientSetupModal', () => clientSetupModal({ clientId: null, setup: null })],
  ['newInvoiceModal', (h) => newInvoiceModal(hostile([{ id: 'acme', name: 'Acme', currency: 'USD' }], h), 'ref-1')],
  ['newInvoiceModal', () => newInvoiceModal([], 'ref-1')],
  [
    'historyMessage',
    (h) =>
      historyMessage(
        hostile(
          {
            subject: { kind: 'client' as const, label: 'Acme', query: 'acme' },
            entries: [{ at: NOW, actor: 'slack:U1', action: 'client_edited', details: { name: 'Acme' }, sourceEvent: null, invoiceNumber: 'INV-1', clientId: 'acme' }],
            page: 2,
            more: true,
          },
          h,
        ),
        { timezone: TZ },
      ),
  ],
  ['stepLabel', (h) => stepLabel(hostile(DEFAULT_REMINDER_SCHEDULE[0]!, h))],
  ['lateFeeNote', (h) => lateFeeNote(hostile({ id: 'f1', number: 'INV-0001-F1', amount: 500, currency: 'USD', stepNumber: 2, paymentUrl: 'https://pay.example/f1' }, h))],
  ['lateFeeNote', (h) => lateFeeNote(hostile({ id: 'f1', number: 'INV-0001-F1', amount: 500, currency: 'USD', stepNumber: 2, paymentUrl: null, waivedBy: 'U1' }, h))],
  ['lateFeeWaivedNote', (h) => lateFeeWaivedNote(hostile({ number: 'INV-0001-F1', amount: 500, currency: 'USD', by: 'U1', backendName: 'Stripe' }, h))],
  ['describeLateFee', () => ({ text: describeLateFee({ kind: 'percent', basisPoints: 500, graceDays: 7, per: 'step', cap: 20_000 }, 'USD') })],
  ['backendCreditNote', (h) => backendCreditNote(hostile({ amount: 100, currency: 'USD', backendName: 'stripe', balance: 50 }, h))],
  [
    'creditNote',
    (h) =>
      creditNote(
        hostile(
          { by: 'U1', amount: 100, currency: 'USD', reason: 'goodwill', backendName: 'Stripe', balance: 50, emailedTo: ['ap@acme.example'], nextReminder: NOW, timezone: TZ },
          h,
        ),
      ),
  ],
  ['forecastMessage', (h) => forecastMessage(hostile(forecastView, h))],
  ['forecastMessage', (h) => forecastMessage(hostile({ asOf: '2026-12-03', currencies: [], notes: ['monday could not be read.'] }, h))],
  ['balanceSetMessage', () => balanceSetMessage(100, 'USD')],
  ['helpMessage', () => helpMessage()],
  ['unknownCommandMessage', (h) => unknownCommandMessage(h)],
  ['notAllowedMessage', (h) => notAllowedMessage(h)],
  ['notAMemberMessage', (h) => notAMemberMessage(h)],
  ['homeView', (h) => homeView(hostile(dashboard, h), { timezone: TZ, approver: true })],
  ['homeNotAllowedView', (h) => homeNotAllowedView(h)],
  ['pausedNote', (h) => pausedNote(hostile({ by: 'U1', heldSteps: 2 }, h))],
  ['resumedNote', (h) => resumedNote(hostile({ by: 'U1', next: { at: NOW, tone: 'firm' as const }, stillDisputed: false, timezone: TZ }, h))],
  [
    'statusMessage',
    (h) =>
      statusMessage(
        hostile(
          {
            projectTools: ['asana'],
            backends: [
              { name: 'quickbooks', oauth: true, connection: { provider: 'quickbooks', status: 'broken' as const, lastSuccessAt: NOW, lastError: 'token expired' } },
              { name: 'stripe', oauth: false, connection: null },
            ],
            unusedConnections: [{ provider: 'freshbooks', status: 'active' as const, lastSuccessAt: null, lastError: null }],
            smtp: { target: 'smtp.example:587', reachable: false, error: 'refused' },
            openBounces: 2,
          },
          h,
        ),
        { timezone: TZ },
      ),
  ],
  [
    'bounceAlert',
    (h) =>
      bounceAlert(
        hostile(
          {
            recipient: 'ap@acme.example',
            reason: '550 5.1.1 no such user',
            kind: 'dsn',
            provider: 'postmark',
            clientId: 'acme',
            clientName: 'Acme',
            what: 'invoice email (INV-1)',
          },
          h,
        ),
      ),
  ],
  ['bounceResolvedNote', (h) => bounceResolvedNote(hostile({ by: 'U1', emails: ['ap@acme.example'], bounces: 1 }, h))],
  [
    'templateModal',
    (h) =>
      templateModal(
        hostile(
          {
            state: templateState,
            scopeLabel: 'Acme',
            template,
            origin: 'edited',
            preview: { kind: 'rendered' as const, basedOn: 'open invoice INV-1', subject: 'Invoice INV-1', text: 'Hello' },
          },
          h,
        ),
      ),
  ],
  [
    'templateModal',
    (h) =>
      templateModal(
        hostile({ state: templateState, scopeLabel: 'Acme', template, origin: 'edited', preview: { kind: 'errors' as const, errors: { subject: 'empty', body: 'no link' } } }, h),
      ),
  ],
  ['templateModal', (h) => templateModal(hostile({ state: templateState, scopeLabel: 'Acme', template, origin: 'edited', preview: { kind: 'note' as const, text: 'Saved' } }, h))],
  ['templateListMessage', (h) => templateListMessage(hostile([{ kind: 'invoice' as const, scope: 'acme', scopeLabel: 'Acme', state: 'shipped wording' }], h))],
  ['placeholderHint', () => placeholderHint('invoice')],
  ['invoiceSentNote', (h) => thread.invoiceSentNote(hostile({ number: 'INV-1', recipients: ['ap@acme.example'], paymentUrl: 'https://pay.example/1', approvedBy: 'U1' }, h))],
  ['reminderSentNote', (h) => thread.reminderSentNote(hostile({ stepNumber: 1, tone: 'friendly' as const, recipients: ['ap@acme.example'], balance: 100, currency: 'USD' }, h))],
  ['reminderSkippedNote', (h) => thread.reminderSkippedNote(hostile({ stepNumber: 1, reason: 'bounced' }, h))],
  ['reminderSnoozedNote', () => thread.reminderSnoozedNote({ stepNumber: 1, until: NOW, by: 'U1', timezone: TZ })],
  ['statementSentNote', (h) => thread.statementSentNote(hostile({ recipients: ['ap@acme.example'], invoices: 3, steps: [{ stepNumber: 1, tone: 'firm' as const }], by: 'U1' }, h))],
  [
    'todaysSendsMessage',
    (h) =>
      todaysSendsMessage({
        day: '2026-12-07',
        timezone: TZ,
        sentNowBy: 'U1',
        rows: [
          {
            ...hostile({ clientName: 'Acme', number: 'INV-1' }, h),
            invoiceId: '0b7c3f6e-1d2a-4c5b-9e8f-001122334455',
            stepIndex: 0,
            tone: 'final',
            plannedAt: NOW,
            grouped: true,
            state: { kind: 'waiting' },
          },
          {
            ...hostile({ clientName: 'Acme', number: 'INV-2' }, h),
            invoiceId: '0b7c3f6e-1d2a-4c5b-9e8f-001122334455',
            stepIndex: 1,
            tone: 'firm',
            plannedAt: NOW,
            grouped: false,
            state: { kind: 'other', what: h },
          },
        ],
      }),
  ],
  ['previewMessage', (h) => previewMessage(hostile({ number: 'INV-1', subject: 'Reminder', text: 'Hello' }, h))],
  ['paymentNote', () => thread.paymentNote({ amount: 100, currency: 'USD', paidAt: NOW, daysAfterSending: 3, fullyPaid: false, balance: 50, timezone: TZ })],
  ['escalationNote', (h) => thread.escalationNote(hostile({ taskUrl: 'https://app.asana.com/0/1/2', ownerUserId: 'U2' }, h))],
  ['finalNoticePauseNote', () => thread.finalNoticePauseNote()],
  ['statusChangeNote', (h) => thread.statusChangeNote(hostile({ status: 'void' as const, by: 'U1' }, h))],
  ['unknownOutcomeNote', (h) => thread.unknownOutcomeNote(hostile({ what: 'the invoice email', since: NOW }, h))],
  ['editedNote', (h) => thread.editedNote(hostile({ by: 'U1' }, h))],
  [
    'ownerEscalationDm',
    (h) =>
      thread.ownerEscalationDm(hostile({ number: 'INV-1', clientName: 'Acme', balance: 100, currency: 'USD', daysSinceSent: 40, permalinkText: 'https://app.asana.com/0/1/2' }, h)),
  ],
  [
    'weeklySummaryMessage',
    (h) => weeklySummaryMessage(hostile({ weekOf: '2026-11-30', forecast: forecastView, aging, accuracy: [{ currency: 'USD', weeks: 2, withinPercent: 12 }], timezone: TZ }, h)),
  ],
  ['accountPhrase', (h) => accountPhrase(terms, hostile(account, h))],
  ['connectedNotice', (h) => connectedNotice(terms, hostile('U1', h), hostile(account, h))],
  [
    'confirmAccountMessage',
    (h) => confirmAccountMessage(terms, hostile({ pendingId: 'p1', by: 'U1', current: account, next: { accountId: '99', accountName: 'Other Books' } }, h)),
  ],
  ['decidedAccountMessage', () => decidedAccountMessage('Kept the current company.')],
  ['deadLetterMessage', (h) => deadLetterMessage(hostile(deadEvent, h), { timezone: TZ })],
  [
    'deadLetterMessage',
    (h) => deadLetterMessage(hostile({ ...deadEvent, source: 'email', kind: 'inbound_email', payload: { from: 'ann@acme.example', subject: 'Re: INV-1' } }, h), { timezone: TZ }),
  ],
  ['eventSummary', (h) => eventSummary(hostile(deadEvent, h))],
  ['retryAnswerText', (h) => retryAnswerText(hostile({ outcome: 'not_dead' as const, state: 'processed' as const }, h), { timezone: TZ })],
  ['retryButton', () => retryButton(7)],
  ['ageText', () => ageText(3_600_000)],
  ['sourceLabel', (h) => ({ text: sourceLabel(h) })],
  [
    'inboxBlocks',
    (h) => inboxBlocks(hostile({ waiting: 2, oldestWaitingSince: SENT, nextAttemptAt: NOW, deadLetters: 1, newestDead: [deadEvent], checkedAt: NOW }, h), { timezone: TZ }),
  ],
  ['accuracyLine', (h) => accuracyLine(hostile([{ currency: 'USD', weeks: 2, withinPercent: 12 }], h))],
];

/** Exports of blocks/ that build no Slack text from outside values (parsers, ids, helpers, limits, the console renderer). */
const NOT_BUILDERS = new Set([
  ...['field', 'parseClientSetup', 'readSetupMetadata', 'setupMetadata', 'parseLinesText', 'chosenClient', 'parseNewInvoice'],
  'taxBlocksApproval',
  'parseAdjustSubmission',
  'parseAdjustChoice',
  'parseCreditSubmission',
  'settingsMetadata',
  'readSettingsMetadata',
  'pickedClient',
  'parseClientSettings',
  'replySubject',
  'lineToText',
  'parseEditSubmission',
  'parseEmailList',
  'fmt',
  'ymdLabel',
  'dateLabel',
  'esc',
  'link',
  'who',
  'channelRef',
  'truncate',
  'clip',
  'plural',
  'blockProblems',
  'messageProblems',
  'modalProblems',
  'mrkdwnToText',
  'blocksToText',
  'blockIdOf',
  'templateFromState',
  'modalErrors',
  'parseModalState',
  'when',
  'toneLabel',
  'approveButtonValue',
  'sourceName',
  'parseStepValue',
  'stepValue',
  'post', // `post` takes mrkdwn its callers escaped; every caller is a builder listed above; `sourceName` is plain text for invoice lines
]);

describe('every outside string is escaped in Slack mrkdwn', () => {
  test.each(HOSTILE.map((h) => [h.length > 40 ? `${h.slice(0, 20)}… (${h.length} chars)` : h, h]))('hostile text %s', (_label, h) => {
    const problems: string[] = [];
    hostileId = h.slice(0, 40);
    for (const [name, render] of BUILDERS) {
      const output = render(h);
      for (const { at, text } of mrkdwnTexts(output)) {
        for (const p of mrkdwnProblems(text)) problems.push(`${name} ${at}: ${p}`);
        // No hostile value contains an entity, so an escaped entity means a value was escaped twice.
        if (/&amp;(amp|lt|gt);/.test(text)) problems.push(`${name} ${at}: escaped twice: ${text.slice(0, 80)}`);
      }
      for (const p of limitProblems(output)) problems.push(`${name} limits: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  test("duebot's own mentions survive: a Slack user id in a `by` field is still a mention", () => {
    const note = dispute.disputedNote({ by: 'UAPPROVER1', reason: 'price', pausedSteps: 1, taskUrl: null, ownerUserId: 'UOWNER1' });
    expect(note.text).toContain('<@UAPPROVER1>');
    expect(mrkdwnTexts(note).flatMap((t) => mrkdwnProblems(t.text, new Set(['@UAPPROVER1', '@UOWNER1'])))).toEqual([]);
    expect(mrkdwnProblems(notAMemberMessage('CBILLING1').text, new Set(['#CBILLING1']))).toEqual([]);
  });

  test('the checker catches what it is there for (so a pass means something)', () => {
    expect(mrkdwnProblems('hi <!channel>')).toEqual(['markup duebot did not make: <!channel>']);
    expect(mrkdwnProblems('by <@U123>')).toEqual(['markup duebot did not make: <@U123>']);
    expect(mrkdwnProblems('<javascript:alert(1)|Open>')).toEqual(['markup duebot did not make: <javascript:alert(1)|Open>']);
    expect(mrkdwnProblems('<https://x.example/a>b<!here>')).toEqual(['markup duebot did not make: <!here>']);
    expect(mrkdwnProblems('a < b')).toHaveLength(1);
    expect(mrkdwnProblems('cut &am')).toHaveLength(1);
    expect(mrkdwnProblems('<https://x.example/a|A &amp; B> &lt;!here&gt;')).toEqual([]);
    expect(
      mrkdwnTexts({ text: '<!here>', blocks: [{ type: 'section', text: { type: 'plain_text', text: '<!here>' }, fields: [{ type: 'mrkdwn', text: '<@U1>' }] }] }).map((t) => t.at),
    ).toEqual(['$.text', '$.blocks[0].fields[0].text']);
  });

  test('every exported builder of blocks/ is in the table above', async () => {
    const dir = fileURLToPath(new URL('../../blocks/', import.meta.url));
    const exported: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(`../../blocks/${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
      exported.push(
        ...Object.entries(module)
          .filter(([, v]) => typeof v === 'function')
          .map(([k]) => k),
      );
    }
    const covered = new Set(BUILDERS.map(([name]) => name));
    expect(exported.filter((name) => !covered.has(name) && !NOT_BUILDERS.has(name))).toEqual([]);
  });
});

describe('format helpers', () => {
  test('esc escapes the three control characters once', () => {
    expect(esc('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(esc('a &amp; b')).toBe('a &amp;amp; b'); // a literal "&amp;" typed by someone is shown as typed
  });

  test('link: only absolute http(s) URLs become links; the URL cannot end the link early, the label is escaped', () => {
    expect(link('https://app.asana.com/0/1/2', 'Design')).toBe('<https://app.asana.com/0/1/2|Design>');
    expect(link('https://x.example/a>b<!here>', 'Design <!here>')).toBe('<https://x.example/a%3Eb%3C!here%3E|Design &lt;!here&gt;>');
    expect(link('https://x.example/p?q=a|b c', 'a|b')).toBe('<https://x.example/p?q=a%7Cb%20c|a¦b>');
    expect(link('javascript:alert(1)', 'Design')).toBe('Design');
    expect(link('JAVASCRIPT:alert(1)//https://x.example', 'Design')).toBe('Design');
    expect(link('/relative/path', 'A & B')).toBe('A &amp; B');
    expect(link('data:text/html,<b>', 'x')).toBe('x');
    expect(link(null, 'x')).toBe('x');
    expect(link('http://x.example', '')).toBe('<http://x.example/>');
  });

  test('who and channelRef mention only real Slack ids', () => {
    expect(who('U012ABC')).toBe('<@U012ABC>');
    expect(who('<@U012ABC>')).toBe('&lt;@U012ABC&gt;');
    expect(who('auto-send')).toBe('auto-send');
    expect(channelRef('C0123')).toBe('<#C0123>');
    expect(channelRef('<!channel>')).toBe('&lt;!channel&gt;');
  });

  test('clip never leaves half an escape or half a link', () => {
    expect(clip(`${'x'.repeat(8)}&amp;`, 11)).toBe(`${'x'.repeat(8)}…`);
    expect(clip(`x <https://a.example|A> ${'y'.repeat(30)}`, 12)).toBe('x …');
  });
});

import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { blockActionBody, slashCommandBody, viewBlockActionBody, viewSubmissionBody, type SlackCall } from '../support/fake-slack.js';
import { postmarkRequest } from '../support/fake-inbound.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { getInboundEmailByMessageId } from '../../src/store/inbound-emails.js';
import { AUTHORIZATION, type InteractionKind } from '../../src/slack/authorize.js';

/**
 * Every Slack interaction the app answers, forged through signed requests as a user who is neither in
 * the billing channel nor an approver (refused privately, nothing opened, posted or stored), and as a
 * billing-channel member (reads allowed, everything else refused). Approvers are covered by the e2e
 * tests of each feature. The lists below must name exactly what the app registered, so a new button,
 * modal or subcommand fails here until it is forged too.
 */

const OUTSIDER = 'UOUTSIDER1';
/** What a billing-channel member may do; everything else needs an approver. */
const MEMBER_MAY = new Set([
  'open_client_settings',
  'email_template_edit',
  'email_template_preview',
  'client_settings_picker',
  'help',
  'list',
  'show',
  'aging',
  'client',
  'status',
  'forecast',
  'settings',
  'templates',
  'template',
  'history',
]);
const REFUSAL = /only invoice approvers|visible to members of|couldn't check who is in the billing channel|don't know/i;

let h: Harness;
let draft: InvoiceRecord;
let sent: InvoiceRecord;
let inboundId: number;
let settingsMetadata: string;

const pool = () => h.bot.services.db.pool;
const TEMPLATE_META = JSON.stringify({ kind: 'friendly', scope: '*', rev: 0 });
const text = (value: string) => ({ type: 'plain_text_input', value });

beforeAll(async () => {
  h = await startHarness();
  draft = await draftFor('9101', 400);
  const second = await draftFor('9102', 900);
  await h.clickButton('approve_invoice', second.id, APPROVER);
  sent = await h.waitForStatus(second.id, 'sent');
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => /sent to/.test(String(r.args.text))));
  await h.deliverEmail(
    postmarkRequest({
      from: 'ap@acme.example',
      subject: `Re: Invoice #${sent.number}`,
      text: 'We dispute this invoice: the hours are wrong.',
      messageId: '<forged-1@acme.example>',
      inReplyTo: sent.emailMessageId,
    }),
  );
  inboundId = (await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<forged-1@acme.example>'))).id;
  sent = await h.slack.waitFor(async () => {
    const current = await getInvoice(pool(), sent.id);
    return current?.disputed ? current : undefined;
  });
  const opened = h.slack.callsTo('views.open').length;
  await h.slashCommand('settings acme', APPROVER);
  settingsMetadata = String(((await h.slack.waitFor(() => h.slack.callsTo('views.open')[opened])).args.view as { private_metadata: string }).private_metadata);
  await h.bot.services.background.drain();
});
afterAll(async () => h?.stop());

async function draftFor(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  return h.slack.waitFor(async () => {
    const invoice = await findInvoiceBySource(pool(), 'asana', gid);
    return invoice?.slackTs ? invoice : undefined;
  });
}

/** How to forge each button, modal submission and subcommand (the text after `/invoices`). */
const buttons: Record<string, (user: string) => string> = {
  approve_invoice: (user) => click('approve_invoice', draft.id, user),
  discard_invoice: (user) => click('discard_invoice', draft.id, user),
  edit_invoice: (user) => click('edit_invoice', draft.id, user),
  open_client_settings: (user) => click('open_client_settings', 'acme', user),
  email_template_edit: (user) => click('email_template_edit', 'friendly|*', user),
  email_template_preview: (user) => inTemplateModal('email_template_preview', user),
  email_template_reset: (user) => inTemplateModal('email_template_reset', user),
  mark_disputed: (user) => click('mark_disputed', sent.id, user),
  resolve_dispute: (user) => click('resolve_dispute', sent.id, user),
  adjust_amount: (user) => click('adjust_amount', sent.id, user),
  reply_mark_disputed: (user) => click('reply_mark_disputed', String(inboundId), user),
  reply_not_dispute: (user) => click('reply_not_dispute', String(inboundId), user),
  reply_promise: (user) => click('reply_promise', String(inboundId), user),
  reply_to_client: (user) => click('reply_to_client', String(inboundId), user),
  use_new_backend_account: (user) => click('use_new_backend_account', 'pending-forged', user),
  keep_current_backend_account: (user) => click('keep_current_backend_account', 'pending-forged', user),
  retry_dead_letter: (user) => click('retry_dead_letter', '1', user),
  update_bounced_email: (user) => click('update_bounced_email', 'acme', user),
  recompute_tax: (user) => click('recompute_tax', draft.id, user),
  send_without_tax: (user) => click('send_without_tax', draft.id, user),
  email_statement: (user) => click('email_statement', 'acme', user),
  todays_sends_skip: (user) => click('todays_sends_skip', `2026-12-07|${sent.id}|0`, user),
  todays_sends_snooze: (user) => click('todays_sends_snooze', `2026-12-07|${sent.id}|0|1`, user),
  todays_sends_preview: (user) => click('todays_sends_preview', `2026-12-07|${sent.id}|0`, user),
  todays_sends_send_now: (user) => click('todays_sends_send_now', '2026-12-07', user),
  waive_late_fee: (user) => click('waive_late_fee', sent.id, user),
  edit_client: (user) => click('edit_client', 'acme', user),
};

const submissions: Record<string, (user: string) => string> = {
  edit_invoice_modal: (user) =>
    submit('edit_invoice_modal', user, draft.id, { edit_lines: { lines_input: text('Design | 1 | 1.00') }, edit_recipients: { recipients_input: text('attacker@evil.example') } }),
  client_settings_picker: (user) => submit('client_settings_picker', user, '', { cs_client: { value: { type: 'static_select', selected_option: { value: 'acme' } } } }),
  client_settings_modal: (user) =>
    submit('client_settings_modal', user, settingsMetadata, { cs_emails: { value: text('attacker@evil.example') }, cs_terms: { value: text('365') } }),
  email_template_modal: (user) =>
    submit('email_template_modal', user, TEMPLATE_META, {
      tpl_subject_0: { tpl_subject_input: text('Pay {{number}} here') },
      tpl_body_0: { tpl_body_input: text('Pay at https://evil.example {{link}}') },
    }),
  adjust_amount_modal: (user) =>
    submit('adjust_amount_modal', user, sent.id, {
      adjust_mode: { adjust_mode_input: { type: 'radio_buttons', selected_option: { value: 'credit' } } },
      adjust_credit: { adjust_credit_input: text('900') },
      adjust_reason: { adjust_reason_input: text('forged') },
    }),
  promise_modal: (user) => submit('promise_modal', user, String(inboundId), { promise_date: { promise_date_input: { type: 'datepicker', selected_date: '2099-12-31' } } }),
  reply_modal: (user) => submit('reply_modal', user, String(inboundId), { reply_text: { reply_text_input: text('Please pay to IBAN XX00 instead.') } }),
  client_setup_modal: (user) =>
    submit('client_setup_modal', user, JSON.stringify({ c: 'acme', o: null }), {
      cl_name: { value: text('Acme Ltd') },
      cl_emails: { value: text('attacker@evil.example') },
      cl_asana: { value: text('1200') },
    }),
  new_invoice_modal: (user) =>
    submit('new_invoice_modal', user, 'forged-ref', {
      ni_client: { value: { type: 'static_select', selected_option: { value: 'acme' } } },
      ni_lines: { value: text('Forged | 9999') },
    }),
};

const subcommands: Record<string, () => string> = {
  help: () => 'help',
  list: () => 'list',
  show: () => `show ${sent.number}`,
  aging: () => 'aging',
  client: () => 'client acme',
  status: () => 'status',
  forecast: () => 'forecast',
  settings: () => 'settings acme',
  templates: () => 'templates',
  template: () => 'template friendly',
  balance: () => 'balance 5000 USD',
  pause: () => `pause ${sent.number}`,
  resume: () => `resume ${sent.number}`,
  remind: () => `remind ${sent.number}`,
  import: () => 'import stripe',
  connect: () => 'connect asana 1200',
  disconnect: () => 'disconnect asana 1200',
  'client-link': () => 'client-link acme new',
  new: () => 'new',
  export: () => 'export aging',
  history: () => `history ${sent.number}`,
};

function click(actionId: string, value: string, userId: string): string {
  return blockActionBody({ actionId, value, userId, channelId: BILLING_CHANNEL, messageTs: draft.slackTs!, responseUrl: h.slack.responseUrl(), triggerId: 'trigger-forged' });
}
function inTemplateModal(actionId: string, userId: string): string {
  const values = { tpl_subject_0: { tpl_subject_input: text('Hi {{number}}') }, tpl_body_0: { tpl_body_input: text('Pay {{amount}}: {{link}}') } };
  return viewBlockActionBody({ actionId, userId, viewId: 'V0FORGED', callbackId: 'email_template_modal', privateMetadata: TEMPLATE_META, values, blockId: 'tpl_actions' });
}
function submit(callbackId: string, userId: string, privateMetadata: string, values: Record<string, Record<string, unknown>>): string {
  return viewSubmissionBody({ callbackId, userId, privateMetadata, values });
}
function command(text: string, userId: string, channelId = BILLING_CHANNEL): string {
  return slashCommandBody({ command: '/invoices', text, userId, channelId, responseUrl: h.slack.responseUrl(), triggerId: 'trigger-forged' });
}

/** Sends one signed request and waits until everything it started is done (listeners run on after their ack). */
async function forge(body: string): Promise<{ status: number; answer: string; calls: SlackCall[]; responses: Record<string, unknown>[] }> {
  const calls = h.slack.calls.length;
  const responses = h.slack.responses.length;
  const res = await h.postSlack(body);
  const answer = await res.text();
  await h.bot.services.background.drain();
  return { status: res.status, answer, calls: h.slack.calls.slice(calls), responses: h.slack.responses.slice(responses).map((r) => r.body) };
}

/** What the request changed that matters: every row a Slack action could write. */
async function state(): Promise<string> {
  const tables = [
    'invoices',
    'reminders',
    'audit_log',
    'client_settings_overrides',
    'email_templates',
    'inbound_emails',
    'email_bounces',
    'invoice_credits',
    'cash_balances',
    'webhook_secrets',
    'connections',
    'effects',
    'client_page_links',
  ];
  const rows = [];
  for (const table of tables) rows.push((await pool().query(`SELECT * FROM ${table} ORDER BY 1`)).rows);
  return JSON.stringify(rows);
}

/** The forger was answered once, only to them, with a refusal, and nothing else was asked of Slack. */
function expectRefusedPrivately(user: string, outcome: Awaited<ReturnType<typeof forge>>, reason: RegExp): void {
  const said = [outcome.answer, ...outcome.calls.map((c) => JSON.stringify(c.args)), ...outcome.responses.map((r) => JSON.stringify(r))].join('\n');
  expect(said).toMatch(reason);
  for (const call of outcome.calls) {
    if (call.method === 'conversations.members' || call.method === 'conversations.open') continue;
    if (call.method === 'chat.postEphemeral') expect(call.args.user).toBe(user);
    else if (call.method === 'chat.postMessage')
      expect(String(call.args.channel)).toBe(`D${user.slice(0, 10)}`); // the refusal, in the forger's DM
    else throw new Error(`a refused request made Slack call ${call.method}: ${JSON.stringify(call.args).slice(0, 200)}`);
    expect(String(call.args.text)).toMatch(reason);
  }
  expect(outcome.calls.filter((c) => /^chat\.post/.test(c.method)).length + outcome.responses.length + (outcome.answer ? 1 : 0)).toBe(1);
  for (const response of outcome.responses) expect(response.response_type).toBe('ephemeral');
}

const sorted = (ids: Iterable<string>) => [...ids].sort();

test('the forgeries below cover exactly what the app registered, and the table gives exactly those a role', () => {
  const registered = h.bot.interactions;
  expect(sorted(registered.block_actions)).toEqual(sorted(Object.keys(buttons)));
  expect(sorted(registered.view_submission)).toEqual(sorted(Object.keys(submissions)));
  expect(sorted(registered.subcommand)).toEqual(sorted(Object.keys(subcommands)));
  expect([...registered.view_closed, ...registered.block_suggestion]).toEqual([]);
  for (const kind of Object.keys(registered) as InteractionKind[]) expect(sorted(Object.keys(AUTHORIZATION[kind]))).toEqual(sorted(registered[kind]));
});

test('an outsider is refused every button and modal, privately, and nothing changes', async () => {
  const before = await state();
  for (const [id, body] of Object.entries(buttons)) {
    const outcome = await forge(body(OUTSIDER));
    expect([id, outcome.status]).toEqual([id, 200]);
    expectRefusedPrivately(OUTSIDER, outcome, MEMBER_MAY.has(id) ? new RegExp(`visible to members of <#${BILLING_CHANNEL}>`) : /only invoice approvers/);
  }
  for (const [id, body] of Object.entries(submissions)) {
    const outcome = await forge(body(OUTSIDER));
    const answer = JSON.parse(outcome.answer) as { response_action: string; errors: Record<string, string> };
    expect([id, answer.response_action]).toEqual([id, 'errors']);
    expect(Object.values(answer.errors).join(' ')).toMatch(MEMBER_MAY.has(id) ? /visible to members of the billing channel/ : /Only invoice approvers/);
    expect(outcome.calls.filter((c) => c.method !== 'conversations.members')).toEqual([]);
  }
  expect(await state()).toBe(before);
});

test('an outsider gets help and a refusal for every other subcommand, privately, and nothing changes', async () => {
  const before = await state();
  for (const [sub, words] of Object.entries(subcommands)) {
    const outcome = await forge(command(words(), OUTSIDER));
    if (sub === 'help') {
      expect(JSON.stringify(outcome.responses)).toContain('What I can do');
      continue;
    }
    expectRefusedPrivately(OUTSIDER, outcome, MEMBER_MAY.has(sub) ? /visible to members of/ : /only invoice approvers/);
  }
  // A trailing "share" changes nothing: still refused, still private.
  expectRefusedPrivately(OUTSIDER, await forge(command(`show ${sent.number} share`, OUTSIDER)), /visible to members of/);
  expect(await state()).toBe(before);
});

test('a member may open settings, templates and previews; every other button and modal is refused; nothing changes', async () => {
  const before = await state();
  for (const [id, body] of Object.entries(buttons)) {
    const outcome = await forge(body(MEMBER));
    if (!MEMBER_MAY.has(id)) {
      expectRefusedPrivately(MEMBER, outcome, /only invoice approvers/);
      continue;
    }
    const shown = outcome.calls.find((c) => c.method === 'views.open' || c.method === 'views.update');
    expect([id, shown?.args.view ? 'shown' : 'not shown']).toEqual([id, 'shown']);
    expect([id, outcome.calls.filter((c) => /^chat\.post/.test(c.method))]).toEqual([id, []]);
  }
  for (const [id, body] of Object.entries(submissions)) {
    const answer = JSON.parse((await forge(body(MEMBER))).answer) as { response_action: string; errors?: Record<string, string>; view?: { callback_id: string; submit?: unknown } };
    if (MEMBER_MAY.has(id)) {
      expect([id, answer.response_action, answer.view?.callback_id, answer.view?.submit]).toEqual([id, 'update', 'client_settings_modal', undefined]); // read-only
    } else {
      expect([id, answer.response_action, Object.values(answer.errors ?? {}).join(' ')]).toEqual([id, 'errors', expect.stringMatching(/^Only invoice approvers can/)]);
    }
  }
  expect(await state()).toBe(before);
});

test('a member may use the read subcommands; the others are refused; nothing changes', async () => {
  const before = await state();
  for (const [sub, words] of Object.entries(subcommands)) {
    const outcome = await forge(command(words(), MEMBER));
    if (!MEMBER_MAY.has(sub)) {
      expectRefusedPrivately(MEMBER, outcome, /only invoice approvers/);
      continue;
    }
    const answered = outcome.responses.length + outcome.calls.filter((c) => c.method === 'views.open').length;
    expect([sub, answered > 0]).toEqual([sub, true]);
    expect([sub, JSON.stringify(outcome.responses)]).not.toEqual([sub, expect.stringMatching(REFUSAL)]);
  }
  expect(await state()).toBe(before);
});

test('ids nobody registered, other payload types and other commands are refused and logged; nothing is opened', async () => {
  const payload = (fields: Record<string, unknown>) =>
    new URLSearchParams({
      payload: JSON.stringify({ team: { id: 'T0FAKE' }, api_app_id: 'A0DUEBOT', token: 'legacy-verification-token', user: { id: APPROVER, team_id: 'T0FAKE' }, ...fields }),
    }).toString();
  const unknownButton = await forge(click('retry_everything', draft.id, APPROVER));
  expectRefusedPrivately(APPROVER, unknownButton, /don't know that action/);
  const proto = await forge(click('__proto__', draft.id, APPROVER));
  expectRefusedPrivately(APPROVER, proto, /don't know that action/);
  // Bolt runs a payload's first action: a second one, unknown or needing more, refuses the whole click.
  const withSecond = (body: string, actionId: string) => {
    const parsed = JSON.parse(new URLSearchParams(body).get('payload')!) as { actions: { action_id: string }[] };
    parsed.actions.push({ ...parsed.actions[0]!, action_id: actionId });
    return new URLSearchParams({ payload: JSON.stringify(parsed) }).toString();
  };
  expectRefusedPrivately(APPROVER, await forge(withSecond(click('approve_invoice', draft.id, APPROVER), 'retry_everything')), /don't know that action/);
  expectRefusedPrivately(MEMBER, await forge(withSecond(click('open_client_settings', 'acme', MEMBER), 'approve_invoice')), /only invoice approvers can approve/);
  expect((await getInvoice(pool(), draft.id))!.status).toBe('draft');
  const unknownSubmission = JSON.parse((await forge(submit('mystery_modal', APPROVER, draft.id, { edit_lines: { lines_input: text('x | 1 | 1') } }))).answer) as {
    errors: Record<string, string>;
  };
  expect(unknownSubmission.errors.edit_lines).toMatch(/don't know that action/);
  const closed = await forge(
    payload({ type: 'view_closed', view: { id: 'V1', callback_id: 'client_settings_modal', private_metadata: settingsMetadata, state: { values: {} } }, is_cleared: false }),
  );
  expect([closed.status, closed.calls.filter((c) => c.method !== 'conversations.members')]).toEqual([200, []]);
  const suggestion = await forge(
    payload({
      type: 'block_suggestion',
      action_id: 'client_search',
      block_id: 'cs_client',
      value: 'ac',
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', callback_id: 'client_settings_picker' },
    }),
  );
  expect([suggestion.status, JSON.parse(suggestion.answer || '{}')]).toEqual([200, { options: [] }]);
  const shortcut = await forge(payload({ type: 'shortcut', callback_id: 'open_everything', trigger_id: 'trigger-forged' }));
  expect([shortcut.status, shortcut.calls]).toEqual([200, []]);
  const other = await forge(slashCommandBody({ command: '/payme', text: 'now', userId: APPROVER, channelId: BILLING_CHANNEL, responseUrl: h.slack.responseUrl() }));
  expect([other.status, other.calls, other.responses]).toEqual([200, [], []]);
  const unknownSub = await forge(command('__proto__', OUTSIDER));
  expectRefusedPrivately(OUTSIDER, unknownSub, /don't know/);
});

test('when the channel members cannot be read, reads are refused (not allowed); approvers still act', async () => {
  h.bot.services.access.forget();
  h.slack.failNext('conversations.members', 1, 'missing_scope');
  const outcome = await forge(buttons.open_client_settings!(MEMBER));
  expectRefusedPrivately(MEMBER, outcome, /couldn't check who is in the billing channel/);
  // Approvers need no member list: with Slack still failing, the approver's click opens the settings.
  h.bot.services.access.forget();
  h.slack.failNext('conversations.members', 1, 'missing_scope');
  const approver = await forge(buttons.open_client_settings!(APPROVER));
  expect(approver.calls.filter((c) => c.method === 'views.open')).toHaveLength(1);
  expect(approver.calls.filter((c) => c.method === 'conversations.members')).toEqual([]);
  h.slack.failNext('conversations.members', 0, '');
});

test('"share" posts in the billing channel only: asked elsewhere, the answer stays private', async () => {
  const here = await forge(command('aging share', MEMBER));
  expect(here.responses.map((r) => r.response_type)).toEqual(['in_channel']);
  const elsewhere = await forge(command('aging share', MEMBER, 'CGENERAL1'));
  expect(elsewhere.responses.map((r) => r.response_type)).toEqual(['ephemeral']);
  expect(JSON.stringify(elsewhere.responses)).toContain('Receivables aging');
});

import { parse } from 'csv-parse/sync';
import { writeFile } from 'node:fs/promises';
import { startHarness, APPROVER, CLIENTS_YAML, MEMBER, type Harness } from '../support/harness.js';
import { SETUP_BLOCKS } from '../../blocks/client-setup-modal.js';
import { submission, type OpenedModal } from '../support/modal-submission.js';
import { NEW_INVOICE_BLOCKS } from '../../blocks/new-invoice-modal.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { addDays, localDate } from '../../src/domain/calendar.js';
import { auditHistory } from '../../src/usecases/history.js';
import { historyMessage } from '../../blocks/history.js';
import { getClient } from '../../src/store/clients.js';
import { signGenericBody } from '../../src/providers/projects/generic.js';

/** Setup and answers from Slack (docs/slack.md): clients, one-off invoices, exports, history; one bot for the file. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tools: ['generic'] });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;

type View = OpenedModal;

/** Runs `/invoices <text>` (or clicks a button) and returns the modal it opened. */
async function modalOpenedBy(act: () => Promise<Response>): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  expect((await act()).status).toBe(200);
  return (await h.slack.waitFor(() => h.slack.callsTo('views.open')[before])).args.view as View;
}

async function submit(view: View, edits: Record<string, string | null>, user = APPROVER): Promise<{ response_action?: string; errors?: Record<string, string> }> {
  const res = await h.submitView(view.callback_id, user, view.private_metadata, submission(view, edits));
  expect(res.status).toBe(200);
  const body = await res.text();
  return body ? (JSON.parse(body) as { response_action?: string; errors?: Record<string, string> }) : {};
}

/** Runs `/invoices <text>` and returns the body of its (first) answer. */
async function answerTo(text: string, user = APPROVER): Promise<Record<string, unknown>> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(text, user)).status).toBe(200);
  return (await h.slack.waitFor(() => h.slack.responses[before])).body;
}

/** The draft of a source (a task, a form) once it is posted in the channel. */
const postedDraft = (source: string, ref: string) =>
  h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), source, ref);
    return inv?.slackTs ? inv : undefined;
  });

/** The file inside an upload (files.uploadV2 posts it as multipart/form-data with one part). */
function uploadedText(body: string): string {
  const boundary = body.slice(0, body.indexOf('\r\n'));
  return body.slice(body.indexOf('\r\n\r\n') + 4, body.lastIndexOf(`\r\n${boundary}`));
}

const lastEphemeral = (user: string) =>
  h.slack.waitFor(() =>
    h.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => c.args.user === user)
      .at(-1),
  );

test('a client added in Slack is invoiced from its project at once; an edit survives a restart', async () => {
  const add = await modalOpenedBy(() => h.slashCommand('client add'));
  expect(add.callback_id).toBe('client_setup_modal');

  // The clients file's own rules, each on its field; a project of another client is refused too.
  const bad = await submit(add, {
    [SETUP_BLOCKS.name]: 'Initech',
    [SETUP_BLOCKS.emails]: 'ap@initech.example, nope',
    [SETUP_BLOCKS.currency]: 'EURO',
    [SETUP_BLOCKS.asanaProjects]: '15x0',
    [SETUP_BLOCKS.retainerAmount]: '12.345',
  });
  expect(bad.response_action).toBe('errors');
  expect(Object.keys(bad.errors!).sort()).toEqual([SETUP_BLOCKS.asanaProjects, SETUP_BLOCKS.currency, SETUP_BLOCKS.emails].sort());
  const clash = await submit(add, { [SETUP_BLOCKS.name]: 'Initech', [SETUP_BLOCKS.emails]: 'ap@initech.example', [SETUP_BLOCKS.asanaProjects]: '1200' });
  expect(clash.errors?.[SETUP_BLOCKS.asanaProjects]).toMatch(/1200 already belongs to client "Acme Ltd"/);

  const saved = await submit(add, {
    [SETUP_BLOCKS.name]: 'Initech <!channel>',
    [SETUP_BLOCKS.emails]: 'ap@initech.example',
    [SETUP_BLOCKS.currency]: 'eur',
    [SETUP_BLOCKS.terms]: '10',
    [SETUP_BLOCKS.asanaProjects]: '1500',
  });
  expect(saved.errors).toBeUndefined();
  const added = await h.slack.waitFor(() => getClient(pool(), 'initech-channel'));
  expect(added).toMatchObject({ currency: 'EUR', paymentTermsDays: 10, asanaProjectGids: ['1500'], emails: ['ap@initech.example'] });
  expect(String((await lastEphemeral(APPROVER)).args.text)).toContain('Initech &lt;!channel&gt;');

  // A milestone of its project, no restart: a draft for the new client.
  expect((await h.completeMilestone({ gid: '7701', name: 'Initech kickoff', amount: 800, projectGid: '1500' })).status).toBe(200);
  const draft = await h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', '7701'));
  expect(draft).toMatchObject({ clientId: 'initech-channel', currency: 'EUR', total: 80000 });

  // Edit client: the summary's button opens the modal prefilled; the new terms survive a restart.
  expect(JSON.stringify(await answerTo('client initech-channel'))).toContain('edit_client');
  expect(JSON.stringify(await answerTo('client initech-channel', MEMBER))).not.toContain('edit_client');
  const edit = await modalOpenedBy(() => h.clickButton('edit_client', 'initech-channel', APPROVER));
  const initial = Object.fromEntries(edit.blocks.filter((b) => b.element).map((b) => [b.block_id, b.element!.initial_value ?? b.element!.initial_option?.value ?? null]));
  expect(initial).toMatchObject({ [SETUP_BLOCKS.terms]: '10', [SETUP_BLOCKS.currency]: 'EUR', [SETUP_BLOCKS.asanaProjects]: '1500' });
  expect((await submit(edit, { [SETUP_BLOCKS.terms]: '21', [SETUP_BLOCKS.doneStatus]: 'Shipped' })).errors).toBeUndefined();
  await h.slack.waitFor(async () => (await getClient(pool(), 'initech-channel'))?.paymentTermsDays === 21);
  await h.slack.waitFor(() => h.bot.services.doneStatuses?.includes('Shipped'));

  // A file client edited in Slack keeps the edit when the file (unchanged) is read again at start.
  const acme = await modalOpenedBy(() => h.clickButton('edit_client', 'acme', APPROVER));
  expect((await submit(acme, { [SETUP_BLOCKS.name]: 'Acme Group', [SETUP_BLOCKS.asanaProjects]: '1200, 1201' })).errors).toBeUndefined();
  await h.slack.waitFor(async () => (await getClient(pool(), 'acme'))?.name === 'Acme Group');
  // The file changes at the same time: it still sets the fields nobody set in Slack, and no others.
  const file = CLIENTS_YAML.replace('paymentTermsDays: 7', 'paymentTermsDays: 45').replace('name: Acme Ltd', 'name: Acme Renamed In File');
  const initechInFile = '  - id: initech-channel\n    name: Initech\n    emails: file@initech.example\n    paymentTermsDays: 60\n    autoSend: true\n    maxInvoiceAmount: 5000\n';
  await writeFile(h.env.CLIENTS_FILE!, `${file}${initechInFile}`);
  await h.restart();
  expect(await getClient(pool(), 'acme')).toMatchObject({ name: 'Acme Group', asanaProjectGids: ['1200', '1201'], paymentTermsDays: 45 });
  expect(await getClient(pool(), 'initech-channel')).toMatchObject({ emails: ['ap@initech.example'], autoSend: false, maxInvoiceAmount: 500000 });
  expect(await getClient(pool(), 'initech-channel')).toMatchObject({ paymentTermsDays: 21, mapping: expect.objectContaining({ doneStatus: 'Shipped' }) });
  expect(h.bot.services.doneStatuses).toEqual(['Shipped']);
  // A done status saved by another process reaches this one's project-tool webhooks with the next authentic
  // delivery; a forged one (or a signed one that is not a delivery) reads nothing.
  h.bot.services.doneStatuses!.length = 0;
  const body = JSON.stringify({ externalId: 'done-status-probe', client: 'no-such-client', milestone: 'Probe', lines: [{ description: 'Probe', unitAmount: '1.00' }] });
  expect((await h.send('/webhooks/generic', body, { 'content-type': 'application/json', 'x-duebot-signature': `sha256=${'0'.repeat(64)}` })).status).toBe(401);
  const broken = '{"externalId": ';
  expect((await h.send('/webhooks/generic', broken, { 'content-type': 'application/json', 'x-duebot-signature': signGenericBody(h.genericSecret!, broken) })).status).toBe(400);
  expect(h.bot.services.doneStatuses).toEqual([]);
  expect((await h.send('/webhooks/generic', body, { 'content-type': 'application/json', 'x-duebot-signature': signGenericBody(h.genericSecret!, body) })).status).toBe(200);
  expect(h.bot.services.doneStatuses).toEqual(['Shipped']);
});

test("/invoices new: a one-off draft like a milestone's, approved onto the back-end; one form makes one draft", async () => {
  const form = await modalOpenedBy(() => h.slashCommand('new'));
  expect(form.callback_id).toBe('new_invoice_modal');
  const bad = await submit(form, { [NEW_INVOICE_BLOCKS.client]: 'acme', [NEW_INVOICE_BLOCKS.lines]: 'Workshop | 12.345\nTravel', [NEW_INVOICE_BLOCKS.terms]: '400' });
  expect(Object.keys(bad.errors!).sort()).toEqual([NEW_INVOICE_BLOCKS.lines, NEW_INVOICE_BLOCKS.terms].sort());
  expect(bad.errors![NEW_INVOICE_BLOCKS.lines]).toMatch(/Line 1: .*more decimals than USD[\s\S]*Line 2/);

  const edits = { [NEW_INVOICE_BLOCKS.client]: 'acme', [NEW_INVOICE_BLOCKS.lines]: 'Workshop | 1,200.00\nTravel | 2 | $150.50', [NEW_INVOICE_BLOCKS.terms]: '3' };
  expect((await submit(form, edits)).errors).toBeUndefined();
  const draft = await postedDraft('slack', form.private_metadata);
  expect(draft).toMatchObject({ clientId: 'acme', currency: 'USD', total: 150100, status: 'draft', recipients: ['ap@acme.example', 'cfo@acme.example'] });
  expect(draft.dueDate).toBe(addDays(localDate(h.clock.now(), 'UTC'), 3));
  expect(JSON.stringify(h.slack.callsTo('chat.postMessage').find((c) => c.args.ts === draft.slackTs || JSON.stringify(c.args).includes(draft.number))?.args)).toContain(
    'approve_invoice',
  );

  // The same form submitted again (a double click): still one draft.
  await submit(form, edits);
  expect(String((await lastEphemeral(APPROVER)).args.text)).toMatch(/already made its draft|Draft/);
  await h.slack.waitFor(() => /already made its draft/.test(String(h.slack.callsTo('chat.postEphemeral').at(-1)?.args.text)));

  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(h.stripe.invoices.get(sent.providerInvoiceId!)).toMatchObject({ amount_due: 150100 });
});

test('/invoices export: CSV files in the DM that parse, with the right rows and hostile text neutralised', async () => {
  const hostile = '=HYPERLINK("https://evil.example","pay here")';
  expect((await h.completeMilestone({ gid: '7702', name: hostile, amount: 250 })).status).toBe(200);
  const draft = await postedDraft('asana', '7702');
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const sent = await h.waitForStatus(draft.id, 'sent');

  const uploads = h.slack.uploads.length;
  expect(JSON.stringify(await answerTo('export aging'))).toMatch(/aging-\d{4}-\d{2}-\d{2}\.csv \(2 rows\) is in your DM/);
  const file = await h.slack.waitFor(() => h.slack.uploads[uploads]);
  const done = await h.slack.waitFor(() => h.slack.callsTo('files.completeUploadExternal').at(-1));
  expect(String(done.args.channel_id)).toMatch(/^D/);
  const rows = parse(uploadedText(file.body), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => [r.Invoice, r.Client, r.Balance, r['Days overdue'], r['Age bucket']])).toEqual(
    expect.arrayContaining([
      [sent.number, 'Acme Group', '250.00', '0', '0-7'],
      [expect.stringMatching(/^INV-/), 'Acme Group', '1501.00', '0', '0-7'],
    ]),
  );
  expect(rows.find((r) => r.Invoice === sent.number)!.Milestone).toBe(`'${hostile}`);

  // The audit trail of today, with a range; the client added in Slack is in it.
  const today = localDate(h.clock.now(), 'UTC');
  await answerTo(`export audit ${today} ${today}`);
  const audit = parse(uploadedText((await h.slack.waitFor(() => h.slack.uploads[uploads + 1])).body), { columns: true }) as Record<string, string>[];
  expect(audit.map((r) => r.Action)).toEqual(expect.arrayContaining(['client_added', 'client_edited', 'drafted', 'approved']));
  expect(JSON.stringify(await answerTo('export audit 2026-13-01'))).toMatch(/not a date/);
  expect(JSON.stringify(await answerTo('export aging', MEMBER))).toMatch(/only invoice approvers can export data/i);
  expect(h.slack.uploads).toHaveLength(uploads + 2);
});

test("/invoices history: an invoice's or a client's audit trail, newest first, escaped, paged", async () => {
  const sent = (await findInvoiceBySource(pool(), 'asana', '7702'))!;
  const invoice = JSON.stringify(await answerTo(`history ${sent.number}`, MEMBER));
  expect(invoice).toMatch(/History of invoice INV-/);
  expect(invoice.indexOf('sent')).toBeLessThan(invoice.indexOf('drafted'));

  const client = JSON.stringify(await answerTo('history Initech <!channel>'));
  expect(client).toMatch(/client edited[\s\S]*client added/);
  expect(client).toContain('&lt;!channel&gt;');
  expect(client).not.toContain('<!channel>');

  // Pages of 4 (Slack's pages are of HISTORY_PAGE_SIZE): the next page goes on where the first stopped.
  const first = (await auditHistory(h.bot.services, 'acme', 4))!;
  const second = (await auditHistory(h.bot.services, 'Acme Group page 2', 4))!;
  expect(first.more).toBe(true);
  expect(second.page).toBe(2);
  expect(second.entries[0]!.at.getTime()).toBeLessThanOrEqual(first.entries[3]!.at.getTime());
  expect(historyMessage(first, { timezone: 'UTC' }).blocks.at(-1)).toMatchObject({ elements: [{ text: expect.stringContaining('/invoices history acme page 2') }] });
  expect(JSON.stringify(await answerTo('history acme page 9'))).toMatch(/no entries on this page/);
  expect(JSON.stringify(await answerTo('history nobody-here'))).toMatch(/No invoice numbered and no client named/);
});

test('non-approvers cannot add or edit clients', async () => {
  expect(JSON.stringify(await answerTo('client add', MEMBER))).toMatch(/only invoice approvers can add clients/i);
  const opened = h.slack.callsTo('views.open').length;
  await h.clickButton('edit_client', 'acme', MEMBER);
  expect(String((await lastEphemeral(MEMBER)).args.text)).toMatch(/only invoice approvers can set up clients/i);
  expect(h.slack.callsTo('views.open')).toHaveLength(opened);
  const forged = await h.submitView('client_setup_modal', MEMBER, JSON.stringify({ c: 'acme', o: null }), {
    [SETUP_BLOCKS.name]: { value: { type: 'plain_text_input', value: 'Hijacked' } },
  });
  expect(JSON.stringify(await forged.json())).toMatch(/approvers/);
  expect((await getClient(pool(), 'acme'))!.name).not.toBe('Hijacked');
});

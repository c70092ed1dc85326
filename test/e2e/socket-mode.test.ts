import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { blockActionBody, eventCallbackBody, slashCommandBody, appHomeOpenedEvent } from '../support/fake-slack.js';
import type { EnvelopeType, SocketAck } from '../support/fake-slack-socket.js';
import { findInvoiceBySource, getInvoice } from '../../src/store/invoices.js';

/**
 * Socket Mode (SLACK_APP_TOKEN set): Bolt's real SocketModeReceiver opens its socket through
 * apps.connections.open on the fake Web API and gets every command, click and event as an envelope over a
 * local WebSocket that speaks Slack's protocol. /slack/events is then not served at all.
 */

const APP_TOKEN = 'xapp-1-A0DUEBOT-1-socketmodetest';
const OUTSIDER = 'UOUTSIDER1';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' } });
});
afterAll(async () => h.stop());

const socket = () => h.slack.socket;
const pool = () => h.bot.services.db.pool;

/** Sends one envelope the way Slack would and checks its ack: the same envelope id, duebot's empty ack payload. */
async function deliver(type: EnvelopeType, payload: Record<string, unknown>, acceptsResponsePayload: boolean): Promise<SocketAck> {
  const ack = await socket().deliver(type, payload, acceptsResponsePayload);
  expect(ack.payload).toEqual({});
  await h.bot.services.background.drain();
  return ack;
}
/** The slash command's fields, sent in Socket Mode as a JSON object instead of a form. */
async function slashCommand(text: string, userId = APPROVER) {
  const responseUrl = h.slack.responseUrl();
  await deliver('slash_commands', Object.fromEntries(new URLSearchParams(slashCommandBody({ command: '/invoices', text, userId, channelId: BILLING_CHANNEL, responseUrl }))), true);
  return h.slack.waitFor(() => h.slack.responses.find((r) => r.url === new URL(responseUrl).pathname));
}
async function click(actionId: string, value: string, userId: string, messageTs: string) {
  const form = new URLSearchParams(blockActionBody({ actionId, value, userId, channelId: BILLING_CHANNEL, messageTs, responseUrl: h.slack.responseUrl() }));
  await deliver('interactive', JSON.parse(form.get('payload')!) as Record<string, unknown>, false);
}
const draftFor = async (gid: string, name: string, amount: number) => {
  await h.completeMilestone({ gid, name, amount });
  return h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
};

test('the bot opens its socket with the app-level token, answers pings, and serves no /slack/events', async () => {
  expect(socket().openedWith).toEqual([APP_TOKEN]);
  expect(socket().openConnections()).toBe(1);
  // Slack pings right after hello; undici answers with the same data.
  await h.slack.waitFor(() => socket().pongs.includes('ping 1'));
  const res = await fetch(`${h.bot.url}/slack/events`, { method: 'POST', body: 'command=%2Finvoices&text=help', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(404);
});

test("Approve & send from an approver sends the invoice; an outsider's click is refused and changes nothing", async () => {
  const refused = await draftFor('9101', 'Socket refused', 400);
  await click('approve_invoice', refused.id, OUTSIDER, refused.slackTs!);
  const refusal = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === OUTSIDER));
  expect(String(refusal.args.text)).toMatch(/only invoice approvers/);
  expect((await getInvoice(pool(), refused.id))?.status).toBe('draft');
  expect(h.smtp.messages.filter((m) => m.subject.includes(refused.number))).toEqual([]);

  const approved = await draftFor('9102', 'Socket approved', 1500);
  await click('approve_invoice', approved.id, APPROVER, approved.slackTs!);
  await h.waitForStatus(approved.id, 'sent');
  const email = await h.smtp.waitFor((m) => m.subject.includes(approved.number));
  expect(email.to).toContain('ap@acme.example');
  expect((await getInvoice(pool(), refused.id))?.status).toBe('draft');
});

test('/invoices help and /invoices aging are acked on the socket and answered at the response_url', async () => {
  const help = await slashCommand('help');
  expect(help.body).toMatchObject({ response_type: 'ephemeral' });
  expect(JSON.stringify(help.body)).toContain('aging');

  // The invoice sent over the socket above is in the table.
  const aging = await slashCommand('aging');
  expect(aging.body).toMatchObject({ response_type: 'ephemeral' });
  expect(JSON.stringify(aging.body)).toContain('0-7');
  expect(JSON.stringify(aging.body)).toContain('$1,500.00');
});

test('app_home_opened as an events_api envelope publishes the Home tab', async () => {
  const before = h.slack.publishedHomes(APPROVER).length;
  await deliver('events_api', JSON.parse(eventCallbackBody(appHomeOpenedEvent(APPROVER))) as Record<string, unknown>, false);
  const published = await h.slack.waitFor(() => h.slack.publishedHomes(APPROVER)[before]);
  expect((published.args.view as { type: string }).type).toBe('home');
});

test('a refresh request closes the socket; the client reconnects through a new apps.connections.open and keeps working', async () => {
  socket().requestRefresh();
  await h.slack.waitFor(() => socket().closes.length === 1);
  expect(socket().closes).toEqual([1000]);
  // Bolt waits its reconnect delay (5 s) before asking for a new URL.
  await socket().waitForConnections(2);
  expect(socket().openedWith).toEqual([APP_TOKEN, APP_TOKEN]);
  expect(socket().openConnections()).toBe(1);
  const help = await slashCommand('help');
  expect(JSON.stringify(help.body)).toContain('aging');
}, 30_000);

test('stopping the bot closes its socket (nothing left open)', async () => {
  await h.bot.stop();
  expect(socket().openConnections()).toBe(0);
  expect(socket().closes).toEqual([1000, 1000]);
});

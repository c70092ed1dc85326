import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WebClient } from '@slack/web-api';
import { App, LogLevel, verifySlackRequest, type BlockAction, type ButtonAction } from '@slack/bolt';
import { startFakeSlack, signSlackRequest, slashCommandBody, blockActionBody, viewSubmissionBody, type FakeSlack } from '../support/fake-slack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => slack.close());

const client = () => new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });

describe('the local Slack stand-in speaks to the real WebClient', () => {
  test('posts, threads, updates and DMs are recorded with parsed blocks, and the helpers find them', async () => {
    const web = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const top = await web.chat.postMessage({ channel: 'C1', text: 'draft', blocks });
    const other = await web.chat.postMessage({ channel: 'C1', text: 'another' });
    await web.chat.postMessage({ channel: 'C1', thread_ts: top.ts!, text: 'reply' });
    await web.chat.postMessage({ channel: 'C2', text: 'elsewhere' });
    await web.chat.update({ channel: 'C1', ts: top.ts!, text: 'first update' });
    await web.chat.update({ channel: 'C1', ts: top.ts!, text: 'second update', blocks });
    await web.chat.update({ channel: 'C1', ts: other.ts!, text: 'not this one' });
    const dm = await web.conversations.open({ users: 'U123' });
    const dm2 = await web.conversations.open({ users: 'U456' });

    expect(top.ts).toMatch(/^1700000000\.\d{6}$/);
    expect(Number(other.ts)).toBeGreaterThan(Number(top.ts));
    expect(top.channel).toBe('C1');
    expect(dm.channel?.id).toBe('DU123');
    expect(dm2.channel?.id).not.toBe(dm.channel?.id);
    expect(slack.messages('C1').map((c) => c.args.text)).toEqual(['draft', 'another']);
    expect(slack.messages('C1')[0]!.args.blocks).toEqual(blocks);
    expect(slack.threadReplies('C1', top.ts!).map((c) => c.args.text)).toEqual(['reply']);
    expect(slack.lastUpdateOf('C1', top.ts!)?.args).toMatchObject({ text: 'second update', blocks });
    expect(slack.lastUpdateOf('C2', top.ts!)).toBeUndefined();
    expect(slack.callsTo('conversations.open').map((c) => c.args.users)).toEqual(['U123', 'U456']);
  });

  test('ephemeral messages, views (parsed back to objects), users.info and auth.test answer ok', async () => {
    const web = client();
    const view = { type: 'modal' as const, callback_id: 'edit_invoice', title: { type: 'plain_text' as const, text: 'Edit' }, blocks: [] };
    expect((await web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' })).ok).toBe(true);
    expect((await web.views.open({ trigger_id: '1.2', view })).view?.id).toMatch(/^V/);
    await web.views.update({ view_id: 'V1', view });
    await web.views.push({ trigger_id: '1.3', view });
    await web.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } });
    expect((await web.users.info({ user: 'U1' })).user?.id).toBe('U1');
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: 'U0DUEBOT', bot_id: 'B0DUEBOT', team_id: 'T0FAKE' });
    expect(slack.callsTo('views.open')[0]!.args.view).toEqual(view);
    expect(slack.callsTo('views.publish')[0]!.args.view).toEqual({ type: 'home', blocks: [] });
    expect(slack.callsTo('chat.postEphemeral')[0]!.args).toMatchObject({ channel: 'C1', user: 'U1', text: 'only you' });
  });

  test('unknown methods and injected faults fail the way Slack does, once per count', async () => {
    const web = client();
    await expect(web.apiCall('files.frobnicate', {})).rejects.toThrow(/unknown_method/);
    slack.failNext('chat.postMessage', 2, 'channel_not_found');
    await expect(web.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toThrow(/channel_not_found/);
    await expect(web.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toThrow(/channel_not_found/);
    expect((await web.chat.postMessage({ channel: 'C404', text: 'x' })).ok).toBe(true);
  });

  test('JSON bodies are accepted too, and response_url posts are recorded per URL', async () => {
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-test' },
      body: JSON.stringify({ channel: 'CJSON', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'CJSON' });
    expect(slack.messages('CJSON')[0]!.args.blocks).toEqual([{ type: 'divider' }]);

    const a = slack.responseUrl();
    const b = slack.responseUrl();
    expect(a).not.toBe(b);
    await fetch(b, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'later', response_type: 'ephemeral' }) });
    expect(slack.responses.at(-1)).toMatchObject({ url: new URL(b).pathname, body: { text: 'later', response_type: 'ephemeral' } });
  });

  test('waitFor resolves with the probe value, and times out with what was recorded', async () => {
    setTimeout(() => void client().chat.postMessage({ channel: 'CWAIT', text: 'arrives late' }), 20);
    const found = await slack.waitFor(() => slack.messages('CWAIT')[0], 2000);
    expect(found.args.text).toBe('arrives late');
    await expect(slack.waitFor(() => slack.messages('CNEVER')[0], 30)).rejects.toThrow(/timed out after 30 ms.*chat\.postMessage\(channel="CWAIT"/);
  });
});

describe('request builders drive a real Bolt app like Slack does', () => {
  const signingSecret = 'shh-signing-secret';

  test('signed requests verify with Bolt; another secret or a stale timestamp does not', () => {
    const body = slashCommandBody({ command: '/invoices', text: 'help', userId: 'U1', channelId: 'C1', responseUrl: 'http://x/response/1' });
    const verify = (secret: string, headers: Record<string, string>) =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature']!, 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
      });
    expect(() => verify(signingSecret, signSlackRequest(signingSecret, body))).not.toThrow();
    expect(() => verify('other', signSlackRequest(signingSecret, body))).toThrow();
    expect(() => verify(signingSecret, signSlackRequest(signingSecret, body, Math.floor(Date.now() / 1000) - 600))).toThrow();
  });

  describe('with an app in HTTP mode', () => {
    let app: App;
    let eventsUrl: string;
    beforeAll(async () => {
      app = new App({ token: 'xoxb-test', signingSecret, clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }, logLevel: LogLevel.ERROR });
      app.command('/invoices', async ({ command, ack, respond }) => {
        await ack();
        await respond({ response_type: 'ephemeral', text: `cmd ${command.text} by ${command.user_id} in ${command.channel_id}` });
      });
      app.action<BlockAction<ButtonAction>>('approve_invoice', async ({ ack, body, action, client: web }) => {
        await ack();
        await web.chat.update({ channel: body.channel!.id, ts: body.container.message_ts as string, text: `approved ${action.value} by ${body.user.id} (${action.block_id})` });
      });
      app.view('edit_invoice', async ({ ack, view, body }) => {
        const amount = view.state.values.amount_block?.amount?.value;
        await ack({ response_action: 'errors', errors: { amount_block: `got ${amount} for ${view.private_metadata} from ${body.user.id}` } });
      });
      const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
      eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    });
    afterAll(async () => app.stop());

    const post = (body: string, headers = signSlackRequest(signingSecret, body)) => fetch(eventsUrl, { method: 'POST', headers, body });

    test('a slash command reaches app.command with its fields and the response_url works', async () => {
      const responseUrl = slack.responseUrl();
      const res = await post(slashCommandBody({ command: '/invoices', text: 'aging', userId: 'U7', channelId: 'C7', responseUrl }));
      expect(res.status).toBe(200);
      const reply = await slack.waitFor(() => slack.responses.find((r) => r.url === new URL(responseUrl).pathname));
      expect(reply.body).toMatchObject({ text: 'cmd aging by U7 in C7' });
    });

    test('a block action carries value, user, channel, message ts and block id', async () => {
      const res = await post(
        blockActionBody({
          actionId: 'approve_invoice',
          value: 'inv_42',
          userId: 'U8',
          channelId: 'C8',
          messageTs: '1700000000.000555',
          responseUrl: slack.responseUrl(),
          blockId: 'inv_actions',
        }),
      );
      expect(res.status).toBe(200);
      const update = await slack.waitFor(() => slack.lastUpdateOf('C8', '1700000000.000555'));
      expect(update.args.text).toBe('approved inv_42 by U8 (inv_actions)');
    });

    test('a view submission carries state values and private metadata; the ack body comes back', async () => {
      const res = await post(
        viewSubmissionBody({
          callbackId: 'edit_invoice',
          userId: 'U9',
          privateMetadata: 'inv_42',
          values: { amount_block: { amount: { type: 'plain_text_input', value: '900.00' } } },
        }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ response_action: 'errors', errors: { amount_block: 'got 900.00 for inv_42 from U9' } });
    });

    test('a badly signed request is refused before any listener runs', async () => {
      const body = slashCommandBody({ command: '/invoices', text: 'forged', userId: 'U7', channelId: 'C7', responseUrl: slack.responseUrl() });
      const res = await post(body, signSlackRequest('wrong-secret', body));
      expect(res.status).toBe(401);
    });
  });
});

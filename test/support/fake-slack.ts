import { hmacDigest } from '../../src/http/signatures.js';
import { startStub, waitFor, WAIT_MS } from './http-stub.js';
import { attachFakeSlackSocket, type FakeSlackSocket } from './fake-slack-socket.js';

/**
 * Local stand-in for the Slack Web API as `@slack/web-api` calls it (form-encoded POSTs to
 * /api/<method>, nested fields as JSON strings), plus a `response_url` endpoint, plus builders of
 * signed requests that drive a Bolt app over HTTP exactly as Slack does.
 */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeSlack {
  apiUrl: string;
  baseUrl: string;
  calls: SlackCall[];
  responses: { url: string; body: Record<string, unknown>; at: number }[];
  /** Files posted to the upload URLs handed out by files.getUploadURLExternal (body decoded as UTF-8). */
  uploads: { fileId: string; body: string }[];
  responseUrl(): string;
  callsTo(method: string): SlackCall[];
  /** Top-level chat.postMessage calls to a channel. */
  messages(channel: string): SlackCall[];
  threadReplies(channel: string, ts: string): SlackCall[];
  lastUpdateOf(channel: string, ts: string): SlackCall | undefined;
  waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  failNext(method: string, count: number, error: string): void;
  /** Who conversations.members lists for a channel (an unknown channel answers channel_not_found). */
  setChannelMembers(channel: string, userIds: readonly string[]): void;
  /** Home tab views published per user (views.publish), oldest first. */
  publishedHomes(userId: string): SlackCall[];
  /** Socket Mode: the WebSocket that apps.connections.open (with an app-level token) hands out. */
  socket: FakeSlackSocket;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const uploads: FakeSlack['uploads'] = [];
  const failures = new Map<string, { left: number; error: string }>();
  const channelMembers = new Map<string, string[]>();
  let tsCounter = 100;
  let responseCounter = 0;
  const nextTs = () => `1700000000.${String(tsCounter++).padStart(6, '0')}`;
  let socket: FakeSlackSocket | null = null;

  const stub = await startStub((req) => {
    if (req.path.startsWith('/upload/')) {
      uploads.push({ fileId: req.path.slice('/upload/'.length), body: req.body });
      return { status: 200, body: 'OK' };
    }
    if (req.path.startsWith('/response/')) {
      responses.push({ url: req.path, body: JSON.parse(req.body || '{}') as Record<string, unknown>, at: Date.now() });
      return { status: 200, body: { ok: true } };
    }
    const method = req.path.replace(/^\/api\//, '');
    const args = parseArgs(req.body, String(req.headers['content-type'] ?? ''));
    calls.push({ method, args, at: Date.now() });
    const failure = failures.get(method);
    if (failure && failure.left > 0) {
      failure.left -= 1;
      return { status: 200, body: { ok: false, error: failure.error } };
    }
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    switch (method) {
      case 'apps.connections.open': {
        const url = socket!.open(req.headers.authorization);
        return { status: 200, body: url ? { ok: true, url } : { ok: false, error: 'not_allowed_token_type' } };
      }
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'duebot', team_id: 'T0FAKE', user_id: 'U0DUEBOT', bot_id: 'B0DUEBOT' } };
      case 'chat.postMessage': {
        const ts = nextTs();
        return { status: 200, body: { ok: true, channel, ts, message: { ts, text: args.text, blocks: args.blocks } } };
      }
      case 'chat.update':
        return { status: 200, body: { ok: true, channel, ts: args.ts, text: args.text, message: { text: args.text, blocks: args.blocks } } };
      case 'chat.postEphemeral':
        return { status: 200, body: { ok: true, message_ts: nextTs() } };
      case 'conversations.open':
        return {
          status: 200,
          body: {
            ok: true,
            channel: {
              id: `D${String(args.users ?? 'X')
                .replace(/[^A-Z0-9]/gi, '')
                .slice(0, 10)}`,
            },
          },
        };
      // files.uploadV2 = getUploadURLExternal, a POST of the bytes to upload_url, completeUploadExternal.
      case 'files.getUploadURLExternal': {
        const fileId = `F${tsCounter++}`;
        return { status: 200, body: { ok: true, file_id: fileId, upload_url: `http://127.0.0.1:${stub.port}/upload/${fileId}` } };
      }
      case 'files.completeUploadExternal':
        return {
          status: 200,
          body: {
            ok: true,
            files: ((typeof args.files === 'string' ? JSON.parse(args.files) : (args.files ?? [])) as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title })),
          },
        };
      case 'views.open':
      case 'views.update':
      case 'views.push':
      case 'views.publish':
        return { status: 200, body: { ok: true, view: { id: `V${tsCounter++}`, ...(args.view as object) } } };
      // Cursor-paged like Slack: `limit` (default 100) per page, an opaque next_cursor, '' on the last page.
      case 'conversations.members': {
        const members = channelMembers.get(String(args.channel));
        if (!members) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const offset = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString().replace('offset:', '')) : 0;
        const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
        const page = members.slice(offset, offset + limit);
        const next = offset + limit < members.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
        return { status: 200, body: { ok: true, members: page, response_metadata: { next_cursor: next } } };
      }
      case 'users.info':
        return {
          status: 200,
          body: {
            ok: true,
            user: {
              id: args.user,
              team_id: 'T0FAKE',
              name: String(args.user).toLowerCase(),
              real_name: `User ${String(args.user)}`,
              tz: 'UTC',
              tz_offset: 0,
              is_bot: false,
              profile: { real_name: `User ${String(args.user)}`, display_name: String(args.user).toLowerCase(), email: `${String(args.user).toLowerCase()}@example.com` },
            },
          },
        };
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  });

  socket = attachFakeSlackSocket(stub.server, stub.port);
  const baseUrl = `http://127.0.0.1:${stub.port}`;
  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    calls,
    responses,
    uploads,
    responseUrl: () => `${baseUrl}/response/${++responseCounter}`,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: (channel) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && !c.args.thread_ts),
    threadReplies: (channel, ts) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts === ts),
    lastUpdateOf: (channel, ts) => calls.filter((c) => c.method === 'chat.update' && c.args.channel === channel && c.args.ts === ts).at(-1),
    async waitFor(probe, timeoutMs = WAIT_MS) {
      try {
        return await waitFor(probe, timeoutMs, 'the probe');
      } catch (err) {
        // Say what did happen: the usual cause is a call to another channel, method or thread.
        const recent = calls.slice(-8).map((c) => `${c.method}(${summarize(c.args)})`);
        throw new Error(
          `${(err as Error).message}; ${calls.length} Slack call(s) recorded${recent.length ? `, the last: ${recent.join(', ')}` : ''}; ${responses.length} response_url post(s)`,
        );
      }
    },
    failNext(method, count, error) {
      failures.set(method, { left: count, error });
    },
    setChannelMembers(channel, userIds) {
      channelMembers.set(channel, [...userIds]);
    },
    publishedHomes: (userId) => calls.filter((c) => c.method === 'views.publish' && c.args.user_id === userId),
    socket,
    async close() {
      socket!.close();
      await stub.close();
    },
  };
  return fake;
}

function summarize(args: Record<string, unknown>): string {
  return ['channel', 'ts', 'thread_ts', 'user', 'users', 'text']
    .filter((k) => args[k] !== undefined)
    .map((k) => `${k}=${JSON.stringify(args[k]).slice(0, 60)}`)
    .join(' ');
}

function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (!body) return {};
  if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON after all: keep the string
      }
    }
    args[key] = value;
  }
  return args;
}

/** Headers Slack sends with every request: `v0=` hex HMAC-SHA256 of `v0:<ts>:<body>`. Events API bodies are JSON. */
export function signSlackRequest(signingSecret: string, rawBody: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': rawBody.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': `v0=${hmacDigest('sha256', signingSecret, `v0:${timestampSeconds}:${rawBody}`, 'hex')}`,
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export function slashCommandBody(o: { command: string; text: string; userId: string; channelId: string; responseUrl: string; triggerId?: string }): string {
  return form({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: o.channelId,
    channel_name: 'billing',
    user_id: o.userId,
    user_name: o.userId.toLowerCase(),
    command: o.command,
    text: o.text,
    api_app_id: 'A0DUEBOT',
    response_url: o.responseUrl,
    trigger_id: o.triggerId ?? `${Date.now()}.trigger`,
  });
}

export function blockActionBody(o: {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
  triggerId?: string;
  blockId?: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0DUEBOT',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channelId, is_ephemeral: false },
    trigger_id: o.triggerId ?? `${Date.now()}.trigger`,
    team: { id: 'T0FAKE', domain: 'fake' },
    channel: { id: o.channelId, name: 'billing' },
    message: { type: 'message', subtype: 'bot_message', bot_id: 'B0DUEBOT', ts: o.messageTs, text: 'invoice' },
    state: { values: {} },
    response_url: o.responseUrl,
    actions: [
      {
        action_id: o.actionId,
        block_id: o.blockId ?? 'invoice_actions',
        value: o.value,
        type: 'button',
        text: { type: 'plain_text', text: o.actionId, emoji: true },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
    enterprise: null,
    is_enterprise_install: false,
  };
  return form({ payload: JSON.stringify(payload) });
}

export function viewSubmissionBody(o: { callbackId: string; userId: string; privateMetadata: string; values: Record<string, Record<string, unknown>> }): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: o.userId, username: o.userId.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0DUEBOT',
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: 'V0EDIT',
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata,
      state: { values: o.values },
      hash: 'hash',
      title: { type: 'plain_text', text: 'Edit invoice' },
      blocks: [],
      root_view_id: 'V0EDIT',
      previous_view_id: null,
      app_id: 'A0DUEBOT',
      bot_id: 'B0DUEBOT',
      team_id: 'T0FAKE',
    },
    response_urls: [],
    enterprise: null,
    is_enterprise_install: false,
  };
  return form({ payload: JSON.stringify(payload) });
}

/** A button clicked inside an open modal: Slack sends the view with what has been typed so far. */
export function viewBlockActionBody(o: {
  actionId: string;
  userId: string;
  viewId: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
  blockId?: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0DUEBOT',
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: o.viewId },
    trigger_id: `${Date.now()}.trigger`,
    team: { id: 'T0FAKE', domain: 'fake' },
    view: {
      id: o.viewId,
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata,
      state: { values: o.values },
      hash: `hash-${o.viewId}`,
      title: { type: 'plain_text', text: 'Modal' },
      blocks: [],
      root_view_id: o.viewId,
      previous_view_id: null,
      app_id: 'A0DUEBOT',
      bot_id: 'B0DUEBOT',
      team_id: 'T0FAKE',
    },
    actions: [
      {
        action_id: o.actionId,
        block_id: o.blockId ?? 'actions',
        value: o.actionId,
        type: 'button',
        text: { type: 'plain_text', text: o.actionId, emoji: true },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
    enterprise: null,
    is_enterprise_install: false,
  };
  return form({ payload: JSON.stringify(payload) });
}

let eventCounter = 0;

/** An Events API delivery (`event_callback`) wrapping one event, e.g. app_home_opened or member_joined_channel. */
export function eventCallbackBody(event: Record<string, unknown>): string {
  eventCounter += 1;
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE',
    api_app_id: 'A0DUEBOT',
    event: { event_ts: `${Date.now() / 1000}`, ...event },
    type: 'event_callback',
    event_id: `Ev${String(eventCounter).padStart(8, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: 'T0FAKE', user_id: 'U0DUEBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

/** app_home_opened as Slack sends it when a user opens the app's Home tab. */
export function appHomeOpenedEvent(userId: string): Record<string, unknown> {
  return { type: 'app_home_opened', user: userId, channel: `D${userId.slice(1, 10)}`, tab: 'home' };
}

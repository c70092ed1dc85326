import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/**
 * manifest.yml (HTTP mode) and manifest.socket-mode.yml describe one app. They may differ only where
 * Socket Mode requires it: socket_mode_enabled, and no request URL for the slash command, the Events API
 * or interactivity (Slack's manifest schema makes all three optional). Anything else added to one file
 * alone (a command, scope, event, bot user setting) fails here.
 */
interface Manifest {
  features: { bot_user: unknown; slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url?: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

const load = async (file: string) => parse(await readFile(new URL(`../../${file}`, import.meta.url), 'utf8')) as Manifest;

/** The HTTP manifest as Socket Mode needs it: URLs dropped, the socket switched on. */
function withoutRequestUrls(http: Manifest): Manifest {
  const copy = structuredClone(http);
  for (const command of copy.features.slash_commands) delete command.url;
  delete copy.settings.event_subscriptions.request_url;
  delete copy.settings.interactivity.request_url;
  copy.settings.socket_mode_enabled = true;
  return copy;
}

test('both manifests parse; the HTTP one sends everything to /slack/events with Socket Mode off', async () => {
  const http = await load('manifest.yml');
  expect(http.settings.socket_mode_enabled).toBe(false);
  const urls = [...http.features.slash_commands.map((c) => c.url), http.settings.event_subscriptions.request_url, http.settings.interactivity.request_url];
  for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
});

test('the Socket Mode manifest is the HTTP one with Socket Mode on and no request URL', async () => {
  const [http, socket] = await Promise.all([load('manifest.yml'), load('manifest.socket-mode.yml')]);
  expect(socket.settings.socket_mode_enabled).toBe(true);
  expect(JSON.stringify(socket)).not.toMatch(/https?:\/\//);
  expect(socket).toEqual(withoutRequestUrls(http));
  // Spelled out for the reader: the same command, scopes, events, interactivity and bot user.
  expect(socket.features.slash_commands.map((c) => c.command)).toEqual(['/invoices']);
  expect(socket.oauth_config.scopes.bot).toEqual(http.oauth_config.scopes.bot);
  expect(socket.settings.event_subscriptions.bot_events).toEqual(http.settings.event_subscriptions.bot_events);
  expect(socket.settings.interactivity.is_enabled).toBe(true);
  expect(socket.features.bot_user).toEqual(http.features.bot_user);
});

import { Writable } from 'node:stream';
import { LogLevel } from '@slack/bolt';
import { pino } from 'pino';
import { boltLevel, slackLogger } from '../../src/slack/bolt-logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}

describe("slackLogger: Bolt and WebClient lines in duebot's pino stream", () => {
  test("messages become JSON lines tagged with the component, at Bolt's level", () => {
    const { log, lines } = capture('debug');
    const slack = slackLogger(log);
    slack.setLevel(boltLevel('debug'));
    slack.debug("apiCall('chat.postMessage') start");
    slack.info('rate limited', { retryAfter: 3 });
    slack.setName('socket-mode');
    slack.warn('reconnecting');
    expect(lines.map((l) => [l.level, l.component, l.msg])).toEqual([
      [20, 'slack', "apiCall('chat.postMessage') start"],
      [30, 'slack', 'rate limited {"retryAfter":3}'],
      [40, 'socket-mode', 'reconnecting'],
    ]);
  });

  test('Bolt can make it quieter but never louder than LOG_LEVEL', () => {
    const { log, lines } = capture('warn');
    const slack = slackLogger(log);
    slack.setLevel(LogLevel.DEBUG);
    expect(slack.getLevel()).toBe(LogLevel.WARN);
    slack.info('hidden');
    slack.setLevel(LogLevel.ERROR);
    slack.warn('hidden too');
    slack.error('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    const silent = capture('silent');
    const quiet = slackLogger(silent.log);
    quiet.setLevel(LogLevel.DEBUG);
    quiet.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  test('tokens are scrubbed and an error is logged as its message, name and code only', () => {
    const { log, lines } = capture('info');
    const slack = slackLogger(log);
    // A WebClient request error keeps the original HTTP request, Authorization header included.
    const err = Object.assign(new Error('An HTTP protocol error occurred: statusCode = 500'), {
      code: 'slack_webapi_http_error',
      original: { config: { headers: { Authorization: 'Bearer xoxb-111-222-secret' } } },
    });
    slack.error('failed for token xoxb-111-222-secret and xapp-1-A1-2-secret', err);
    slack.info('{"token":"verification-token","type":"event_callback"}');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/secret|verification-token/);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'failed for token [redacted] and [redacted]',
      err: 'An HTTP protocol error occurred: statusCode = 500',
      errorName: 'Error',
      code: 'slack_webapi_http_error',
    });
    expect(lines[0]).not.toHaveProperty('original');
    expect(lines[1]!.msg).toBe('{"token":"[redacted]","type":"event_callback"}');
  });
});

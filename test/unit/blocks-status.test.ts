import { statusMessage } from '../../blocks/status.js';
import { messageProblems } from '../../blocks/limits.js';

const opts = { timezone: 'UTC' };

test('an unreachable SMTP server, a missing tool and a connection left behind are spelled out', () => {
  const message = statusMessage(
    {
      projectTools: [],
      backends: [{ name: 'stripe', oauth: false, connection: null }],
      unusedConnections: [{ provider: 'freshbooks', status: 'active', lastSuccessAt: null, lastError: null }],
      smtp: { target: 'smtp.example.com:587', reachable: false, error: 'connect ECONNREFUSED' },
    },
    opts,
  );
  const body = JSON.stringify(message.blocks);
  expect(message.text).toBe('Connections: needs attention: SMTP');
  expect(body).toContain(':warning: None configured: no milestone becomes a draft');
  expect(body).toContain(':grey_question: FreshBooks: a stored active connection, but the back-end is not configured');
  expect(body).toContain(':x: SMTP smtp.example.com:587: not reachable (connect ECONNREFUSED)');
  expect(messageProblems(message)).toEqual([]);
});

test('all well, and huge or hostile errors stay escaped and within the limits', () => {
  expect(statusMessage({ projectTools: ['asana'], backends: [], unusedConnections: [], smtp: { target: null, reachable: true, error: null } }, opts).text).toBe(
    'Connections: all configured connections work',
  );
  const message = statusMessage(
    {
      projectTools: Array.from({ length: 300 }, (_, i) => `tool${i}-with-a-long-name`),
      backends: Array.from({ length: 300 }, () => ({
        name: 'quickbooks',
        oauth: true,
        connection: { provider: 'quickbooks', status: 'broken' as const, lastSuccessAt: new Date(0), lastError: '<!channel> ' + 'e'.repeat(5000) },
      })),
      unusedConnections: [],
      smtp: { target: 'mail.example.com:25', reachable: false, error: '<@U123> ' + 'x'.repeat(5000) },
    },
    opts,
  );
  expect(messageProblems(message)).toEqual([]);
  expect(JSON.stringify(message)).not.toMatch(/<!channel>|<@U123>/);
});

test("webhook registrations: 50 per tool for four tools fit Slack's limits, hostile text stays escaped", () => {
  const at = new Date('2026-11-20T15:30:00Z');
  const registrations = ['asana', 'clickup', 'trello', 'monday'].flatMap((tool) =>
    Array.from({ length: 50 }, (_, i) => ({
      token: `t-${tool}-${i}`,
      tool,
      resource: i === 0 ? '<!channel>' : `${9000 + i}`,
      mode: 'api' as const,
      status: i === 1 ? ('pending' as const) : ('active' as const),
      sealedSecret: 'v1.x.y.z',
      webhookId: `${i}`,
      targetUrl: 'https://duebot.test/webhooks/x',
      createdBy: 'UAPPROVER1',
      createdAt: at,
      activatedAt: at,
      lastDeliveryAt: i % 2 ? at : null,
    })),
  );
  const message = statusMessage(
    { projectTools: ['asana'], backends: [], unusedConnections: [], smtp: { target: null, reachable: true, error: null }, webhookRegistrations: registrations },
    opts,
  );
  expect(messageProblems(message)).toEqual([]);
  const body = JSON.stringify(message.blocks);
  expect(body).not.toContain('<!channel>');
  expect(body).toContain('• `&lt;!channel&gt;` :white_check_mark: active, connected by <@UAPPROVER1> Nov 20, 2026, 3:30 PM, no delivery yet');
  expect(body).toContain('• `9001` :hourglass_flowing_sand: pending, connected by <@UAPPROVER1> Nov 20, 2026, 3:30 PM, last delivery Nov 20, 2026, 3:30 PM');
  // Every registration is listed (none cut off by a section's 3,000 characters).
  expect(body.match(/• `/g)).toHaveLength(200);
});

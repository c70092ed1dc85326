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
  expect(statusMessage({ projectTools: ['asana'], backends: [], unusedConnections: [], smtp: { target: null, reachable: true, error: null } }, opts).text).toBe('Connections: all configured connections work');
  const message = statusMessage(
    {
      projectTools: Array.from({ length: 300 }, (_, i) => `tool${i}-with-a-long-name`),
      backends: Array.from({ length: 300 }, () => ({ name: 'quickbooks', oauth: true, connection: { provider: 'quickbooks', status: 'broken' as const, lastSuccessAt: new Date(0), lastError: '<!channel> ' + 'e'.repeat(5000) } })),
      unusedConnections: [],
      smtp: { target: 'mail.example.com:25', reachable: false, error: '<@U123> ' + 'x'.repeat(5000) },
    },
    opts,
  );
  expect(messageProblems(message)).toEqual([]);
  expect(JSON.stringify(message)).not.toMatch(/<!channel>|<@U123>/);
});

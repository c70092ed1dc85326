import { createHmac } from 'node:crypto';
import { verifyClickUpSignature } from '../../src/providers/projects/clickup.js';
import { verifyTrelloSignature } from '../../src/providers/projects/trello.js';
import { signGenericBody } from '../../src/providers/projects/generic.js';

/** Each tool's signature scheme, computed here independently with node:crypto. */
const body = Buffer.from('{"event":"taskStatusUpdated","task_id":"86b1xyz"}');
const clickupGood = createHmac('sha256', 'cu-secret').update(body).digest('hex');
const callback = 'https://duebot.example.com/webhooks/trello';
const trelloGood = createHmac('sha1', 'trello-secret')
  .update(body.toString('utf8') + callback)
  .digest('base64');

describe('ClickUp X-Signature: hex HMAC-SHA256 of the raw body', () => {
  test.each([
    ['good', clickupGood, true],
    ['good, upper-case hex', clickupGood.toUpperCase(), true],
    ['another secret', createHmac('sha256', 'other').update(body).digest('hex'), false],
    ['truncated', clickupGood.slice(0, 40), false],
    ['missing', undefined, false],
  ])('%s', (_label, signature, ok) => {
    expect(verifyClickUpSignature('cu-secret', body, signature)).toBe(ok);
  });
  test('a signature for another body does not verify (no replay onto new content)', () => {
    expect(verifyClickUpSignature('cu-secret', Buffer.from('{"event":"taskDeleted"}'), clickupGood)).toBe(false);
  });
});

describe('Trello X-Trello-Webhook: base64 HMAC-SHA1 of body + callback URL with the app secret', () => {
  test.each([
    ['good', callback, trelloGood, true],
    ['the callback URL differs (a query string)', `${callback}?x=1`, trelloGood, false],
    ['body only, without the URL', callback, createHmac('sha1', 'trello-secret').update(body).digest('base64'), false],
    ['missing', callback, undefined, false],
  ])('%s', (_label, url, signature, ok) => {
    expect(verifyTrelloSignature('trello-secret', url, body, signature)).toBe(ok);
  });
});

test('generic X-Duebot-Signature is sha256=<hex HMAC-SHA256 of the raw body>', () => {
  expect(signGenericBody('g-secret', body)).toBe(`sha256=${createHmac('sha256', 'g-secret').update(body).digest('hex')}`);
});

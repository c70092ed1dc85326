import { toProjectTask as fromAsana } from '../../src/providers/projects/asana.js';
import { toProjectTask as fromClickUp } from '../../src/providers/projects/clickup.js';
import { createGenericTool, signGenericBody } from '../../src/providers/projects/generic.js';
import { toProjectTask as fromMonday } from '../../src/providers/projects/monday.js';
import { toProjectTask as fromTrello } from '../../src/providers/projects/trello.js';
import { httpUrl, urlScheme } from '../../src/domain/web-url.js';
import { asanaTask } from '../support/fake-asana.js';
import { clickupTask } from '../support/fake-clickup.js';
import { mondayItem } from '../support/fake-monday.js';
import { trelloCard } from '../support/fake-trello.js';

/** A task URL from a project tool is stored only when it is an absolute http(s) URL: anything else becomes null. */

const REFUSED = ['javascript:alert(1)', 'JavaScript:alert(1)//https://x.example', ' data:text/html,<b>x</b>', 'vbscript:msgbox', '/relative/path', 'not a url', ''];

test('httpUrl keeps absolute http(s) URLs (normalised) and nothing else', () => {
  expect(httpUrl('https://app.asana.com/0/1/2')).toBe('https://app.asana.com/0/1/2');
  expect(httpUrl(' HTTP://Example.com ')).toBe('http://example.com/');
  expect(httpUrl('https://x.example/a>b<!here>')).toBe('https://x.example/a%3Eb%3C!here%3E');
  for (const raw of REFUSED) expect(httpUrl(raw)).toBeNull();
  expect(httpUrl(null)).toBeNull();
  expect(httpUrl(42)).toBeNull();
  expect(urlScheme('javascript:alert(1)')).toBe('javascript');
  expect(urlScheme('/relative')).toBe('(none)');
});

const SECRET = 'generic-test-secret-0123456789';
async function fromGeneric(url: string) {
  const raw = JSON.stringify({ externalId: 'm-1', client: 'acme', milestone: 'Design', url, lines: [{ description: 'Design', quantity: '1', unitAmount: '10.00' }] });
  const outcome = await createGenericTool({ secret: SECRET }).webhook!.receive({
    method: 'POST',
    headers: { 'x-duebot-signature': signGenericBody(SECRET, raw) },
    rawBody: Buffer.from(raw),
  });
  if (outcome.kind !== 'events') throw new Error(`generic webhook refused the milestone: ${JSON.stringify(outcome)}`);
  return outcome.events[0]!.task!;
}

/** Each adapter's mapping of one completed task whose URL the tool reported as `url`. */
const ADAPTERS: [tool: string, map: (url: string) => Promise<{ url: string | null }> | { url: string | null }][] = [
  ['asana', (url) => fromAsana({ ...asanaTask({ gid: '1', name: 'Design', projectGid: '1200', billing: true, amount: 10 }), permalink_url: url } as never)],
  ['clickup', (url) => fromClickUp({ ...clickupTask({ id: 'c1', name: 'Design', listId: '901', billing: true, amount: 10 }), url } as never)],
  ['trello', (url) => fromTrello({ ...trelloCard({ id: '65f00000000000000000c001', name: 'Design', boardId: 'b1', listId: 'l1' }), url } as never, [], true)],
  ['monday', (url) => fromMonday({ ...mondayItem({ id: '11', name: 'Design', boardId: '7' }), url } as never, 'Done')],
  ['generic', fromGeneric],
];

describe.each(ADAPTERS)('%s', (_tool, map) => {
  test('keeps an https permalink', async () => {
    expect((await map('https://tool.example/t/1')).url).toBe('https://tool.example/t/1');
  });

  test.each(REFUSED)('stores no URL for %j', async (url) => {
    expect((await map(url)).url).toBeNull();
  });
});

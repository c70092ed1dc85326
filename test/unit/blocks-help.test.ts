import type { SectionBlock } from '@slack/types';
import { helpMessage, notAllowedMessage, unknownCommandMessage } from '../../blocks/help.js';
import { messageProblems } from '../../blocks/limits.js';

test('help lists every /invoices subcommand', () => {
  const message = helpMessage();
  const body = (message.blocks[0] as SectionBlock).text!.text;
  expect(body).toContain('`/invoices aging`');
  expect(body).toContain('`/invoices list [client|overdue|disputed]`');
  expect(body).toContain('`/invoices show &lt;number&gt;`');
  expect(body).toContain('`/invoices help`');
  expect(body).toContain('`/invoices client &lt;name&gt;`');
  expect(body).toContain('`/invoices status`');
  expect(body).toContain('`/invoices pause &lt;number&gt;`');
  expect(body).toContain('`/invoices resume &lt;number&gt;`');
  expect(body).toContain('`/invoices remind &lt;number&gt;`');
  expect(body).toContain('`/invoices forecast`');
  expect(body).toContain('`/invoices balance &lt;amount&gt; [currency]`'); // mrkdwn-escaped
  expect(message.text).toBe(
    'duebot commands: /invoices aging, /invoices list, /invoices show, /invoices forecast, /invoices balance, /invoices client, /invoices status, /invoices pause, /invoices resume, /invoices remind, /invoices settings, /invoices client-link, /invoices templates, /invoices template, /invoices connect, /invoices disconnect, /invoices import, /invoices new, /invoices export, /invoices history, /invoices help',
  );
  expect(messageProblems(message)).toEqual([]);
});

describe('unknown subcommand', () => {
  test('friendly, names what was typed, points to help', () => {
    const message = unknownCommandMessage('agin');
    expect(message.text).toBe("I don't know `agin` yet. Try `/invoices aging`, or `/invoices help` for everything I can do.");
    expect(message.text).not.toMatch(/error|invalid|failed|unknown command/i);
    expect(messageProblems(message)).toEqual([]);
  });

  test('hostile or huge input cannot break out of the code span or the limits', () => {
    const message = unknownCommandMessage('`<!channel>`' + 'x'.repeat(5000));
    expect(message.text).not.toContain('<!channel>');
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text.match(/`/g)).toHaveLength(6);
    expect(messageProblems(message)).toEqual([]);
  });

  test('nothing typed', () => {
    expect(unknownCommandMessage('  ').text).toBe('Tell me what you need. Try `/invoices aging`, or `/invoices help` for everything I can do.');
  });
});

test('refusal for non-approvers names the action and changes nothing', () => {
  const { text } = notAllowedMessage('approve and send invoices');
  expect(text).toMatch(/^Sorry, only invoice approvers can approve and send invoices; nothing was changed\./);
});

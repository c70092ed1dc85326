import { blockProblems, messageProblems, modalProblems } from '../../blocks/limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Slack limit checker (the other block tests rely on it catching these)', () => {
  test('a well-formed message has no problems', () => {
    expect(messageProblems({ text: 'hi', blocks: [section('hello'), { type: 'divider' }] })).toEqual([]);
  });

  test.each([
    ['51 blocks', { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, /51 blocks > 50/],
    ['empty text fallback', { text: '  ', blocks: [section('a')] }, /text fallback is empty/],
    ['section text over 3000', { text: 'x', blocks: [section('a'.repeat(3001))] }, /3001 chars > 3000/],
    ['11 fields', { text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }] }, /11 fields > 10/],
    ['header over 150', { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }, /151 chars > 150/],
    [
      '26 buttons',
      {
        text: 'x',
        blocks: [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => ({ type: 'button', action_id: `b${i}`, text: { type: 'plain_text', text: 'b' } })) }],
      },
      /26 elements/,
    ],
    [
      'confirm text over 300',
      {
        text: 'x',
        blocks: [
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'b',
                text: { type: 'plain_text', text: 'b' },
                confirm: { title: { text: 't' }, text: { text: 'c'.repeat(301) }, confirm: { text: 'ok' }, deny: { text: 'no' } },
              },
            ],
          },
        ],
      },
      /confirm\.text: 301/,
    ],
  ])('catches %s', (_name, message, problem) => {
    expect(messageProblems(message).join('\n')).toMatch(problem);
  });

  test('modal limits: title length, submit required with inputs, 100 blocks', () => {
    const input = { type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input', action_id: 'a', initial_value: 'v'.repeat(3001) } };
    const problems = modalProblems({ title: { type: 'plain_text', text: 'T'.repeat(25) }, blocks: [input, ...Array.from({ length: 100 }, () => ({ type: 'divider' }))] });
    expect(problems.join('\n')).toMatch(/title: 25 chars > 24/);
    expect(problems.join('\n')).toMatch(/needs a submit/);
    expect(problems.join('\n')).toMatch(/101 blocks > 100/);
    expect(problems.join('\n')).toMatch(/initial_value: 3001 chars > 3000/);
    expect(blockProblems([input], 100).length).toBe(1);
  });
});

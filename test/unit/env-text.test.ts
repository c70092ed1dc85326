import { execFileSync } from 'node:child_process';
import { parseEnv } from 'node:util';
import { fillEnvTemplate, quoteEnvValue, templateKeys } from '../../src/setup/env-text.js';

/** What a shell that sources the line (`set -a; . ./.env`) gets for KEY. */
function shellValue(line: string): string {
  return execFileSync('bash', ['-c', `set -a; ${line}; set +a; printf '%s' "$KEY"`], { encoding: 'utf8', env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('values written by npm run setup read the same in Node and in a shell', () => {
  test.each([
    ['plain', 'xoxb-123-abc', 'KEY=xoxb-123-abc'],
    ['base64 key', 'Li8kRzNw+/UzhmQhed==', 'KEY=Li8kRzNw+/UzhmQhed=='],
    ['spaces', 'Your Agency', "KEY='Your Agency'"],
    ['a name with <address>', 'Billing <b@x.example>', "KEY='Billing <b@x.example>'"],
    ['$ and backticks', 'p$ss `whoami` \\n', "KEY='p$ss `whoami` \\n'"],
    ['an apostrophe', "Pixel & Co's", 'KEY="Pixel & Co\'s"'],
    ['a hash', 'a #b', "KEY='a #b'"],
    ['empty', '', 'KEY='],
  ])('%s', (_what, value, line) => {
    expect(`KEY=${quoteEnvValue('KEY', value)}`).toBe(line);
    expect(parseEnv(line).KEY).toBe(value);
    expect(shellValue(line)).toBe(value);
  });

  test('a value no quoting keeps intact for both readers is refused with its key', () => {
    expect(() => quoteEnvValue('SMTP_URL', 'a\nb')).toThrow('SMTP_URL: must be one line');
    expect(() => quoteEnvValue('BUSINESS_NAME', `O'Neil "$HOME"`)).toThrow(/^BUSINESS_NAME: holds both ' and one of/);
  });

  test('fillEnvTemplate replaces only the given keys and keeps comments and order', () => {
    const template = '# comment\nA=1\nB="two words"\n\n# C is optional\nC=\n';
    expect(templateKeys(template)).toEqual(['A', 'B', 'C']);
    expect(fillEnvTemplate(template, { B: 'Pixel & Co', C: 'x' })).toBe("# comment\nA=1\nB='Pixel & Co'\n\n# C is optional\nC=x\n");
  });
});

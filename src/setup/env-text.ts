/**
 * Writing values into a .env file that both readers take the same way: Node's parser (what
 * `npm start` uses) and a POSIX shell (`set -a; . ./.env`), so nothing is run as a command and no
 * `$` is expanded.
 */

const BARE = /^[A-Za-z0-9_@%+=:,./-]*$/;

export class UnwritableValue extends Error {
  override readonly name = 'UnwritableValue';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
  }
}

/** The value as it goes after `KEY=`: bare when plain, else single quotes, else double quotes. */
export function quoteEnvValue(key: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new UnwritableValue(key, 'must be one line');
  if (BARE.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  // Node expands \n inside double quotes and a shell expands $, ` and \, so those must not appear.
  if (!/["$`\\]/.test(value)) return `"${value}"`;
  throw new UnwritableValue(key, 'holds both \' and one of " $ ` \\; write it into .env by hand');
}

/**
 * The template (.env.example) with each `KEY=` line whose key is in `values` replaced; comments, the
 * order and every other line stay as they are.
 */
export function fillEnvTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template
    .split('\n')
    .map((line) => {
      const key = /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1];
      return key !== undefined && Object.hasOwn(values, key) ? `${key}=${quoteEnvValue(key, values[key]!)}` : line;
    })
    .join('\n');
}

/** The keys a template defines, in order. */
export function templateKeys(template: string): string[] {
  return template.split('\n').flatMap((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);
}

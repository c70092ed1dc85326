import { pathToFileURL } from 'node:url';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseEncryptionKey } from '../../src/store/token-cipher.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createTestDatabaseUrl } from '../support/database.js';

/**
 * The README's "Run the real bot" steps in a fresh folder, as a newcomer types them: `npm run setup`
 * (here non-interactive, answers from the environment) writes .env and the clients file, then the bot
 * starts with nothing but that file. The sources run through tsx instead of `npm run build`;
 * .ci/start-check runs the built app and a production install.
 */
const REPO = resolve('.');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const TSX_LOADER = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
const CLEAN_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };

let dir: string;
let slack: FakeSlack;
let database: Awaited<ReturnType<typeof createTestDatabaseUrl>>;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duebot-start-'));
  for (const file of ['.env.example', 'clients.example.yml']) await copyFile(join(REPO, file), join(dir, file));
  slack = await startFakeSlack();
  database = await createTestDatabaseUrl();
  port = await freePort();
});

afterAll(async () => {
  await slack?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const answers = () => ({
  BUSINESS_NAME: "Pixel & Co's Studio",
  JOBS_PROCESS_EVERY: '30 seconds',
  SLACK_BOT_TOKEN: 'xoxb-start-steps',
  SLACK_SIGNING_SECRET: 'start-steps-signing-secret',
  SLACK_API_URL: slack.apiUrl,
  BILLING_CHANNEL_ID: 'C0STEPS01',
  OWNER_SLACK_USER_ID: 'U0OWNER01',
  SMTP_URL: 'smtp://user:pass@127.0.0.1:2525',
  EMAIL_FROM: 'Pixel Billing <billing@pixel.example>',
  STRIPE_SECRET_KEY: 'sk_test_steps',
  STRIPE_WEBHOOK_SECRET: 'whsec_steps',
  ASANA_ACCESS_TOKEN: 'asana-steps',
  PORT: String(port),
  ...(database.url ? { DATABASE_URL: database.url } : {}),
});

function setup(env: Record<string, string>, ...args: string[]) {
  return spawnSync(TSX, [join(REPO, 'src/setup/main.ts'), ...args], { cwd: dir, env: { ...CLEAN_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('npm run setup refuses to write .env while a required answer is missing, naming each', () => {
  const { BUSINESS_NAME: _name, SMTP_URL: _smtp, ...rest } = answers();
  const run = setup(rest, '--non-interactive');
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('.env not written');
  expect(run.stderr).toContain('BUSINESS_NAME: is required');
  expect(run.stderr).toContain('SMTP_URL: is required');
});

test('npm run setup writes an owner-only .env (values with spaces quoted, a fresh ENCRYPTION_KEY) and copies the clients file', async () => {
  const run = setup(answers(), '--non-interactive');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
  const env = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
  expect(env).toMatchObject({ BUSINESS_NAME: "Pixel & Co's Studio", APPROVER_SLACK_USER_IDS: 'U0OWNER01', CLIENTS_FILE: './clients.yml', JOBS_PROCESS_EVERY: '30 seconds' });
  expect(parseEncryptionKey(env.ENCRYPTION_KEY!)).toHaveLength(32);
  expect(await readFile(join(dir, 'clients.yml'), 'utf8')).toBe(await readFile(join(dir, 'clients.example.yml'), 'utf8'));
  // A second run never overwrites what is there.
  const again = setup(answers(), '--non-interactive');
  expect([again.status, again.stderr.trim()]).toEqual([1, '.env exists; edit it, or run again with --force to replace it']);
});

test('npm run setup asks, one answer per line, and asks again for an answer it cannot write or npm start would refuse', async () => {
  const own = await mkdtemp(join(tmpdir(), 'duebot-setup-'));
  try {
    for (const file of ['.env.example', 'clients.example.yml']) await copyFile(join(REPO, file), join(own, file));
    // A name no quoting keeps intact, zone, bot token, no signing secret → the Socket Mode token is asked,
    // ids, approvers (offered: the owner), a wrong SMTP URL, sender, Stripe, Asana, public URL; then the
    // name again, then the SMTP URL again.
    const typed = [
      `O'Neil "$HOME"`,
      'Europe/Berlin',
      'xoxb-1',
      '',
      'xapp-1-abc',
      'C0123',
      'U0123',
      '',
      'not-a-url',
      'billing@pixel.example',
      'sk_test_1',
      'whsec_1',
      'asana',
      '',
      'Pixel Co',
      'smtp://u:p@127.0.0.1:25',
    ];
    const run = spawnSync(TSX, [join(REPO, 'src/setup/main.ts'), '--interactive'], { cwd: own, env: CLEAN_ENV, input: `${typed.join('\n')}\n`, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Please correct:\n  BUSINESS_NAME: holds both ' and one of " $ \` \\; write it into .env by hand`);
    expect(run.stdout).toContain('Please correct:\n  SMTP_URL: must be a smtp:// or smtps:// URL');
    expect(run.status).toBe(0);
    expect(parseEnv(await readFile(join(own, '.env'), 'utf8'))).toMatchObject({
      BUSINESS_NAME: 'Pixel Co',
      BUSINESS_TIMEZONE: 'Europe/Berlin',
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: 'xapp-1-abc',
      APPROVER_SLACK_USER_IDS: 'U0123',
      SMTP_URL: 'smtp://u:p@127.0.0.1:25',
    });
  } finally {
    await rm(own, { recursive: true, force: true });
  }
});

test('npm start reads .env by itself, logs only JSON lines, answers health with a request id and stops on SIGTERM', async () => {
  const bot = start();
  try {
    await bot.waitFor('"msg":"duebot listening"');
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'X-Request-Id': 'start-steps-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('start-steps-1');
    // Bolt verified the token against SLACK_API_URL, a setting that exists only in .env.
    await slack.waitFor(() => slack.callsTo('auth.test').length > 0);
  } finally {
    bot.child.kill('SIGTERM');
  }
  expect(await bot.exit).toBe(0);
  const lines = bot.output().split('\n').filter(Boolean);
  expect(lines.filter((l) => !isJsonLog(l))).toEqual([]);
  expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['database ready', 'clients file loaded', 'duebot listening', 'shutting down']));
  expect(bot.output()).not.toMatch(/xoxb-start-steps|start-steps-signing-secret|sk_test_steps/);
});

test('a missing clients file stops npm start with its path, before the database is opened', async () => {
  await rm(join(dir, 'clients.yml'));
  const bot = start();
  expect(await bot.exit).toBe(1);
  const lines = bot.output().split('\n').filter(Boolean);
  expect(lines.map((l) => JSON.parse(l).msg)).toEqual([
    `duebot cannot start: CLIENTS_FILE: ./clients.yml (${join(dir, 'clients.yml')}) does not exist; copy clients.example.yml there and edit it (npm run setup does the copy), or set CLIENTS_FILE to your clients file`,
  ]);
});

function isJsonLog(line: string): boolean {
  try {
    return typeof JSON.parse(line).level === 'number';
  } catch {
    return false;
  }
}

function start(): { child: ChildProcess; exit: Promise<number | null>; output(): string; waitFor(text: string): Promise<void> } {
  // Node with tsx's loader in the same process, not the tsx CLI: the CLI relays a SIGTERM to its child and
  // SIGKILLs it when the child does not confirm within 30 ms, which a loaded CI machine can miss (exit 143).
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(REPO, 'src/main.ts')], { cwd: dir, env: CLEAN_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    exit,
    output: () => out,
    waitFor: async (text) => {
      const gone = exit.then((code) => {
        throw new Error(`the bot exited (${code}) before "${text}":\n${out}`);
      });
      gone.catch(() => undefined);
      while (!out.includes(text)) await Promise.race([new Promise((r) => setTimeout(r, 50)), gone]);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.once('error', fail);
  });
}

import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../log.js';

/**
 * Bolt, its receivers and every WebClient it creates log through this adapter, so their lines join
 * duebot's JSON stream instead of printing plain text to the console. It never logs more than duebot's
 * own LOG_LEVEL allows (Bolt's setLevel can only make it quieter), tokens are scrubbed from the text,
 * and an error is logged as its message, name and code only: a WebClient error carries the original HTTP
 * request (with its Authorization header) in enumerable fields.
 */
export function slackLogger(log: Logger, component = 'slack'): SlackLogger {
  let level: string = log.level;
  let child = log.child({ component });
  const apply = (wanted: string) => {
    level = severity(log, wanted) >= severity(log, log.level) ? wanted : log.level;
    child.level = level;
  };
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      if (!child.isLevelEnabled(method)) return;
      const error = parts.find((p): p is Error => p instanceof Error);
      const text = scrub(
        parts
          .filter((p) => p !== error)
          .map(describe)
          .join(' '),
      );
      if (error) child[method]({ err: scrub(error.message), errorName: error.name, ...codeOf(error) }, text || scrub(error.message));
      else child[method](text);
    };
  apply(level);
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (wanted: LogLevel) => apply(wanted),
    getLevel: () => boltLevel(level),
    setName: (name: string) => {
      child = log.child({ component: name });
      child.level = level;
    },
  };
}

/** LOG_LEVEL in Bolt's four levels (trace → debug; fatal and silent → error, the adapter stays silent). */
export function boltLevel(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}

function severity(log: Logger, level: string): number {
  return level === 'silent' ? Infinity : (log.levels.values[level] ?? Infinity);
}

const TOKENS = /\bx(?:ox[abposer]|app)-[A-Za-z0-9-]+/g;
const TOKEN_FIELDS = /("(?:token|bot_token|access_token|client_secret)"\s*:\s*)"[^"]*"/g;

/** Slack tokens in free text (and the verification token in a debug-logged event body) become [redacted]. */
export function scrub(text: string): string {
  return text.replace(TOKENS, '[redacted]').replace(TOKEN_FIELDS, '$1"[redacted]"');
}

function describe(part: unknown): string {
  if (typeof part === 'string') return part;
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}

function codeOf(error: Error): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

import { pino } from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout; tokens, secrets and email bodies are never passed to the logger. */
export function createLogger(level: string, name = 'duebot'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.token', '*.secret', '*.password', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
  });
}
